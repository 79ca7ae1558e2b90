import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyEdits } from "../../src/fix/apply.ts";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "apt-lists-not-removed";

describe(id, () => {
  it("flags apt-get update without removing the lists in the same RUN", () => {
    const dockerfile = [
      "FROM debian:bookworm-slim",
      "RUN apt-get update && apt-get install -y curl",
      "RUN apt-get update && apt-get install -y git && rm -rf /var/lib/apt/lists/*",
      "RUN apt update && apt install -y jq",
      "RUN sh -c 'apt-get update && apt-get install -y wget'",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), [2, 4, 5]);
    assert.equal(findingsOf(dockerfile, id)[0]?.estimatedSavingMB, 20);
  });

  it("requires the removal after the update, in the same RUN", () => {
    const dockerfile = "FROM debian\nRUN rm -rf /var/lib/apt/lists/* && apt-get update && apt-get install -y curl\nRUN rm -rf /var/lib/apt/lists/*\n";
    assert.deepEqual(linesOf(dockerfile, id), [2]);
  });

  it("accepts other spellings of the cleanup", () => {
    const dockerfile = [
      "FROM debian",
      "RUN apt-get update && apt-get install -y a && rm -rf /var/lib/apt/lists",
      "RUN apt-get update && apt-get install -y b && rm -rf /var/lib/apt/lists/",
      "RUN apt-get update && apt-get install -y c && find /var/lib/apt/lists -type f -delete",
      "RUN apt-get update && apt-get install -y d && apt-get distclean",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), []);
  });

  it("is silent under a cache or tmpfs mount of /var/lib/apt or /var/lib/apt/lists", () => {
    const dockerfile = [
      "FROM debian",
      "RUN --mount=type=cache,target=/var/lib/apt,sharing=locked --mount=type=cache,target=/var/cache/apt apt-get update && apt-get install -y curl",
      "RUN --mount=type=cache,target=/var/lib/apt/lists apt-get update && apt-get install -y git",
      "RUN --mount=type=tmpfs,target=/var/lib/apt/lists apt-get update && apt-get install -y jq",
      "RUN --mount=type=cache,target=/var/cache/apt apt-get update && apt-get install -y wget",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), [5]);
  });

  it("does not report build stages that do not reach the final image", () => {
    const dockerfile = [
      "FROM debian:bookworm AS build",
      "RUN apt-get update && apt-get install -y gcc",
      "FROM debian:bookworm-slim AS base",
      "RUN apt-get update && apt-get install -y ca-certificates",
      "FROM base",
      "COPY --from=build /out /app",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), [4]);
  });

  it("fixes by appending the removal in the instruction's continuation style", () => {
    const leading = "FROM debian\nRUN apt-get update \\\n  && apt-get install -y curl  \n# next\nCMD [\"curl\"]\n";
    const [first] = findingsOf(leading, id);
    assert.ok(first?.fix);
    assert.equal(applyEdits(leading, first.fix), "FROM debian\nRUN apt-get update \\\n  && apt-get install -y curl \\\n  && rm -rf /var/lib/apt/lists/*  \n# next\nCMD [\"curl\"]\n");

    const trailing = "FROM debian\nRUN apt-get update && \\\n\tapt-get install -y curl\n";
    const [second] = findingsOf(trailing, id);
    assert.ok(second?.fix);
    const fixed = applyEdits(trailing, second.fix);
    assert.equal(fixed, "FROM debian\nRUN apt-get update && \\\n\tapt-get install -y curl && \\\n\trm -rf /var/lib/apt/lists/*\n");
    assert.deepEqual(linesOf(fixed, id), []);

    const single = "FROM debian\nRUN apt-get update && apt-get install -y curl\n";
    const [third] = findingsOf(single, id);
    assert.ok(third?.fix);
    assert.equal(applyEdits(single, third.fix), "FROM debian\nRUN apt-get update && apt-get install -y curl \\\n    && rm -rf /var/lib/apt/lists/*\n");
  });

  it("offers no fix where appending would change the meaning", () => {
    const dockerfile = [
      "FROM debian",
      "RUN apt-get update && apt-get install -y curl # tools",
      'RUN ["sh", "-c", "apt-get update && apt-get install -y git"]',
      "RUN <<EOT",
      "apt-get update",
      "apt-get install -y jq",
      "EOT",
    ].join("\n");
    const findings = findingsOf(dockerfile, id);
    assert.deepEqual(findings.map((finding) => finding.line), [2, 3, 4]);
    assert.deepEqual(findings.map((finding) => finding.fix), [undefined, undefined, undefined]);
  });

  it("offers no fix when a later RUN installs with these lists, or the RUN only updates", () => {
    const dockerfile = "FROM debian\nRUN apt-get update && apt-get install -y curl\nRUN apt-get install -y git\nRUN apt-get update\n";
    const findings = findingsOf(dockerfile, id);
    assert.deepEqual(findings.map((finding) => finding.line), [2, 4]);
    assert.deepEqual(findings.map((finding) => finding.fix), [undefined, undefined]);
    const updatedAgain = "FROM debian\nRUN apt-get update && apt-get install -y curl\nRUN apt-get update && apt-get install -y git && rm -rf /var/lib/apt/lists/*\n";
    assert.ok(findingsOf(updatedAgain, id)[0]?.fix);
  });

  it("honours # hadolint ignore=DL3009", () => {
    assert.deepEqual(linesOf("FROM debian\n# hadolint ignore=DL3009\nRUN apt-get update && apt-get install -y curl\n", id), []);
  });
});
