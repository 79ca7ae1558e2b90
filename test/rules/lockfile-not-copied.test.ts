import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyEdits } from "../../src/fix/apply.ts";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "lockfile-not-copied";

describe(id, () => {
  it("flags a manifest copied without the lockfile that exists next to it in the context", () => {
    const files = { Dockerfile: "FROM node:22\nWORKDIR /app\nCOPY package.json ./\nRUN npm install\nCOPY . .\n", "package.json": "{}", "package-lock.json": "{}" };
    const findings = findingsOf(files, id);
    assert.deepEqual(findings.map((finding) => finding.line), [3]);
    assert.match(findings[0]?.message ?? "", /COPY copies package\.json without package-lock\.json .* before `npm install` \(line 4\)/);
  });

  it("covers yarn, pnpm, poetry, uv, pipenv, go, cargo, bundler and composer lockfiles", () => {
    const dockerfile = [
      "FROM node:22 AS yarn",
      "COPY package.json ./",
      "RUN yarn install",
      "FROM python:3.12 AS poetry",
      "COPY pyproject.toml ./",
      "RUN poetry install --no-root",
      "FROM golang:1.22 AS go",
      "COPY go.mod ./",
      "RUN go mod download",
      "FROM rust:1 AS cargo",
      "COPY Cargo.toml ./",
      "RUN cargo fetch",
    ].join("\n");
    const files = { Dockerfile: dockerfile, "package.json": "{}", "yarn.lock": "x", "pyproject.toml": "x", "poetry.lock": "x", "go.mod": "module x\n", "go.sum": "x", "Cargo.toml": "x", "Cargo.lock": "x" };
    assert.deepEqual(linesOf(files, id), [2, 5, 8, 11]);
  });

  it("is silent when the lockfile is copied too (also by a glob, a later COPY before the install, or a directory)", () => {
    const base = { "package.json": "{}", "package-lock.json": "{}", "web/package.json": "{}", "web/package-lock.json": "{}" };
    const glob = { ...base, Dockerfile: "FROM node:22\nCOPY package*.json ./\nRUN npm ci\n" };
    assert.deepEqual(linesOf(glob, id), []);
    const split = { ...base, Dockerfile: "FROM node:22\nCOPY package.json ./\nCOPY package-lock.json ./\nRUN npm ci\n" };
    assert.deepEqual(linesOf(split, id), []);
    const directory = { ...base, Dockerfile: "FROM node:22\nCOPY web/ ./\nRUN npm ci\n" };
    assert.deepEqual(linesOf(directory, id), []);
  });

  it("is silent without a lockfile in the context, when it is .dockerignored, or when no install of that manager follows", () => {
    assert.deepEqual(linesOf({ Dockerfile: "FROM node:22\nCOPY package.json ./\nRUN npm install\n", "package.json": "{}" }, id), []);
    const ignored = { Dockerfile: "FROM node:22\nCOPY package.json ./\nRUN npm install\n", "package.json": "{}", "package-lock.json": "{}", ".dockerignore": "package-lock.json\n" };
    assert.deepEqual(linesOf(ignored, id), []);
    const otherManager = { Dockerfile: "FROM node:22\nCOPY package.json ./\nRUN npm install\n", "package.json": "{}", "yarn.lock": "x" };
    assert.deepEqual(linesOf(otherManager, id), []);
    const noInstall = { Dockerfile: "FROM node:22\nCOPY package.json ./\nRUN node -e 1\n", "package.json": "{}", "package-lock.json": "{}" };
    assert.deepEqual(linesOf(noInstall, id), []);
  });

  it("matches the lockfile in the manifest's own directory", () => {
    const files = { Dockerfile: "FROM node:22\nCOPY web/package.json ./\nRUN npm install\n", "web/package.json": "{}", "web/package-lock.json": "{}", "package-lock.json": "{}" };
    const [finding] = findingsOf(files, id);
    assert.match(finding?.message ?? "", /without web\/package-lock\.json/);
    assert.ok(finding?.fix);
    assert.equal(applyEdits(files.Dockerfile, finding.fix), "FROM node:22\nCOPY web/package.json web/package-lock.json ./\nRUN npm install\n");
  });

  it("fixes by adding the lockfile next to the manifest, turning a bare . destination into ./", () => {
    const dockerfile = "FROM golang:1.22\nWORKDIR /src\nCOPY go.mod .\nRUN go mod download\n";
    const files = { Dockerfile: dockerfile, "go.mod": "module x\n", "go.sum": "x" };
    const [finding] = findingsOf(files, id);
    assert.ok(finding?.fix);
    const fixed = applyEdits(dockerfile, finding.fix);
    assert.equal(fixed, "FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\n");
    assert.deepEqual(linesOf({ ...files, Dockerfile: fixed }, id), []);
    // A file destination cannot take a second source.
    const fileDestination = { ...files, Dockerfile: "FROM golang:1.22\nCOPY go.mod /src/go.mod\nRUN cd /src && go mod download\n" };
    assert.equal(findingsOf(fileDestination, id)[0]?.fix, undefined);
  });
});
