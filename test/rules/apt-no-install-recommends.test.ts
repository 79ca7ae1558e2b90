import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "apt-no-install-recommends";

describe(id, () => {
  it("flags apt-get install without the flag, through && chains and sh -c", () => {
    const dockerfile = ["FROM debian:bookworm-slim", "RUN apt-get update && apt-get install -y curl", "RUN sh -c 'apt-get install -y git'", "RUN apt-get install -y --no-install-recommends jq"].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), [2, 3]);
  });

  it("accepts the apt config option form", () => {
    assert.deepEqual(linesOf("FROM debian\nRUN apt-get -o APT::Install-Recommends=false install -y curl", id), []);
  });

  it("gives a size estimate only for stages that reach the final image", () => {
    const dockerfile = "FROM debian:bookworm AS build\nRUN apt-get install -y gcc\nFROM debian:bookworm-slim\nRUN apt-get install -y curl\n";
    const findings = findingsOf(dockerfile, id);
    assert.equal(findings.length, 2);
    assert.equal(findings[0]?.estimatedSavingMB, undefined);
    assert.match(findings[0]?.message ?? "", /build stage/);
    assert.equal(findings[1]?.estimatedSavingMB, 60);
  });

  it("fixes by inserting the flag after install", () => {
    const dockerfile = "FROM debian\nRUN apt-get update && \\\n    apt-get install -y curl\n";
    const [finding] = findingsOf(dockerfile, id);
    const edit = finding?.fix?.[0];
    assert.ok(edit);
    const fixed = dockerfile.slice(0, edit.start) + edit.text + dockerfile.slice(edit.end);
    assert.equal(fixed, "FROM debian\nRUN apt-get update && \\\n    apt-get install --no-install-recommends -y curl\n");
  });

  it("fixes the second of two installs that start alike at its own install word, once", () => {
    const dockerfile = "FROM debian\nRUN apt-get install -y gcc --no-install-recommends && apt-get install -y gc\n";
    const [finding, ...others] = findingsOf(dockerfile, id);
    assert.equal(others.length, 0);
    const edit = finding?.fix?.[0];
    assert.ok(edit);
    const fixed = dockerfile.slice(0, edit.start) + edit.text + dockerfile.slice(edit.end);
    assert.equal(fixed, "FROM debian\nRUN apt-get install -y gcc --no-install-recommends && apt-get install --no-install-recommends -y gc\n");
    assert.deepEqual(findingsOf(fixed, id), []);
  });

  it("finds the install word across continuation and comment lines", () => {
    const dockerfile = "FROM debian\nRUN apt-get update && apt-get \\\n    # the tools\n    install -y curl\n";
    const edit = findingsOf(dockerfile, id)[0]?.fix?.[0];
    assert.ok(edit);
    const fixed = dockerfile.slice(0, edit.start) + edit.text + dockerfile.slice(edit.end);
    assert.equal(fixed, "FROM debian\nRUN apt-get update && apt-get \\\n    # the tools\n    install --no-install-recommends -y curl\n");
  });

  it("honours # hadolint ignore=DL3015", () => {
    assert.deepEqual(linesOf("FROM debian\n# hadolint ignore=DL3015\nRUN apt-get install -y curl\n", id), []);
  });
});
