import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "shell-form-cmd";

describe(id, () => {
  it("flags shell-form CMD and ENTRYPOINT in the final stage only", () => {
    const dockerfile = "FROM node:22 AS build\nCMD npm test\nFROM node:22-slim\nENTRYPOINT node server.js\nCMD --port 3000\n";
    assert.deepEqual(linesOf(dockerfile, id), [4, 5]);
  });

  it("ignores exec form and HEALTHCHECK", () => {
    assert.deepEqual(linesOf('FROM node:22-slim\nHEALTHCHECK CMD curl -f http://localhost/ || exit 1\nCMD ["node", "server.js"]\n', id), []);
  });

  it("fixes simple commands to exec form and leaves shell constructs alone", () => {
    const simple = findingsOf("FROM node:22-slim\nCMD npm start\n", id)[0];
    assert.deepEqual(simple?.fix, [{ start: 22, end: 31, text: '["npm", "start"]' }]);
    const complex = findingsOf("FROM node:22-slim\nCMD node server.js --port $PORT\n", id)[0];
    assert.equal(complex?.fix, undefined);
  });

  it("never turns a trailing shell comment into arguments", () => {
    for (const dockerfile of ["FROM debian\nENTRYPOINT tail -f /dev/null # Sleep\n", "FROM debian\nENTRYPOINT [] #clear\n", "FROM debian\nCMD run#1\n"]) {
      const findings = findingsOf(dockerfile, id);
      assert.equal(findings.length, 1, dockerfile);
      assert.equal(findings[0]?.fix, undefined, dockerfile);
    }
  });

  it("leaves ENTRYPOINT alone in a stage with a CMD, and CMD under an ENTRYPOINT (exec form would change what runs)", () => {
    const entrypointWithCmd = "FROM debian\nENTRYPOINT nginx -g daemon-off\nCMD [\"--help\"]\n";
    assert.equal(findingsOf(entrypointWithCmd, id)[0]?.fix, undefined);
    const cmdUnderEntrypoint = "FROM debian AS base\nENTRYPOINT [\"/entry.sh\"]\nFROM base\nCMD serve\n";
    assert.equal(findingsOf(cmdUnderEntrypoint, id)[0]?.fix, undefined);
    // A CMD of the stage it builds on is reset by the ENTRYPOINT: converting is safe there.
    const inheritedCmd = "FROM debian AS base\nCMD [\"x\"]\nFROM base\nENTRYPOINT serve\n";
    assert.deepEqual(findingsOf(inheritedCmd, id)[0]?.fix?.map((edit) => edit.text), ['["serve"]']);
  });

  it("leaves builtins, assignments, bracket bodies and continued commands alone", () => {
    for (const body of ["exec node server.js", "cd /app", "PORT=80 node server.js", "[ -f /x ]", "node \\\n  server.js"]) {
      assert.equal(findingsOf(`FROM debian\nCMD ${body}\n`, id)[0]?.fix, undefined, body);
    }
  });
});
