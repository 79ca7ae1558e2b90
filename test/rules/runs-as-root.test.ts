import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "runs-as-root";

describe(id, () => {
  it("flags a final image without USER on its final FROM line, with a base-specific suggestion", () => {
    const [node] = findingsOf("FROM node:22 AS build\nUSER node\nFROM node:22-slim\nCOPY . .\nCMD [\"node\", \"server.js\"]\n", id);
    assert.equal(node?.line, 3);
    assert.match(node?.message ?? "", /sets no USER, so it runs as root \(node:22-slim defaults to root\): add `USER node`/);
    assert.match(findingsOf("FROM gcr.io/distroless/static-debian12\n", id)[0]?.message ?? "", /:nonroot tag/);
    assert.match(findingsOf("FROM scratch\nCOPY app /app\n", id)[0]?.message ?? "", /FROM scratch/);
  });

  it("flags a last USER root, also through variables and uid 0", () => {
    assert.deepEqual(linesOf("FROM debian:bookworm-slim\nUSER app\nRUN id\nUSER root\n", id), [4]);
    assert.deepEqual(linesOf("FROM debian:bookworm-slim\nUSER 0:0\n", id), [2]);
    const [viaArg] = findingsOf("FROM debian:bookworm-slim\nARG RUN_AS=root\nUSER ${RUN_AS}\n", id);
    assert.match(viaArg?.message ?? "", /the last USER is \$\{RUN_AS\} \(root\)/);
  });

  it("accepts a non-root USER, inherited through FROM <stage> too", () => {
    assert.deepEqual(linesOf("FROM debian:bookworm-slim\nRUN useradd app\nUSER app\n", id), []);
    assert.deepEqual(linesOf("FROM node:22-slim AS base\nUSER node\nFROM base\nCMD [\"node\", \"server.js\"]\n", id), []);
    assert.deepEqual(linesOf("ARG UID\nFROM debian:bookworm-slim\nARG UID\nUSER ${UID}\n", id), []);
  });

  it("accepts base images that default to a non-root user and entrypoints that drop privileges", () => {
    for (const base of ["gcr.io/distroless/static-debian12:nonroot", "cgr.dev/chainguard/node:latest", "mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled", "nginxinc/nginx-unprivileged:1.27"]) {
      assert.deepEqual(linesOf(`FROM ${base}\n`, id), [], base);
    }
    assert.deepEqual(linesOf("FROM cgr.dev/chainguard/node:latest-dev\n", id), [1]);
    assert.deepEqual(linesOf('FROM debian:bookworm-slim\nENTRYPOINT ["gosu", "app", "/app"]\n', id), []);
    assert.deepEqual(linesOf("FROM alpine:3.22\nCMD su-exec app /app\n", id), []);
  });

  it("honours # hadolint ignore=DL3002 and skips development Dockerfiles", () => {
    assert.deepEqual(linesOf("FROM debian:bookworm-slim\n# hadolint ignore=DL3002\nUSER root\n", id), []);
    assert.deepEqual(linesOf({ "Dockerfile.dev": "FROM node:22\n" }, id), []);
  });
});
