import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runFixes } from "../../src/fix/run-fixes.ts";
import { renderFixSummary } from "../../src/fix/summary.ts";
import { snapshotFromFiles } from "../../src/repo/memory.ts";
import type { DockerfileRule } from "../../src/rules/types.ts";

describe("renderFixSummary", () => {
  it("counts fixes per rule and changed files, with paths under the display root", () => {
    const result = runFixes(snapshotFromFiles({ Dockerfile: "FROM debian:bookworm-slim\nRUN apt install -y curl\nCMD curl --version\n" }), { only: new Set(["apt-use-apt-get", "shell-form-cmd"]), level: "rewrite" });
    const text = renderFixSummary({ results: [{ displayRoot: "svc", result }], written: true, writeFailures: [] });
    assert.match(text, /^shipshape fix: 2 fixes applied in 1 pass; 1 file changed\n/);
    assert.match(text, /^ {2}apt-use-apt-get {2}1$/m);
    assert.match(text, /^ {2}shell-form-cmd {3}1$/m);
    assert.match(text, new RegExp(`^${result.remaining.summary.findings} findings remain`, "m"));
    const dry = renderFixSummary({ results: [{ displayRoot: "svc", result }], written: false });
    assert.match(dry, /2 fixes to apply in 1 pass; 1 file would change/);
  });

  it("lists fixes that never converged and files that could not be written", () => {
    const restless: DockerfileRule = {
      meta: { id: "test-restless", description: "", impact: "low", category: "speed", scope: "dockerfile", hadolint: [], fixable: true, fixLevel: "safe" },
      check: ({ dockerfile }) => [{ message: "again", line: 1, fix: [{ start: dockerfile.text.length, end: dockerfile.text.length, text: "#\n" }] }],
    };
    const result = runFixes(snapshotFromFiles({ Dockerfile: "FROM scratch\n" }), { rules: [restless], maxPasses: 2 });
    const text = renderFixSummary({ results: [{ displayRoot: ".", result }], written: true, writeFailures: [{ path: "Dockerfile", reason: "the file changed since it was read" }] });
    assert.match(text, /^shipshape fix: no fix applied; 1 file left as it was \(below\)$/m);
    assert.match(text, /^not written: Dockerfile: its fixes did not settle after 2 passes \(test-restless at line 1 kept changing it\); nothing written$/m);
    assert.match(text, /^not written: Dockerfile: the file changed since it was read$/m);
    assert.match(text, /^1 fix could not be applied/m);
    assert.match(text, /^ {2}Dockerfile:1 test-restless$/m);
  });

  it("names the rules whose fixes were left for --level rewrite", () => {
    const result = runFixes(snapshotFromFiles({ Dockerfile: "FROM debian:bookworm-slim\nRUN apt install -y curl\nCMD curl --version\n" }), { only: new Set(["apt-use-apt-get", "shell-form-cmd"]) });
    const text = renderFixSummary({ results: [{ displayRoot: ".", result }], written: true });
    assert.match(text, /^shipshape fix: 1 fix applied in 1 pass; 1 file changed\n {2}apt-use-apt-get {2}1\n/);
    assert.match(text, /^1 fix left for `--level rewrite` \(they could change what the image contains or runs; review them, with `--verify`\): shell-form-cmd$/m);
  });

  it("says when there is nothing to fix", () => {
    const result = runFixes(snapshotFromFiles({ Dockerfile: "FROM scratch\n" }), { rules: [] });
    assert.equal(renderFixSummary({ results: [{ displayRoot: ".", result }], written: false }), "shipshape fix: nothing to fix\n0 findings remain\n");
  });
});
