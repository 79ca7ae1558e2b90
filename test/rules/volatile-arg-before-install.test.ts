import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "volatile-arg-before-install";

describe(id, () => {
  it("flags a per-build ARG declared before installs, naming the install and the first use", () => {
    const dockerfile = [
      "FROM node:22-slim",
      "ARG GIT_SHA",
      "WORKDIR /app",
      "COPY package*.json ./",
      "RUN npm ci",
      "COPY . .",
      "LABEL org.opencontainers.image.revision=$GIT_SHA",
    ].join("\n");
    const findings = findingsOf(dockerfile, id);
    assert.deepEqual(findings.map((finding) => finding.line), [2]);
    assert.match(findings[0]?.message ?? "", /ARG GIT_SHA changes on every build and is declared before `npm ci` \(line 5\).*first use \(line 7\)/);
  });

  it("recognises common CI names and apt/pip/go installs", () => {
    const dockerfile = [
      "FROM golang:1.22",
      "ARG BUILD_DATE",
      "ARG CI_COMMIT_SHA",
      "ARG NODE_VERSION=22",
      "ARG VERSION=dev",
      "RUN apt-get update && apt-get install -y git",
      "RUN go build -o /app .",
    ].join("\n");
    const findings = findingsOf(dockerfile, id);
    assert.equal(findings.length, 3);
    assert.deepEqual(findings.map((finding) => finding.line), [2, 3, 5]);
    assert.ok(findings.some((finding) => /CI_COMMIT_SHA/.test(finding.message)));
    assert.ok(!findings.some((finding) => /NODE_VERSION/.test(finding.message)));
  });

  it("is silent when the value is used by the install itself or before it, or declared after it", () => {
    const usedByBuild = "FROM golang:1.22\nARG VERSION\nRUN go build -ldflags \"-X main.version=${VERSION}\" -o /app .\n";
    assert.deepEqual(linesOf(usedByBuild, id), []);
    const afterInstall = "FROM node:22\nRUN npm ci\nARG GIT_SHA\nLABEL revision=$GIT_SHA\n";
    assert.deepEqual(linesOf(afterInstall, id), []);
    const beforeFrom = "ARG GIT_SHA\nFROM node:22\nRUN npm ci\n";
    assert.deepEqual(linesOf(beforeFrom, id), []);
  });

  it("flags ENV fed from a build arg (also in stages built FROM it), not ENV constants", () => {
    const fed = "FROM node:22 AS base\nARG GIT_SHA\nENV GIT_SHA=$GIT_SHA\nFROM base\nRUN npm ci\n";
    const findings = findingsOf(fed, id);
    assert.deepEqual(findings.map((finding) => finding.line), [3]);
    assert.match(findings[0]?.message ?? "", /ENV GIT_SHA/);
    assert.deepEqual(linesOf("FROM node:22\nENV VERSION=1.2.3\nRUN npm ci\n", id), []);
  });

  it("treats an unused CACHEBUST as deliberate, and one used later as misplaced", () => {
    assert.deepEqual(linesOf("FROM debian\nARG CACHEBUST=1\nRUN apt-get update && apt-get install -y curl\n", id), []);
    assert.deepEqual(linesOf("FROM debian\nARG CACHEBUST=1\nRUN apt-get update && apt-get install -y git\nRUN echo $CACHEBUST && git clone https://example.com/repo.git\n", id), [2]);
  });

  it("leaves builds that may read the variable from the environment alone", () => {
    assert.deepEqual(linesOf("FROM node:22\nARG GIT_SHA\nCOPY . .\nRUN npm run build\n", id), []);
    assert.deepEqual(linesOf("FROM rust:1\nARG GIT_SHA\nCOPY . .\nRUN cargo build --release\n", id), []);
  });
});
