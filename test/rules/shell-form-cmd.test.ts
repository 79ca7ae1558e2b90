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
});
