import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { auditPaths } from "../src/audit/audit-paths.ts";

// The planted-problems table in examples/shop/README.md is the contract: every row (file, line,
// rule) must be reported by the audit, so the docs and the tool cannot drift apart.
interface PlantedProblem {
  file: string;
  line: number;
  rule: string;
}

function plantedProblems(): PlantedProblem[] {
  const readme = readFileSync("examples/shop/README.md", "utf8");
  const rows: PlantedProblem[] = [];
  for (const line of readme.split("\n")) {
    const match = /^\| `([^`]+)` \| (\d+) \| `([a-z0-9-]+)` \|/.exec(line);
    if (match) rows.push({ file: match[1] ?? "", line: Number(match[2]), rule: match[3] ?? "" });
  }
  return rows;
}

describe("examples/shop", () => {
  const result = auditPaths(["examples/shop"]);
  const found = new Set(result.files.flatMap((file) => file.findings.map((finding) => `${file.path}:${finding.line}:${finding.rule}`)));

  it("documents its planted problems", () => {
    assert.ok(plantedProblems().length >= 40, "the README table lists the planted problems");
  });

  for (const problem of plantedProblems()) {
    it(`finds ${problem.rule} at ${problem.file}:${problem.line}`, () => {
      const key = `examples/shop/${problem.file}:${problem.line}:${problem.rule}`;
      const sameRule = [...found].filter((entry) => entry.startsWith(`examples/shop/${problem.file}:`) && entry.endsWith(`:${problem.rule}`));
      assert.ok(found.has(key), `${key} not reported; this rule reported: ${sameRule.join(", ") || "nothing"}`);
    });
  }

  it("reads every file without an error", () => {
    assert.deepEqual(result.files.filter((file) => file.error !== undefined).map((file) => file.path), []);
  });
});
