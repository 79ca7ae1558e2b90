// Reads the examples of docs/rules/<id>.md. A fenced block's info string says what it is:
//   ```dockerfile failing          a Dockerfile (path: Dockerfile)
//   ```yaml passing                a compose file (path: docker-compose.yml)
//   ```files failing               several files: each starts with a line `--- path`,
//                                  or `--- path (N bytes)` for a file whose content is irrelevant
import fs from "node:fs";
import type { Files } from "./audit.ts";

export interface DocExample {
  expectation: "failing" | "passing";
  files: Files;
  /** 1-based line of the opening fence in the doc. */
  line: number;
}

export function readDocExamples(docPath: string): DocExample[] {
  const text = fs.readFileSync(docPath, "utf8");
  const examples: DocExample[] = [];
  const fence = /^```(\w+)\s+(failing|passing)[^\S\n]*\n([\s\S]*?)^```\s*$/gm;
  for (const match of text.matchAll(fence)) {
    const [, language = "", expectation, fenced = ""] = match;
    // Blank lines after the opening fence are not part of the example.
    const body = fenced.replace(/^(?:[^\S\n]*\n)+/, "");
    const line = text.slice(0, match.index).split("\n").length;
    examples.push({ expectation: expectation as "failing" | "passing", files: filesOf(language, body), line });
  }
  return examples;
}

function filesOf(language: string, body: string): Files {
  if (language === "dockerfile") return { Dockerfile: body };
  if (language === "yaml" || language === "yml") return { "docker-compose.yml": body };
  if (language !== "files") throw new Error(`unknown example language: ${language}`);
  const files: Files = {};
  let current: string | undefined;
  let lines: string[] = [];
  const flush = (): void => {
    if (current !== undefined) files[current] = lines.join("\n") + (lines.length > 0 ? "\n" : "");
  };
  for (const line of body.replace(/\n$/, "").split("\n")) {
    const header = /^--- (\S+)(?: \((\d+) bytes\))?$/.exec(line);
    if (header) {
      flush();
      current = undefined;
      lines = [];
      if (header[2] !== undefined) files[header[1] ?? ""] = Number(header[2]);
      else current = header[1];
      continue;
    }
    lines.push(line);
  }
  flush();
  return files;
}

/** The metadata table right under the title: | impact | category | hadolint | fixable |; fixable is `safe`, `rewrite` (the fix's level) or `no`. */
export function readDocMeta(docPath: string): { impact: string; category: string; hadolint: string[]; fixable: string } | undefined {
  const text = fs.readFileSync(docPath, "utf8");
  const match = /\|\s*impact\s*\|\s*category\s*\|\s*hadolint\s*\|\s*fixable\s*\|\s*\n\|[-|\s]+\|\s*\n\|([^\n]+)\|/.exec(text);
  if (!match) return undefined;
  const cells = (match[1] ?? "").split("|").map((cell) => cell.trim());
  const hadolint = cells[2] === "" || cells[2] === "-" || cells[2] === undefined ? [] : cells[2].split(/[,\s]+/).filter(Boolean);
  return { impact: cells[0] ?? "", category: cells[1] ?? "", hadolint, fixable: cells[3] ?? "" };
}
