// One home for formatting (src/format/index.ts): terminal colours and plurals are not spelled out
// anywhere else in src/, so every command paints and counts alike (and NO_COLOR is honoured in
// one place). Cursor movement (`\u001b[2K`, `\u001b[3A`) is not colour and may stay where it is used.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";

const SRC = path.join(import.meta.dirname, "..", "..", "src");

function sourceFiles(directory: string): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return full === path.join(SRC, "format") ? [] : sourceFiles(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

function offending(pattern: RegExp): string[] {
  return sourceFiles(SRC).flatMap((file) =>
    fs
      .readFileSync(file, "utf8")
      .split("\n")
      .flatMap((line, index) => (pattern.test(line) ? [`${path.relative(SRC, file)}:${index + 1}: ${line.trim()}`] : [])),
  );
}

describe("formatting has one home", () => {
  it("no colour escape codes outside src/format (use paint)", () => {
    // An SGR sequence: ESC [ parameters m, written as \x1b or \u001b.
    assert.deepEqual(offending(/\\(?:x1b|u001b)\[[\d;$]*(?:\{[^}]*\})?m/), []);
  });

  it("no inline plurals outside src/format (use plural)", () => {
    assert.deepEqual(offending(/=== 1 \? "" : "e?s"/), []);
  });
});
