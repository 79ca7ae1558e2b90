import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "copy-from-whole-filesystem";

describe(id, () => {
  it("flags copying / or /usr of a stage or image into the final stage", () => {
    const dockerfile = [
      "FROM node:22 AS build",
      "RUN npm ci && npm run build",
      "FROM node:22-slim",
      "COPY --from=build / /",
      "COPY --from=build /usr/ /usr/",
      "COPY --from=python:3.12 / /opt/python",
      "COPY --from=build /app/dist /app/dist",
    ].join("\n");
    const findings = findingsOf(dockerfile, id);
    assert.deepEqual(findings.map((finding) => finding.line), [4, 5, 6]);
    assert.match(findings[0]?.message ?? "", /COPY --from=build \/ copies the whole filesystem of stage build/);
    assert.equal(findings[0]?.estimatedSavingMB, 1100);
    assert.match(findings[1]?.message ?? "", /\/usr tree/);
    assert.equal(findings[1]?.estimatedSavingMB, undefined);
    assert.match(findings[2]?.message ?? "", /image python:3\.12/);
    assert.equal(findings[2]?.estimatedSavingMB, 1000);
  });

  it("treats a relative `.` source as the source's root", () => {
    assert.match(findingsOf("FROM debian:bookworm AS tools\nFROM debian:bookworm-slim\nCOPY --from=tools . /opt/tools\n", id)[0]?.message ?? "", /COPY --from=tools \. copies the whole filesystem/);
  });

  it("accepts copying the root of an export stage FROM scratch", () => {
    const dockerfile = ["FROM golang:1.26 AS build", "RUN go build -o /out/app .", "FROM scratch AS export", "COPY --from=build /out/app /app", "FROM gcr.io/distroless/static-debian12", "COPY --from=export / /"].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), []);
  });

  it("accepts flattening a runtime stage into FROM scratch, unless it is a toolchain or full image", () => {
    const squash = ["FROM debian:bookworm-slim AS runtime", "RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*", "FROM scratch", "COPY --from=runtime / /"].join("\n");
    assert.deepEqual(linesOf(squash, id), []);
    const toolchain = ["FROM golang:1.26 AS build", "RUN go build -o /app .", "FROM scratch", "COPY --from=build / /"].join("\n");
    assert.deepEqual(linesOf(toolchain, id), [4]);
  });

  it("accepts copying a small tools image whole; official OS and runtime images still count", () => {
    const tools = ["FROM debian:bookworm-slim", "COPY --from=tonistiigi/xx / /", "COPY --from=tianon/gosu:1.17 / /", "COPY --from=ghcr.io/example/tools:1 /usr /usr"].join("\n");
    assert.deepEqual(linesOf(tools, id), []);
    assert.deepEqual(linesOf("FROM debian:bookworm-slim\nCOPY --from=ubuntu:24.04 / /\nCOPY --from=node:22-slim /usr /usr\n", id), [2, 3]);
  });

  it("ignores build stages and variable sources", () => {
    assert.deepEqual(linesOf("FROM debian AS a\nFROM debian AS b\nCOPY --from=a / /\nFROM debian\nCOPY --from=b /etc/passwd /etc/passwd\n", id), []);
    assert.deepEqual(linesOf("ARG SRC=build\nFROM debian AS build\nFROM debian\nCOPY --from=${SRC} / /\n", id), []);
  });
});
