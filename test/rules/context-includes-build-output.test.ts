import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "context-includes-build-output";

describe(id, () => {
  it("flags dist next to package.json, .next, coverage and logs taken by COPY . .", () => {
    const files = {
      Dockerfile: "FROM node:22-slim\nWORKDIR /app\nCOPY . .\nRUN npm run build\n",
      "package.json": "{}",
      "dist/main.js": 300_000,
      ".next/cache/x": 2_000_000,
      "coverage/lcov.info": 50_000,
      "npm-debug.log": 1_000,
    };
    const [finding, ...rest] = findingsOf(files, id);
    assert.equal(rest.length, 0);
    assert.equal(finding?.line, 3);
    assert.match(finding?.message ?? "", /\.next\/ \(2 MB\), dist\/ \(300 kB\), coverage\/ \(50 kB\) and npm-debug\.log \(1 kB\)/);
    assert.match(finding?.message ?? "", /misses the cache/);
  });

  it("does not take build/ or out/ for output without a build manifest beside them", () => {
    const files = { Dockerfile: "FROM golang:1.22\nCOPY . .\n", "go.mod": "module x\n", "build/package/nfpm.yaml": 10, "out/README": 10 };
    assert.deepEqual(linesOf(files, id), []);
  });

  it("respects .dockerignore", () => {
    const files = { Dockerfile: "FROM node:22\nCOPY . .\n", ".dockerignore": "dist\n*.log\n", "package.json": "{}", "dist/a.js": 10, "debug.log": 10 };
    assert.deepEqual(linesOf(files, id), []);
  });

  it("leaves output the Dockerfile copies by name: prebuilt artifacts are the point", () => {
    const files = { Dockerfile: "FROM nginx:alpine\nCOPY dist/ /usr/share/nginx/html/\n", "package.json": "{}", "dist/index.html": 10 };
    assert.deepEqual(linesOf(files, id), []);
    const both = { Dockerfile: "FROM nginx:alpine\nCOPY . /src\nCOPY dist/ /usr/share/nginx/html/\n", "package.json": "{}", "dist/index.html": 10 };
    assert.deepEqual(linesOf(both, id), []);
  });

  it("ignores caches inside node_modules (context-includes-dependencies reports those)", () => {
    const files = { Dockerfile: "FROM node:22\nCOPY . .\n", "node_modules/.cache/babel/x": 10, "node_modules/pkg/dist/x.js": 10, "node_modules/pkg/package.json": 10 };
    assert.deepEqual(linesOf(files, id), []);
  });

  it("finds output of a nested package under a copied directory", () => {
    const files = { Dockerfile: "FROM node:22\nCOPY package.json ./\nCOPY apps/ ./apps/\n", "package.json": "{}", "apps/web/package.json": "{}", "apps/web/dist/a.js": 10, "apps/web/.turbo/log": 10 };
    const [finding] = findingsOf(files, id);
    assert.equal(finding?.line, 3);
    assert.match(finding?.message ?? "", /apps\/web\/dist\//);
    assert.match(finding?.message ?? "", /apps\/web\/\.turbo\//);
  });

  it("honours COPY --exclude: the excluded paths are not in the layer or the cache key", () => {
    const files = { Dockerfile: "# syntax=docker/dockerfile:1.10\nFROM node:22\nCOPY --exclude=dist --exclude=**/*.log . .\n", "package.json": "{}", "dist/a.js": 10, "logs/app.log": 10, "coverage/x": 10 };
    const [finding, ...rest] = findingsOf(files, id);
    assert.equal(rest.length, 0);
    assert.match(finding?.message ?? "", /takes local build output from the build context: coverage\/ \(10 B\);/);
  });
});
