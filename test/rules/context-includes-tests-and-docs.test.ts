import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "context-includes-tests-and-docs";

describe(id, () => {
  it("flags test and docs directories that COPY . . puts in the final image", () => {
    const files = {
      Dockerfile: "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\n",
      "requirements.txt": "flask\n",
      "tests/test_api.py": 20_000,
      "tests/fixtures/big.json": 3_000_000,
      "docs/index.md": 5_000,
      "app/__tests__/x.test.js": 1_000,
      "app/main.py": 1_000,
      "README.md": 2_000,
    };
    const [finding, ...rest] = findingsOf(files, id);
    assert.equal(rest.length, 0);
    assert.equal(finding?.line, 5);
    assert.match(finding?.message ?? "", /COPY \. \. copies tests\/ \(3\.02 MB\), docs\/ \(5 kB\) and app\/__tests__\/ \(1 kB\) into the image \(3\.03 MB in all\)/);
    assert.doesNotMatch(finding?.message ?? "", /README/);
  });

  it("does not fire for a build stage that does not ship", () => {
    const files = {
      Dockerfile: "FROM node:22 AS build\nWORKDIR /app\nCOPY . .\nRUN npm test && npm run build\nFROM node:22-slim\nCOPY --from=build /app/dist /app/dist\n",
      "test/a.test.js": 10,
    };
    assert.deepEqual(linesOf(files, id), []);
  });

  it("fires for a shipped base stage the final stage builds on", () => {
    const files = { Dockerfile: "FROM node:22-slim AS base\nCOPY . /app\nFROM base\nCMD [\"node\", \"/app/server.js\"]\n", "test/a.test.js": 10 };
    assert.deepEqual(linesOf(files, id), [2]);
  });

  it("respects .dockerignore and explicit copies", () => {
    const ignored = { Dockerfile: "FROM alpine\nCOPY . /app\n", ".dockerignore": "tests\ndocs\n", "tests/a.py": 10, "docs/a.md": 10 };
    assert.deepEqual(linesOf(ignored, id), []);
    const served = { Dockerfile: "FROM nginx:alpine\nCOPY docs/ /usr/share/nginx/html/\n", "docs/index.html": 10 };
    assert.deepEqual(linesOf(served, id), []);
  });

  it("counts spec/ only when it holds spec files (an API spec is runtime data)", () => {
    const openapi = { Dockerfile: "FROM ruby:3.3\nCOPY . /app\n", "spec/openapi.yaml": 10 };
    assert.deepEqual(linesOf(openapi, id), []);
    const rspec = { Dockerfile: "FROM ruby:3.3\nCOPY . /app\n", "spec/models/user_spec.rb": 10, "spec/spec_helper.rb": 10 };
    assert.match(findingsOf(rspec, id)[0]?.message ?? "", /copies spec\/ \(20 B\)/);
  });

  it("ignores tests inside dependencies", () => {
    const files = { Dockerfile: "FROM node:22\nCOPY . .\n", "node_modules/pkg/test/a.js": 10 };
    assert.deepEqual(linesOf(files, id), []);
  });
});
