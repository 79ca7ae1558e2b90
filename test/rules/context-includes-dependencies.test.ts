import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "context-includes-dependencies";

describe(id, () => {
  it("flags host node_modules with sizes and warns about native modules", () => {
    const files = {
      Dockerfile: "FROM node:22-alpine\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n",
      "package.json": "{}",
      "node_modules/sharp/build/Release/sharp.node": 8_000_000,
      "node_modules/express/index.js": 2_000_000,
      "packages/ui/node_modules/react/index.js": 1_000_000,
    };
    const [finding, ...rest] = findingsOf(files, id);
    assert.equal(rest.length, 0);
    assert.equal(finding?.line, 5);
    assert.match(finding?.message ?? "", /node_modules\/ \(10 MB\) and packages\/ui\/node_modules\/ \(1 MB\), 11 MB in all/);
    assert.match(finding?.message ?? "", /native modules compiled on the host/);
  });

  it("respects .dockerignore, including **/ patterns", () => {
    const files = { Dockerfile: "FROM node:22\nCOPY . .\n", ".dockerignore": "**/node_modules\n", "node_modules/a.js": 10, "web/node_modules/b.js": 10 };
    assert.deepEqual(linesOf(files, id), []);
  });

  it("finds virtualenvs, vendor/bundle, .gradle, __pycache__ and .pnpm-store", () => {
    const files = {
      Dockerfile: "FROM ruby:3.3\nCOPY . /app\n",
      ".venv/lib/site.py": 60,
      "vendor/bundle/ruby/gem.rb": 50,
      "vendor/assets/app.js": 10,
      ".gradle/caches/x": 40,
      "app/__pycache__/m.pyc": 30,
      ".pnpm-store/v3/x": 20,
    };
    const [finding] = findingsOf(files, id);
    assert.match(finding?.message ?? "", /: \.venv\/ \(60 B\), vendor\/bundle\/ \(50 B\), \.gradle\/ \(40 B\), app\/__pycache__\/ \(30 B\) and 1 more, 200 B in all/);
    assert.doesNotMatch(finding?.message ?? "", /vendor\/assets/);
  });

  it("counts target/ only next to Cargo.toml or pom.xml", () => {
    const rust = { Dockerfile: "FROM rust:1.80\nCOPY . .\n", "Cargo.toml": 100, "target/release/app": 50_000_000 };
    assert.deepEqual(linesOf(rust, id), [2]);
    const terraform = { Dockerfile: "FROM alpine\nCOPY . .\n", "deploy/target/main.tf": 100 };
    assert.deepEqual(linesOf(terraform, id), []);
    const maven = { Dockerfile: "FROM maven:3\nCOPY . .\n", "api/pom.xml": 100, "api/target/app.jar": 100 };
    assert.match(findingsOf(maven, id)[0]?.message ?? "", /api\/target\//);
  });

  it("does not fire when the Dockerfile copies the dependencies on purpose or not at all", () => {
    const prebuilt = { Dockerfile: "FROM node:22-slim\nCOPY node_modules ./node_modules\nCOPY dist ./dist\n", "node_modules/a.js": 10, "dist/main.js": 10 };
    assert.deepEqual(linesOf(prebuilt, id), []);
    const narrow = { Dockerfile: "FROM node:22-slim\nCOPY package.json ./\nCOPY src ./src\n", "node_modules/a.js": 10 };
    assert.deepEqual(linesOf(narrow, id), []);
  });

  it("reports the COPY whose directory holds them, in any stage", () => {
    const files = {
      Dockerfile: "FROM node:22 AS build\nCOPY package.json ./\nCOPY web/ ./web/\nFROM nginx:alpine\nCOPY --from=build /web/dist /usr/share/nginx/html\n",
      "package.json": "{}",
      "web/node_modules/vite/index.js": 10,
    };
    assert.deepEqual(linesOf(files, id), [3]);
  });
});
