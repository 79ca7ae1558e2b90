import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "base-image-no-digest";

describe(id, () => {
  it("flags every external FROM without a digest, at low impact", () => {
    const dockerfile = ["FROM golang:1.26 AS build", "FROM gcr.io/distroless/static-debian12:nonroot"].join("\n");
    const findings = findingsOf(dockerfile, id);
    assert.deepEqual(findings.map((finding) => finding.line), [1, 2]);
    assert.equal(findings[0]?.impact, "low");
    assert.match(findings[1]?.message ?? "", /gcr\.io\/distroless\/static-debian12:nonroot is not pinned by digest/);
  });

  it("ignores digests (also from ARG defaults), scratch, stage references and unresolved variables", () => {
    const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    const dockerfile = [`ARG NODE=node:22-slim@${digest}`, "ARG BASE", `FROM node:22@${digest} AS build`, "FROM build", "FROM scratch", "FROM ${NODE}", "FROM ${BASE}"].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), []);
  });
});
