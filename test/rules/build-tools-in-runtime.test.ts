import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "build-tools-in-runtime";

describe(id, () => {
  it("flags compilers and headers installed in a single-stage image, naming them, with one estimate", () => {
    const dockerfile = [
      "FROM python:3.12-slim",
      "RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \\",
      "    && rm -rf /var/lib/apt/lists/*",
      "RUN apt-get install -y make",
      "CMD [\"python\", \"app.py\"]",
    ].join("\n");
    const findings = findingsOf(dockerfile, id);
    assert.deepEqual(findings.map((finding) => [finding.line, finding.endLine]), [[2, 3], [4, undefined]]);
    assert.match(findings[0]?.message ?? "", /apt-get install installs build tools gcc and libpq-dev; this single-stage build/);
    assert.match(findings[0]?.message ?? "", /libpq5 for libpq-dev/);
    assert.equal(findings[0]?.estimatedSavingMB, 250);
    assert.equal(findings[1]?.estimatedSavingMB, undefined);
  });

  it("ignores build stages that do not reach the final image", () => {
    const dockerfile = ["FROM python:3.12-slim AS build", "RUN apt-get install -y build-essential", "RUN pip wheel -w /wheels -r requirements.txt", "FROM python:3.12-slim", "COPY --from=build /wheels /wheels"].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), []);
  });

  it("flags a stage the final stage builds FROM", () => {
    const dockerfile = ["FROM debian:bookworm-slim AS base", "RUN apt-get install -y build-essential", "FROM base", "CMD [\"/app\"]"].join("\n");
    const [finding] = findingsOf(dockerfile, id);
    assert.equal(finding?.line, 2);
    assert.match(finding?.message ?? "", /stage base reaches the final image/);
  });

  it("accepts tools removed again in the same RUN: apk --virtual, apt-get purge, apt-mark auto", () => {
    const apk = "FROM python:3.12-alpine\nRUN apk add --no-cache --virtual .build-deps gcc musl-dev && pip install psycopg2 && apk del .build-deps\n";
    const purge = "FROM debian:bookworm-slim\nRUN apt-get install -y gcc make && make -C /src && apt-get purge -y --auto-remove gcc make\n";
    const markAuto = "FROM debian:bookworm-slim\nRUN savedAptMark=\"$(apt-mark showmanual)\"; apt-get install -y gcc; make; apt-mark auto '.*' > /dev/null; apt-mark manual $savedAptMark; apt-get purge -y --auto-remove\n";
    assert.deepEqual(linesOf(apk, id), []);
    assert.deepEqual(linesOf(purge, id), []);
    assert.deepEqual(linesOf(markAuto, id), []);
  });

  it("still flags tools removed in a later RUN (the earlier layer keeps them)", () => {
    assert.deepEqual(linesOf("FROM debian:bookworm-slim\nRUN apt-get install -y gcc\nRUN apt-get purge -y gcc\n", id), [2]);
  });

  it("expands package lists kept in variables and handles apk, yum groups and sh -c", () => {
    const variable = "FROM debian:bookworm-slim\nENV BUILD_DEPS=\"g++ cmake\"\nRUN apt-get install -y $BUILD_DEPS\n";
    assert.match(findingsOf(variable, id)[0]?.message ?? "", /g\+\+ and cmake/);
    assert.deepEqual(linesOf("FROM alpine:3.20\nRUN apk add build-base\n", id), [2]);
    assert.match(findingsOf('FROM rockylinux:9\nRUN yum groupinstall -y "Development Tools"\n', id)[0]?.message ?? "", /group "Development Tools"/);
    assert.deepEqual(linesOf("FROM debian:bookworm-slim\nRUN sh -c 'apt-get install -y clang-16'\n", id), [2]);
  });

  it("does not count runtime packages, and counts git only next to build tools", () => {
    assert.deepEqual(linesOf("FROM debian:bookworm-slim\nRUN apt-get install -y curl ca-certificates libpq5 git openjdk-17-jre-headless\n", id), []);
    assert.match(findingsOf("FROM debian:bookworm-slim\nRUN apt-get install -y git gcc\n", id)[0]?.message ?? "", /gcc and git/);
  });

  it("does not count a tool the container runs", () => {
    assert.deepEqual(linesOf('FROM debian:bookworm-slim\nRUN apt-get install -y make\nCMD ["make", "serve"]\n', id), []);
    assert.deepEqual(linesOf('FROM debian:bookworm-slim\nRUN apt-get install -y make gcc\nCMD ["make", "serve"]\n', id), [2]);
  });

  it("gives no estimate when the base image already ships a compiler", () => {
    const [finding] = findingsOf("FROM node:22\nRUN apt-get install -y g++ make\n", id);
    assert.equal(finding?.line, 2);
    assert.equal(finding?.estimatedSavingMB, undefined);
  });

  it("skips development and CI Dockerfiles", () => {
    assert.deepEqual(linesOf({ "Dockerfile.dev": "FROM debian:bookworm\nRUN apt-get install -y gcc\n" }, id), []);
    assert.deepEqual(linesOf({ ".devcontainer/Dockerfile": "FROM debian:bookworm\nRUN apt-get install -y gcc\n" }, id), []);
  });
});
