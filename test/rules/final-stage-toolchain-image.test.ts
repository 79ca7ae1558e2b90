import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "final-stage-toolchain-image";

describe(id, () => {
  it("flags toolchain images in the final stage with a runtime suggestion and the estimate", () => {
    // The estimate is the toolchain image's size (its tag's variant) minus its runtime image's (docs/estimates.md).
    const cases: [string, RegExp, number][] = [
      ["golang:1.26", /distroless\/static/, 820 - 2],
      ["rust:1.90-slim", /distroless\/cc/, 800 - 23],
      ["maven:3.9-eclipse-temurin-21", /eclipse-temurin:<version>-jre/, 560 - 260],
      ["eclipse-temurin:21-jdk", /-jre/, 450 - 260],
      ["openjdk:17", /-jre/, 470 - 260],
      ["mcr.microsoft.com/dotnet/sdk:10.0", /mcr\.microsoft\.com\/dotnet\/aspnet:10\.0/, 600],
      ["buildpack-deps:bookworm", /debian:bookworm-slim/, 700 - 74],
    ];
    for (const [image, runtime, saving] of cases) {
      const [finding] = findingsOf(`FROM ${image}\nCOPY app /app\n`, id);
      assert.match(finding?.message ?? "", runtime, image);
      assert.equal(finding?.estimatedSavingMB, saving, image);
    }
  });

  it("ignores runtime images and build stages", () => {
    for (const image of ["eclipse-temurin:21-jre", "mcr.microsoft.com/dotnet/aspnet:10.0", "gcr.io/distroless/static-debian12", "debian:bookworm-slim", "buildpack-deps:bookworm-curl", "node:22"]) {
      assert.deepEqual(linesOf(`FROM ${image}\n`, id), [], image);
    }
    assert.deepEqual(linesOf("FROM golang:1.26 AS build\nRUN go build -o /app .\nFROM gcr.io/distroless/static-debian12\nCOPY --from=build /app /app\n", id), []);
  });

  it("reports the FROM the final stage's chain starts at, with ARG defaults resolved", () => {
    assert.deepEqual(linesOf("ARG GO=1.26\nFROM golang:${GO} AS build\nRUN go build -o /app .\nFROM build\n", id), [2]);
  });

  it("skips builder and test Dockerfiles, which are meant to carry a toolchain", () => {
    assert.deepEqual(linesOf({ "Dockerfile.build": "FROM golang:1.26\n", "test.Dockerfile": "FROM golang:1.26\n" }, id), []);
  });
});
