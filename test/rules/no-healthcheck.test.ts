import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "no-healthcheck";

describe(id, () => {
  it("flags a final image that exposes a port without HEALTHCHECK, on the final FROM line", () => {
    const dockerfile = "FROM node:22 AS build\nRUN npm run build\nFROM node:22-slim\nEXPOSE 3000\nCMD [\"node\", \"dist/main.js\"]\n";
    const [finding] = findingsOf(dockerfile, id);
    assert.equal(finding?.line, 3);
    assert.match(finding?.message ?? "", /runs a service \(EXPOSE 3000\) but declares no HEALTHCHECK/);
  });

  it("flags server commands and server base images without EXPOSE", () => {
    assert.match(findingsOf('FROM python:3.12-slim\nCMD ["gunicorn", "app:app"]\n', id)[0]?.message ?? "", /runs gunicorn/);
    assert.match(findingsOf("FROM nginx:1.27-alpine\nCOPY dist /usr/share/nginx/html\n", id)[0]?.message ?? "", /runs nginx \(from nginx:1\.27-alpine\)/);
  });

  it("accepts HEALTHCHECK (NONE included), inherited through FROM <stage>", () => {
    assert.deepEqual(linesOf("FROM node:22-slim\nEXPOSE 3000\nHEALTHCHECK CMD node healthcheck.js\n", id), []);
    assert.deepEqual(linesOf("FROM node:22-slim\nEXPOSE 3000\nHEALTHCHECK NONE\n", id), []);
    assert.deepEqual(linesOf("FROM node:22-slim AS base\nHEALTHCHECK CMD node healthcheck.js\nFROM base\nEXPOSE 3000\n", id), []);
  });

  // A fragment without FROM is no longer audited at all: it is a per-file error (test/cli.test.ts).
  it("ignores images that are not services and build stages", () => {
    assert.deepEqual(linesOf('FROM node:22-slim\nCMD ["node", "dist/worker.js"]\n', id), []);
    assert.deepEqual(linesOf("FROM node:22 AS build\nEXPOSE 3000\nFROM node:22-slim\nCMD [\"node\", \"cli.js\"]\n", id), []);
  });

  it("accepts a service whose compose file defines the healthcheck", () => {
    const files = {
      "api/Dockerfile": "FROM node:22-slim\nEXPOSE 3000\n",
      "docker-compose.yml": "services:\n  api:\n    build: ./api\n    healthcheck:\n      test: [\"CMD\", \"node\", \"healthcheck.js\"]\n",
    };
    assert.deepEqual(linesOf(files, id, "api/Dockerfile"), []);
  });

  it("honours # hadolint ignore=DL3057", () => {
    assert.deepEqual(linesOf("# api image\n# hadolint global ignore=DL3057\nFROM node:22-slim\nEXPOSE 3000\n", id), []);
  });
});
