import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "final-stage-full-base";

describe(id, () => {
  it("flags full node, python, ruby and debian images with the matching slim tag and estimate", () => {
    const cases: [string, RegExp, number][] = [
      ["node:22", /use node:22-slim/, 860],
      ["node:22-bookworm", /use node:22-bookworm-slim/, 860],
      ["python:3.11", /use python:3.11-slim\b/, 850],
      ["python:3.12-bookworm", /use python:3.12-slim-bookworm/, 850],
      ["ruby:3.3", /use ruby:3.3-slim/, 680],
      ["debian:bookworm", /use debian:bookworm-slim/, 43],
      ["debian", /use debian:stable-slim/, 43],
      ["docker.io/library/node:22", /use docker.io\/library\/node:22-slim/, 860],
      ["openjdk:11-jre", /use openjdk:11-jre-slim/, 50],
    ];
    for (const [image, suggestion, saving] of cases) {
      const [finding] = findingsOf(`FROM ${image}\nCMD ["true"]\n`, id);
      assert.match(finding?.message ?? "", suggestion, image);
      assert.equal(finding?.estimatedSavingMB, saving, image);
    }
  });

  it("resolves ARG defaults in FROM", () => {
    const [finding] = findingsOf("ARG NODE_VERSION=20\nFROM node:${NODE_VERSION}\n", id);
    assert.equal(finding?.line, 2);
    assert.match(finding?.message ?? "", /based on node:20, .*use node:20-slim/);
  });

  it("ignores slim, alpine, distroless, unresolved and non-official images", () => {
    for (const image of ["openjdk:8-jre-alpine", "node:22-slim", "node:22-alpine", "python:3.12-slim-bookworm", "debian:bookworm-slim", "gcr.io/distroless/nodejs22-debian12", "bitnami/node:22", "${BASE}"]) {
      assert.deepEqual(linesOf(`FROM ${image}\n`, id), [], image);
    }
  });

  it("looks only at the image the final stage runs on, reported on the FROM that names it", () => {
    assert.deepEqual(linesOf("FROM node:22 AS build\nRUN npm run build\nFROM node:22-slim\nCOPY --from=build /app/dist ./dist\n", id), []);
    assert.deepEqual(linesOf("FROM python:3.12 AS base\nRUN pip install flask\nFROM base\nCMD [\"flask\", \"run\"]\n", id), [1]);
  });

  it("leaves toolchain images to final-stage-toolchain-image", () => {
    for (const image of ["golang:1.26", "openjdk:21", "maven:3.9", "buildpack-deps:bookworm"]) assert.deepEqual(linesOf(`FROM ${image}\n`, id), [], image);
  });
});
