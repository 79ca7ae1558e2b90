import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { linesOf } from "../helpers/audit.ts";

describe("suppressions", () => {
  const base = "FROM debian:bookworm-slim\n";
  it("honours hadolint ids for mapped rules on the next instruction only", () => {
    const text = `${base}# hadolint ignore=DL3015,DL3009\nRUN apt-get install -y a\nRUN apt-get install -y b\n`;
    assert.deepEqual(linesOf(text, "apt-no-install-recommends"), [4]);
  });
  it("honours our ids, across further comment lines, and multi-line instructions", () => {
    const text = `${base}# shipshape ignore=apt-no-install-recommends\n# why: legacy\nRUN apt-get update && \\\n    apt-get install -y a\n`;
    assert.deepEqual(linesOf(text, "apt-no-install-recommends"), []);
  });
  it("honours global ignores in both vocabularies", () => {
    assert.deepEqual(linesOf(`# hadolint global ignore=DL3015\n${base}RUN apt-get install -y a\n`, "apt-no-install-recommends"), []);
    assert.deepEqual(linesOf(`# shipshape global ignore=shell-form-cmd\n${base}CMD run\n`, "shell-form-cmd"), []);
  });
  it("does not let an unrelated id suppress", () => {
    assert.deepEqual(linesOf(`${base}# hadolint ignore=DL3008\nRUN apt-get install -y a\n`, "apt-no-install-recommends"), [3]);
  });
});
