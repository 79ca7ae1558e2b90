import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { runCli } from "../../src/cli/main.ts";
import { renderJson } from "../../src/report/json.ts";
import { renderJsonLines } from "../../src/report/jsonl.ts";
import { tempDirectory } from "../helpers/temp-dir.ts";
import { handResult } from "../fixtures/report/results.ts";

type Json = Record<string, unknown>;

async function audit(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(["audit", ...args], { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), cwd, env: {}, isTTY: false });
  return { code, stdout, stderr };
}

/**
 * The JSON report a JSON Lines stream describes: file lines, later findings joined to their file,
 * the summary line; sorted as the JSON report sorts them (files by path, findings by line).
 */
function rebuild(text: string, sort = true): Json {
  const files = new Map<string, Json & { findings: Json[] }>();
  let summary: Json | undefined;
  for (const line of text.trimEnd().split("\n")) {
    const { type, ...record } = JSON.parse(line) as Json;
    if (type === "file") files.set(record.path as string, record as Json & { findings: Json[] });
    else if (type === "finding") {
      const { path: filePath, ...finding } = record;
      const file = files.get(filePath as string);
      assert.ok(file, `a finding line for ${String(filePath)} comes after that file's line`);
      file.findings.push(finding);
    } else if (type === "summary") summary = record;
    else assert.fail(`unknown line type ${String(type)}`);
  }
  assert.ok(summary, "the last line is the summary");
  if (!sort) return { version: summary.version, root: summary.root, files: [...files.values()], summary: summary.summary };
  const impacts = ["high", "medium", "low", "info"];
  for (const file of files.values()) {
    file.findings.sort((a, b) => (a.line as number) - (b.line as number) || impacts.indexOf(a.impact as string) - impacts.indexOf(b.impact as string) || ((a.rule as string) < (b.rule as string) ? -1 : 1));
  }
  return { version: summary.version, root: summary.root, files: [...files.values()].sort((a, b) => ((a.path as string) < (b.path as string) ? -1 : 1)), summary: summary.summary };
}

describe("--format jsonl", () => {
  it("renders a finished result as file lines and a summary line that carry the JSON report", () => {
    const result = handResult();
    const lines = renderJsonLines(result).trimEnd().split("\n");
    assert.equal(lines.length, result.files.length + 1);
    assert.deepEqual(rebuild(renderJsonLines(result), false), JSON.parse(renderJson(result)));
  });

  it("streams an audit with compose and repository findings that rebuilds to the --format json report", async () => {
    const dir = tempDirectory("shipshape-jsonl-");
    const base = "FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\nEXPOSE 3000\nCMD [\"node\", \"dist/server.js\"]\n";
    for (const service of ["api", "worker", "web"]) {
      fs.mkdirSync(path.join(dir, service));
      fs.writeFileSync(path.join(dir, service, "Dockerfile"), base.replace("3000", service === "web" ? "8080" : "3000"));
      fs.writeFileSync(path.join(dir, service, "package.json"), `{"name":"${service}","scripts":{"build":"tsc"}}\n`);
      fs.writeFileSync(path.join(dir, service, "package-lock.json"), "{}\n");
    }
    fs.writeFileSync(path.join(dir, "compose.yaml"), "services:\n  api:\n    build: ./api\n    depends_on: [worker]\n  worker:\n    build: ./worker\n  web:\n    build: ./web\n    volumes: ['./web:/app']\n");
    const json = await audit([".", "--format", "json"], dir);
    const lines = await audit([".", "--format", "jsonl"], dir);
    assert.equal(lines.code, json.code);
    const report = JSON.parse(json.stdout) as { files: { findings: { rule: string }[] }[] };
    // The case needs findings from every kind of rule, or it proves nothing about late findings.
    const rules = new Set(report.files.flatMap((file) => file.findings.map((finding) => finding.rule)));
    assert.ok(rules.has("duplicated-dockerfiles"), [...rules].join(", "));
    assert.ok([...rules].some((rule) => rule.startsWith("compose-")), [...rules].join(", "));
    assert.match(lines.stdout, /^\{"type":"finding"/m);
    assert.deepEqual(rebuild(lines.stdout), JSON.parse(json.stdout));
  });

  it("writes --output as it goes and exits like --format json", async () => {
    const dir = tempDirectory("shipshape-jsonl-");
    fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl\nCMD run-app\n");
    const result = await audit([".", "--format", "jsonl", "--output", "report.jsonl", "--fail-on", "low"], dir);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
    const text = fs.readFileSync(path.join(dir, "report.jsonl"), "utf8");
    const rebuilt = rebuild(text) as { files: unknown[]; summary: { files: number; findings: number } };
    assert.equal(rebuilt.files.length, 1);
    assert.equal(rebuilt.summary.files, 1);
    assert.ok(rebuilt.summary.findings > 0);
    assert.equal((await audit([".", "--format", "jsonl", "--fail-on", "none"], dir)).code, 0);
  });
});
