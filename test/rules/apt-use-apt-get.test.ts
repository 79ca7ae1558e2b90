import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyEdits } from "../../src/fix/apply.ts";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "apt-use-apt-get";

describe(id, () => {
  it("flags apt in RUN, through sudo and sh -c, in every stage", () => {
    const dockerfile = [
      "FROM ubuntu:24.04 AS build",
      "RUN apt update && apt install -y curl",
      "FROM ubuntu:24.04",
      "RUN sudo apt-get install -y git && sh -c 'apt show git'",
      "RUN apt-get update && apt-cache policy git",
      "RUN echo apt install is in the docs",
    ].join("\n");
    const findings = findingsOf(dockerfile, id);
    assert.deepEqual(findings.map((finding) => finding.line), [2, 2, 4]);
    assert.match(findings[0]?.message ?? "", /use apt-get update/);
    assert.match(findings[2]?.message ?? "", /use apt-cache show/);
  });

  it("fixes apt to apt-get or apt-cache, word by word", () => {
    const dockerfile = "FROM ubuntu:24.04\nRUN apt update && \\\n    apt install -y curl && /usr/bin/apt show curl\n";
    const fixed = applyEdits(dockerfile, findingsOf(dockerfile, id).flatMap((finding) => finding.fix ?? []));
    assert.equal(fixed, "FROM ubuntu:24.04\nRUN apt-get update && \\\n    apt-get install -y curl && /usr/bin/apt-cache show curl\n");
    assert.deepEqual(linesOf(fixed, id), []);
  });

  it("has no fix for apt subcommands without an apt-get twin", () => {
    const findings = findingsOf("FROM ubuntu\nRUN apt full-upgrade -y && apt list --installed\n", id);
    assert.equal(findings.length, 2);
    assert.match(findings[0]?.message ?? "", /apt-get dist-upgrade/);
    assert.deepEqual(findings.map((finding) => finding.fix), [undefined, undefined]);
  });

  it("honours # hadolint ignore=DL3027", () => {
    assert.deepEqual(linesOf("FROM ubuntu\n# hadolint ignore=DL3027\nRUN apt install -y curl\n", id), []);
  });

  it("is a safe fix, except apt upgrade (apt-get upgrade holds back what apt upgrade installs)", () => {
    const findings = findingsOf("FROM debian:bookworm-slim\nRUN apt update && apt upgrade -y && apt install -y curl\n", id);
    assert.deepEqual(findings.map((finding) => finding.fixLevel), ["safe", "rewrite", "safe"]);
  });
});
