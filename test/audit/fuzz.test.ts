// A hang guard (issue 10): a seeded, bounded fuzz over generated Dockerfiles and compose files in
// the shapes that made regular expressions backtrack (long blank runs, continuations, quotes,
// comments, heredoc-like text, deep nesting). Every file must be audited, by all rules, in well
// under the time a catastrophic backtrack takes, and nothing may throw. Not a benchmark: the
// bound is a hang guard only (the issue's 35 blanks took over 15 s; an exponential pattern takes
// minutes). It is generous because CI machines are shared: 1,500 ms failed twice on a machine at
// load 40 where the same file takes ~100 ms idle. The speed goal (100 ms per file) is measured by
// `npm run bench:audit` on real files, where timings belong.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createRandom } from "../../bench/corpus.ts";
import { auditFiles } from "../helpers/audit.ts";

const FILES_PER_KIND = 100;
const BUDGET_MS = 10_000;

/** The corpus generator's seeded PRNG (mulberry32), so a failure names a seed that reproduces it. */
function prng(seed: number): () => number {
  return createRandom(seed).next;
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const size = (random: Random): number => pick(random, [0, 1, 2, 5, 30, 35, 200, 1000]);

const WORDS = ["pip", "install", "--upgrade", "apt-get", "update", "-y", "npm", "ci", "yarn", "curl", "-fsSL", "|", "sh", "-c", "&&", ";", "||", "rm", "-rf", "/var/lib/apt/lists/*", "~/.cache/pip", "--no-cache-dir", "apk", "add", "--no-cache", "go", "build", "cargo", "mvn", "wget", "-O", "python", "-m", "uv", "sync", "poetry", "export", "PIP_NO_CACHE_DIR=1", "$HOME", "${X}", "\"quoted words\"", "'single'", "`tick`", "$(sub)", "(", ")", "{", "}", "#", "=", ":", "@", "?", "[", "]", "\\", "/", "//", "*", "**"];

function blanks(random: Random): string {
  return pick(random, [" ", "\t", " \t"]).repeat(size(random));
}

function shellText(random: Random, depth = 0): string {
  const parts: string[] = [];
  const count = 1 + Math.floor(random() * 12);
  for (let index = 0; index < count; index++) {
    const shape = random();
    if (shape < 0.45) parts.push(pick(random, WORDS));
    else if (shape < 0.6) parts.push(blanks(random));
    else if (shape < 0.7) parts.push(`${blanks(random)}\\${pick(random, ["\n", "\r\n"])}${random() < 0.3 ? `  # comment ${blanks(random)}\n` : ""}`);
    else if (shape < 0.78) {
      const char = pick(random, ["-", "/", "=", ":", "#", "?", "@", "[", "\\", "\"", "'", "\0", "\u2028"]);
      // Runs of quotes stay short: mvdan-sh hands a word of N quoted parts over in time that grows
      // with N (about 0.5 ms a part), a known limit of the shell parser, not a hang.
      parts.push(char.repeat(char === "'" || char === "\"" ? Math.min(size(random), 35) : size(random)));
    }
    else if (shape < 0.86 && depth < 30) parts.push(`${pick(random, ["(", "$(", "{ ", "sh -c \"", "bash -c '"])}${shellText(random, depth + 1)}${pick(random, [")", ")", "; }", "\"", "'"])}`);
    else if (shape < 0.93) parts.push(`until ${blanks(random)}!${blanks(random)}nc -z db 5432${blanks(random)}`);
    else parts.push(`${pick(random, WORDS)}${"x".repeat(size(random))}`);
  }
  return parts.join(pick(random, [" ", "", "  "]));
}

function dockerfile(random: Random): string {
  const lines: string[] = [pick(random, ["FROM ubuntu", "FROM python:3.12-slim AS build", "FROM node:22", "FROM scratch", `FROM ${"a".repeat(size(random))}:${":".repeat(size(random))}`])];
  const count = 1 + Math.floor(random() * 8);
  for (let index = 0; index < count; index++) {
    const shape = random();
    if (shape < 0.5) lines.push(`RUN ${shellText(random)}`);
    else if (shape < 0.58) lines.push(`RUN <<EOF\n${shellText(random)}\n${random() < 0.7 ? "EOF" : ""}`);
    else if (shape < 0.64) lines.push(`# ${pick(random, ["hadolint ignore=DL3008", "shipshape-ignore", "syntax=docker/dockerfile:1", "escape=`"])}${blanks(random)}`);
    else if (shape < 0.7) lines.push(`ENV ${pick(random, ["PIP_NO_CACHE_DIR", "A", "XDG_CACHE_HOME"])}=${pick(random, WORDS)}${blanks(random)}\\`);
    else if (shape < 0.78) lines.push(`COPY ${pick(random, [".", "./", "package.json", "*"])}${"/".repeat(size(random))} ${pick(random, ["/app", "."])}${"/".repeat(size(random))}`);
    else if (shape < 0.84) lines.push(`ADD ${pick(random, ["https://x.example/a.tar.gz", "http://h/"])}${pick(random, ["?", "#", "?a"]).repeat(size(random))} /`);
    else if (shape < 0.9) lines.push(`CMD ${random() < 0.5 ? JSON.stringify([shellText(random)]) : shellText(random)}`);
    else if (shape < 0.95) lines.push(`${pick(random, ["USER", "WORKDIR", "ARG", "LABEL", "HEALTHCHECK CMD", "SHELL"])} ${shellText(random)}`);
    else lines.push(blanks(random));
  }
  return lines.join(pick(random, ["\n", "\r\n", "\n\n"]));
}

function composeFile(random: Random): string {
  const quote = (text: string): string => JSON.stringify(text);
  const services: string[] = [];
  const count = 1 + Math.floor(random() * 4);
  for (let index = 0; index < count; index++) {
    const lines = [`  s${index}:`];
    lines.push(`    image: ${quote(pick(random, ["postgres:16", "node", `a${":".repeat(size(random))}`]))}`);
    if (random() < 0.8) lines.push(`    command: ${quote(shellText(random))}`);
    if (random() < 0.4) lines.push(`    entrypoint: [${[shellText(random), shellText(random)].map(quote).join(", ")}]`);
    if (random() < 0.4) lines.push(`    healthcheck:\n      test: ${quote(shellText(random))}`);
    if (random() < 0.4) lines.push(`    depends_on: [${Array.from({ length: index }, (_, other) => `s${other}`).join(", ")}]`);
    if (random() < 0.3) lines.push(`    build:\n      context: ${quote(`.${"/".repeat(size(random))}`)}\n      dockerfile: Dockerfile`);
    if (random() < 0.3) lines.push(`    volumes: [${quote(`.${"/".repeat(size(random))}:/app`)}]`);
    if (random() < 0.3) lines.push(`    environment:\n      A: ${quote(`${blanks(random)}# x${blanks(random)}`)}`);
    if (random() < 0.2) {
      let nested = "x";
      for (let depth = 0; depth < 1 + Math.floor(random() * 60); depth++) nested = `{a: ${nested}}`;
      lines.push(`    x-deep: ${nested}`);
    }
    services.push(lines.join("\n"));
  }
  return `${random() < 0.5 ? `# ${blanks(random)}\n` : ""}services:\n${services.join("\n")}\n`;
}

function auditTimed(files: Record<string, string>): number {
  const start = performance.now();
  auditFiles(files);
  return performance.now() - start;
}

describe("fuzz: no generated input hangs the audit", () => {
  // Warm the rules (module loading, the shell parser, regexp compilation, JIT) on a generated file of
  // the same shapes (seed 0, not timed), so the first timed file is not the one that pays for it.
  auditFiles({ Dockerfile: dockerfile(prng(0)), "docker-compose.yml": composeFile(prng(0)) });

  it(`audits ${FILES_PER_KIND} generated Dockerfiles, each in under ${BUDGET_MS} ms`, () => {
    for (let seed = 1; seed <= FILES_PER_KIND; seed++) {
      const text = dockerfile(prng(seed));
      const elapsed = auditTimed({ Dockerfile: text });
      assert.ok(elapsed < BUDGET_MS, `seed ${seed}: ${elapsed.toFixed(0)} ms for a ${text.length}-character Dockerfile`);
    }
  });

  it(`audits ${FILES_PER_KIND} generated compose files (with a Dockerfile), each in under ${BUDGET_MS} ms`, () => {
    for (let seed = 1; seed <= FILES_PER_KIND; seed++) {
      const random = prng(10_000 + seed);
      const files = { "docker-compose.yml": composeFile(random), Dockerfile: dockerfile(random) };
      const elapsed = auditTimed(files);
      assert.ok(elapsed < BUDGET_MS, `seed ${10_000 + seed}: ${elapsed.toFixed(0)} ms`);
    }
  });

  it("audits the issue's reproduction (spaces between pip and a continuation) in under the budget", () => {
    for (const spaces of [35, 1000, 20000]) {
      const elapsed = auditTimed({ Dockerfile: `FROM ubuntu\nRUN pip install --upgrade pip${" ".repeat(spaces)}\\\n` });
      assert.ok(elapsed < BUDGET_MS, `${spaces} spaces: ${elapsed.toFixed(0)} ms`);
    }
  });
});
