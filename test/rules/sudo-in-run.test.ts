import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "sudo-in-run";

describe(id, () => {
  it("flags sudo in RUN, in every stage, also inside sh -c", () => {
    const dockerfile = [
      "FROM debian AS build",
      "RUN sudo apt-get install -y gcc",
      "FROM debian",
      "RUN sh -c 'sudo -u app touch /tmp/x'",
      "RUN apt-get install -y sudo",
      "RUN echo sudo",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), [2, 4]);
  });

  it("says sudo is unnecessary when the RUN runs as root", () => {
    const [finding] = findingsOf("FROM debian\nUSER root\nRUN sudo apt-get update && sudo apt-get install -y curl\n", id);
    assert.match(finding?.message ?? "", /^sudo apt-get: this RUN already runs as root/);
  });

  it("suggests USER root and back when a non-root USER is in force, also inherited from the base stage", () => {
    const dockerfile = "FROM debian AS base\nUSER app:app\nFROM base\nRUN sudo mkdir /data\n";
    const [finding] = findingsOf(dockerfile, id);
    assert.match(finding?.message ?? "", /use USER root for this step and USER app:app after it/);
  });

  it("honours # hadolint ignore=DL3004", () => {
    assert.deepEqual(linesOf("FROM debian\n# hadolint ignore=DL3004\nRUN sudo apt-get update\n", id), []);
  });
});
