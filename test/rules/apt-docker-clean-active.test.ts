import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyEdits } from "../../src/fix/apply.ts";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "apt-docker-clean-active";
const MOUNTS = "--mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,sharing=locked";

describe(id, () => {
  it("flags the first apt install under an archives cache mount, once per stage", () => {
    const dockerfile = [
      "FROM debian:bookworm-slim AS build",
      "RUN apt-get update && apt-get install -y gcc",
      `RUN ${MOUNTS} apt-get update && apt-get install -y make`,
      `RUN ${MOUNTS} apt-get install -y git`,
      "FROM ubuntu:24.04",
      "RUN --mount=type=cache,target=/var/cache/apt/archives,sharing=locked apt-get update && apt-get install -y curl",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), [3, 6]);
    assert.match(findingsOf(dockerfile, id)[0]?.message ?? "", /docker-clean deletes every downloaded \.deb/);
  });

  it("is silent without an archives mount (lists only) and when an earlier RUN, an ancestor stage or the same RUN removes the hook", () => {
    const listsOnly = `FROM debian\nRUN --mount=type=cache,target=/var/lib/apt,sharing=locked apt-get update && apt-get install -y curl\n`;
    assert.deepEqual(linesOf(listsOnly, id), []);
    const removed = `FROM debian AS base\nRUN rm -f /etc/apt/apt.conf.d/docker-clean\nFROM base\nRUN ${MOUNTS} apt-get update && apt-get install -y curl\n`;
    assert.deepEqual(linesOf(removed, id), []);
    const sameRun = `FROM debian\nRUN ${MOUNTS} rm /etc/apt/apt.conf.d/docker-clean && apt-get update && apt-get install -y curl\n`;
    assert.deepEqual(linesOf(sameRun, id), []);
    const overwritten = `FROM debian\nRUN echo '' > /etc/apt/apt.conf.d/docker-clean\nRUN ${MOUNTS} apt-get update && apt-get install -y curl\n`;
    assert.deepEqual(linesOf(overwritten, id), []);
  });

  it("is not satisfied by Keep-Downloaded-Packages alone: the hook's post-invoke rm still runs", () => {
    const dockerfile = `FROM debian\nRUN echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' > /etc/apt/apt.conf.d/keep-cache\nRUN ${MOUNTS} apt-get update && apt-get install -y curl\n`;
    assert.deepEqual(linesOf(dockerfile, id), [3]);
  });

  it("asks for Keep-Downloaded-Packages when the apt CLI installs with the hook removed", () => {
    const dockerfile = `FROM debian\nRUN rm -f /etc/apt/apt.conf.d/docker-clean\nRUN ${MOUNTS} apt update && apt install -y curl\n`;
    const [finding] = findingsOf(dockerfile, id);
    assert.match(finding?.message ?? "", /`apt install` deletes downloaded packages unless Binary::apt::APT::Keep-Downloaded-Packages/);
    const kept = `FROM debian\nRUN rm -f /etc/apt/apt.conf.d/docker-clean; echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' > /etc/apt/apt.conf.d/keep-cache\nRUN ${MOUNTS} apt update && apt install -y curl\n`;
    assert.deepEqual(linesOf(kept, id), []);
  });

  it("fixes by inserting the RUN above the install and its comments, with its indentation and line endings", () => {
    const dockerfile = `FROM debian\r\n# hadolint ignore=DL3008\r\n  RUN ${MOUNTS} \\\r\n    apt-get update && apt-get install -y curl\r\n`;
    const [finding] = findingsOf(dockerfile, id);
    assert.ok(finding?.fix);
    const fixed = applyEdits(dockerfile, finding.fix);
    assert.equal(
      fixed,
      `FROM debian\r\n  RUN rm -f /etc/apt/apt.conf.d/docker-clean; echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' > /etc/apt/apt.conf.d/keep-cache\r\n# hadolint ignore=DL3008\r\n  RUN ${MOUNTS} \\\r\n    apt-get update && apt-get install -y curl\r\n`,
    );
    assert.deepEqual(linesOf(fixed, id), []);
  });

  it("offers no fix when a later RUN of the image (or an ONBUILD RUN, or a stage built on it) installs without an archives mount", () => {
    const cases = [
      `FROM debian:bookworm-slim\nRUN ${MOUNTS} apt-get update && apt-get install -y curl\nRUN apt-get install -y jq\n`,
      `FROM debian:bookworm-slim\nRUN ${MOUNTS} apt-get update && apt-get install -y curl\nONBUILD RUN apt-get install -y jq\n`,
      `FROM debian:bookworm-slim AS base\nRUN ${MOUNTS} apt-get update && apt-get install -y curl\nFROM base\nRUN ["apt-get", "install", "-y", "jq"]\n`,
    ];
    for (const dockerfile of cases) {
      const findings = findingsOf(dockerfile, id);
      assert.equal(findings.length, 1, dockerfile);
      assert.equal(findings[0]?.fix, undefined, dockerfile);
    }
    // Mounted, cleaned in the same RUN, or in an unrelated stage: the hook is not needed there.
    const fine = [
      `FROM debian:bookworm-slim\nRUN ${MOUNTS} apt-get update && apt-get install -y curl\nRUN ${MOUNTS} apt-get install -y jq\n`,
      `FROM debian:bookworm-slim\nRUN ${MOUNTS} apt-get update && apt-get install -y curl\nRUN apt-get install -y jq && apt-get clean\n`,
      `FROM debian:bookworm-slim AS a\nRUN ${MOUNTS} apt-get update && apt-get install -y curl\nFROM debian:bookworm-slim\nRUN apt-get install -y jq\n`,
    ];
    for (const dockerfile of fine) assert.ok(findingsOf(dockerfile, id)[0]?.fix, dockerfile);
  });

  it("is a safe fix in a build stage and a rewrite-level one in a stage that ships (it changes /etc/apt in the image)", () => {
    const install = "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked apt-get update && apt-get install -y gcc\n";
    const [build] = findingsOf(`FROM debian:bookworm-slim AS build\n${install}FROM debian:bookworm-slim\nCOPY --from=build /usr/bin/gcc /gcc\n`, id);
    assert.ok(build?.fix);
    assert.equal(build.fixLevel, "safe");
    const [shipped] = findingsOf(`FROM debian:bookworm-slim\n${install}`, id);
    assert.ok(shipped?.fix);
    assert.equal(shipped.fixLevel, "rewrite");
  });
});
