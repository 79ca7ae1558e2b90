import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";
import { applyEdits } from "../../src/fix/apply.ts";

const id = "multiple-cmd-or-entrypoint";

describe(id, () => {
  it("flags every CMD and ENTRYPOINT but the last of a stage", () => {
    const dockerfile = ["FROM node:22-slim", 'CMD ["node", "a.js"]', 'ENTRYPOINT ["tini", "--"]', 'CMD ["node", "b.js"]', 'ENTRYPOINT ["dumb-init", "--"]', 'CMD ["node", "c.js"]'].join("\n");
    const findings = findingsOf(dockerfile, id);
    assert.deepEqual(findings.map((finding) => finding.line), [2, 3, 4]);
    assert.match(findings[0]?.message ?? "", /CMD on line 2 is overridden by the CMD on line 6/);
    assert.match(findings[1]?.message ?? "", /ENTRYPOINT on line 3 is overridden by the ENTRYPOINT on line 5/);
  });

  it("counts per stage and ignores ONBUILD triggers", () => {
    assert.deepEqual(linesOf('FROM node:22 AS build\nCMD ["npm", "test"]\nFROM node:22-slim\nCMD ["node", "server.js"]\n', id), []);
    assert.deepEqual(linesOf('FROM node:22-slim\nONBUILD CMD ["node", "x.js"]\nCMD ["node", "server.js"]\n', id), []);
  });

  it("fixes by removing the overridden instruction's lines; comments stay and the result is clean", () => {
    const dockerfile = "FROM node:22-slim\n# start\nCMD node \\\n    a.js\nCMD [\"node\", \"b.js\"]\n";
    const [finding] = findingsOf(dockerfile, id);
    assert.deepEqual([finding?.line, finding?.endLine], [3, 4]);
    assert.ok(finding?.fix);
    const fixed = applyEdits(dockerfile, finding.fix);
    assert.equal(fixed, "FROM node:22-slim\n# start\nCMD [\"node\", \"b.js\"]\n");
    assert.deepEqual(linesOf(fixed, id), []);
  });

  it("honours # hadolint ignore=DL4003", () => {
    assert.deepEqual(linesOf('FROM node:22-slim\n# hadolint ignore=DL4003\nCMD ["a"]\nCMD ["b"]\n', id), []);
  });
});
