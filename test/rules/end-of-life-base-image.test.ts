import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "end-of-life-base-image";

function messageFor(image: string): string {
  return findingsOf(`FROM ${image}\n`, id)[0]?.message ?? "";
}

describe(id, () => {
  it("flags old toolchain and database images: gcc:6, postgres:9.6, mongo:4.4, mysql:5.7", () => {
    assert.match(messageFor("gcc:6"), /GCC 6 reached end of life on 2018-10-26/);
    assert.match(messageFor("gcc:12.3.0"), /GCC 12 reached end of life on 2025-07-11/);
    assert.equal(messageFor("gcc:14"), "");
    assert.match(messageFor("postgres:9.6-alpine"), /PostgreSQL 9 reached end of life on 2021-11-11/);
    assert.match(messageFor("postgres:13"), /PostgreSQL 13/);
    assert.equal(messageFor("postgres:17"), "");
    assert.match(messageFor("mongo:4.4"), /MongoDB 4\.4 reached end of life on 2024-02-29/);
    assert.match(messageFor("mysql:5.7"), /MySQL 5\.7 reached end of life in October 2023/);
    assert.equal(messageFor("mysql:8.4"), "");
  });

  it("flags runtimes past end of life with the date", () => {
    assert.match(messageFor("node:16-alpine"), /Node\.js 16 reached end of life on 2023-09-11/);
    assert.match(messageFor("node:18"), /Node\.js 18 reached end of life on 2025-04-30/);
    assert.match(messageFor("node:20-slim"), /Node\.js 20 reached end of life on 2026-04-30/);
    assert.match(messageFor("node:hydrogen"), /Node\.js 18/);
    assert.match(messageFor("python:3.9-slim"), /Python 3\.9 reached end of life on 2025-10-31/);
    assert.match(messageFor("python:3.10"), /Python 3\.10 reached end of life in October 2026/);
    assert.match(messageFor("python:3.4"), /Python 3\.4/);
    assert.match(messageFor("python:2"), /Python 2 reached end of life on 2020-01-01/);
    assert.match(messageFor("golang:1.22"), /Go 1\.22 reached end of life on 2025-02-11/);
    assert.match(messageFor("golang:1.25-alpine"), /Go 1\.25 reached end of life on 2026-08-19/);
    assert.match(messageFor("golang:1.12"), /Go 1\.12 reached end of life before/);
    assert.match(messageFor("ruby:3.2-slim"), /Ruby 3\.2/);
    assert.match(messageFor("php:8.1-fpm"), /PHP 8\.1 reached end of life on 2025-12-31/);
    assert.match(messageFor("php:7"), /PHP 7/);
    assert.match(messageFor("mcr.microsoft.com/dotnet/aspnet:8.0"), /\.NET 8\.0 reached end of life on 2026-11-10/);
    assert.match(messageFor("openjdk:17-jdk-slim"), /openjdk image was deprecated/);
  });

  it("flags distributions past end of life, also as a variant of another image", () => {
    assert.match(messageFor("debian:buster-slim"), /Debian 10 \(buster\) reached end of life on 2024-06-30/);
    assert.match(messageFor("debian:11"), /Debian 11 \(bullseye\) reached end of life on 2026-08-31/);
    assert.match(messageFor("ubuntu:18.04"), /Ubuntu 18\.04 \(bionic\)/);
    assert.match(messageFor("ubuntu:focal"), /Ubuntu 20\.04 \(focal\) reached end of life in May 2025/);
    assert.match(messageFor("alpine:3.19"), /Alpine 3\.19 reached end of life on 2025-11-01/);
    assert.match(messageFor("centos:7"), /CentOS Linux 7 reached end of life on 2024-06-30/);
    assert.match(messageFor("node:18-bullseye-slim"), /Node\.js 18 reached end of life on 2025-04-30 and Debian 11 \(bullseye\)/);
    assert.match(messageFor("python:3.13-alpine3.18"), /^python:3\.13-alpine3\.18: Alpine 3\.18 reached/);
  });

  it("accepts supported releases and floating tags", () => {
    for (const image of ["node:22", "node:24-alpine", "node:lts", "python:3.11", "python:3", "golang:1.26", "golang:1", "ruby:3.4", "php:8.3-apache", "php:8", "debian:bookworm", "debian:trixie-slim", "ubuntu:22.04", "ubuntu:24.04", "alpine:3.22", "alpine:latest", "openjdk:26-ea-slim", "eclipse-temurin:21-jre-noble", "mcr.microsoft.com/dotnet/aspnet:10.0", "bitnami/node:16"]) {
      assert.deepEqual(linesOf(`FROM ${image}\n`, id), [], image);
    }
  });

  it("reports build stages too, saying what is at stake there, and resolves ARG defaults", () => {
    const dockerfile = "ARG GO_VERSION=1.21\nFROM golang:${GO_VERSION} AS build\nRUN go build -o /app .\nFROM gcr.io/distroless/static-debian12\nCOPY --from=build /app /app\n";
    const [finding] = findingsOf(dockerfile, id);
    assert.equal(finding?.line, 2);
    assert.match(finding?.message ?? "", /golang:1\.21: Go 1\.21 reached end of life on 2024-08-13.*a build stage, but its standard library is compiled into the binary/);
    assert.match(findingsOf("FROM node:16 AS build\nRUN npm run build\nFROM nginx:1.27-alpine\n", id)[0]?.message ?? "", /a build stage: it does not ship/);
  });
});
