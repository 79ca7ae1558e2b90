// The fix oracle's build sample tries only files that can build in the lab: bases mapped to the
// forged images, no build-context files, no RUN reaching a network the lab does not reach.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { forgedBase, withForgedBases } from "../bench/oracle-build-filter.ts";

describe("fix oracle: build sample prefilter", () => {
  it("maps bases to the forged images, Ubuntu to Debian", () => {
    assert.equal(forgedBase("ubuntu:18.04"), "debian:bookworm");
    assert.equal(forgedBase("docker.io/library/debian:buster-slim"), "debian:bookworm-slim");
    assert.equal(forgedBase("node:14-alpine"), "node:22");
    assert.equal(forgedBase("alpine:3.19"), undefined);
  });

  it("rewrites every FROM of a buildable file, stage references kept", () => {
    const result = withForgedBases("FROM ubuntu:20.04 AS base\nRUN apt-get update && apt-get install -y make\nFROM base\nRUN echo ok\n");
    assert.deepEqual(result, { text: "FROM debian:bookworm AS base\nRUN apt-get update && apt-get install -y make\nFROM base\nRUN echo ok\n" });
  });

  it("says why a file cannot be built here", () => {
    const skip = (text: string): string | undefined => {
      const result = withForgedBases(text);
      return "skip" in result ? result.skip : undefined;
    };
    assert.equal(skip("FROM alpine:3.19\nRUN echo\n"), "a base image the lab cannot forge");
    assert.equal(skip("FROM debian:bookworm\nCOPY . /app\n"), "COPY/ADD from the build context (not in the corpus)");
    assert.equal(skip("FROM debian:bookworm\nRUN apt-get update && sudo curl -fsSL https://x.example/i.sh | sh\n"), "RUN curl (a network the lab does not reach)");
    assert.equal(skip("FROM node:18\nRUN pip install flask\n"), "RUN pip (a network the lab does not reach)");
    assert.equal(skip("# syntax=docker/dockerfile:1\nFROM debian:bookworm\n"), "a # syntax= frontend (not reachable)");
    assert.equal(skip("FROM node:18\nRUN npm install -g serve\n"), undefined);
  });
});
