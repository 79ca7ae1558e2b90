import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "apt-update-alone";

describe(id, () => {
  it("flags a RUN that only updates when a later RUN installs without updating", () => {
    const dockerfile = [
      "FROM debian:bookworm-slim",
      "RUN apt-get update",
      "RUN apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*",
    ].join("\n");
    const findings = findingsOf(dockerfile, id);
    assert.deepEqual(findings.map((finding) => finding.line), [2]);
    assert.match(findings[0]?.message ?? "", /`apt-get update` runs in its own layer.*install at line 3/);
  });

  it("follows installs into stages built FROM this one, and apt/aptitude updates", () => {
    const dockerfile = "FROM ubuntu:24.04 AS base\nRUN apt update -qq\nFROM base\nRUN apt install -y curl\n";
    assert.deepEqual(linesOf(dockerfile, id), [2]);
    assert.match(findingsOf(dockerfile, id)[0]?.message ?? "", /`apt update`/);
  });

  it("is silent when update and install share a RUN (also via xargs, sh -c or a heredoc)", () => {
    const dockerfile = [
      "FROM debian:bookworm-slim",
      "RUN apt-get update && apt-get install -y curl",
      "RUN apt-get update && xargs apt-get install -y < packages.txt",
      "RUN sh -c 'apt-get update && apt-get install -y git'",
      "RUN <<EOF",
      "apt-get update",
      "apt-get install -y jq",
      "EOF",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), []);
  });

  it("is silent when nothing later installs, when the later install updates itself, or a script may install", () => {
    assert.deepEqual(linesOf("FROM debian\nRUN apt-get update\nCMD [\"bash\"]\n", id), []);
    assert.deepEqual(linesOf("FROM debian\nRUN apt-get update\nRUN apt-get update && apt-get install -y curl\n", id), []);
    assert.deepEqual(linesOf("FROM debian\nRUN apt-get update && ./install-deps.sh\nRUN apt-get install -y curl\n", id), []);
    assert.deepEqual(linesOf("FROM debian\nRUN apt-get update && bash /tmp/setup.sh\nRUN apt-get install -y curl\n", id), []);
  });

  it("does not look at other stages' installs", () => {
    assert.deepEqual(linesOf("FROM debian AS a\nRUN apt-get update\nFROM debian AS b\nRUN apt-get install -y curl\n", id), []);
  });
});
