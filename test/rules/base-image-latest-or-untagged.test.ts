import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "base-image-latest-or-untagged";

describe(id, () => {
  it("flags untagged and latest images in every stage", () => {
    const dockerfile = ["FROM node AS build", "FROM nginx:latest", "FROM ghcr.io/acme/base", "FROM node:22-slim"].join("\n");
    const findings = findingsOf(dockerfile, id);
    assert.deepEqual(findings.map((finding) => finding.line), [1, 2, 3]);
    assert.match(findings[0]?.message ?? "", /^node has no tag, so it means :latest/);
    assert.match(findings[1]?.message ?? "", /^nginx:latest uses the latest tag/);
  });

  it("ignores scratch, stage references, digests and unresolved variables", () => {
    const dockerfile = ["ARG BASE", "FROM scratch AS empty", "FROM node:22 AS build", "FROM build", "FROM node@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "FROM ${BASE}"].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), []);
  });

  it("reports an ARG that resolves to latest, saying so", () => {
    const [finding] = findingsOf("ARG TAG=latest\nFROM python:${TAG}\n", id);
    assert.equal(finding?.line, 2);
    assert.match(finding?.message ?? "", /python:\$\{TAG\} resolves to python:latest/);
    assert.deepEqual(linesOf("ARG TAG=3.12-slim\nFROM python:${TAG}\n", id), []);
  });

  it("honours # hadolint ignore=DL3007 and DL3006", () => {
    assert.deepEqual(linesOf("FROM node:22 AS first\n# hadolint ignore=DL3007\nFROM nginx:latest\n# hadolint ignore=DL3006\nFROM node\n", id), []);
  });
});
