import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyEdits } from "../../src/fix/apply.ts";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "npm-install-with-lockfile";
const npmProject = { "package.json": '{"name":"app"}', "package-lock.json": "{}" };

describe(id, () => {
  it("flags npm install / npm i without packages when the lockfile is copied in", () => {
    const dockerfile = [
      "FROM node:22-slim",
      "WORKDIR /app",
      "COPY package*.json ./",
      "RUN npm install",
      "RUN npm i --omit dev --no-audit",
      "RUN npm ci",
      "RUN npm install express",
      "RUN npm install -g pm2",
      "RUN npm install --no-package-lock",
    ].join("\n");
    assert.deepEqual(linesOf({ Dockerfile: dockerfile, ...npmProject }, id), [4, 5]);
  });

  it("says nothing without a lockfile in the build context, or when .dockerignore excludes it", () => {
    const dockerfile = "FROM node:22-slim\nCOPY . .\nRUN npm install\n";
    assert.deepEqual(linesOf({ Dockerfile: dockerfile, "package.json": "{}" }, id), []);
    assert.deepEqual(linesOf({ Dockerfile: dockerfile, ...npmProject, ".dockerignore": "package-lock.json\n" }, id), []);
  });

  it("leaves a lockfile that is not copied to lockfile-not-copied", () => {
    const dockerfile = "FROM node:22-slim\nCOPY package.json ./\nRUN npm install\n";
    assert.deepEqual(linesOf({ Dockerfile: dockerfile, ...npmProject }, id), []);
  });

  it("ignores lockfiles of other packages of a monorepo", () => {
    const dockerfile = "FROM node:22-slim\nCOPY services/api/package.json ./\nRUN npm install\n";
    const files = { Dockerfile: dockerfile, "services/api/package.json": "{}", "services/web/package.json": "{}", "services/web/package-lock.json": "{}" };
    assert.deepEqual(linesOf(files, id), []);
  });

  it("counts a lockfile brought in by a bind mount", () => {
    const dockerfile = "FROM node:22-slim\nRUN --mount=type=bind,source=package.json,target=package.json --mount=type=bind,source=package-lock.json,target=package-lock.json npm install\n";
    assert.deepEqual(linesOf({ Dockerfile: dockerfile, ...npmProject }, id), [2]);
  });

  it("checks build stages too: reproducibility is not about the final image", () => {
    const dockerfile = "FROM node:22 AS build\nCOPY . .\nRUN npm install && npm run build\nFROM nginx:alpine\nCOPY --from=build /dist /usr/share/nginx/html\n";
    assert.deepEqual(linesOf({ Dockerfile: dockerfile, ...npmProject }, id), [3]);
  });

  it("fixes npm install to npm ci, keeping flags and formatting", () => {
    const dockerfile = "FROM node:22-slim\nCOPY . .\nRUN npm config set fund false && \\\n    npm install --no-audit  # deps\n";
    const [finding] = findingsOf({ Dockerfile: dockerfile, ...npmProject }, id);
    assert.ok(finding?.fix);
    const fixed = applyEdits(dockerfile, finding.fix);
    assert.equal(fixed, "FROM node:22-slim\nCOPY . .\nRUN npm config set fund false && \\\n    npm ci --no-audit  # deps\n");
    assert.deepEqual(linesOf({ Dockerfile: fixed, ...npmProject }, id), []);
  });

  it("flags yarn install without a frozen lockfile, naming the right flag for Yarn 2+", () => {
    const dockerfile = "FROM node:22-slim\nCOPY . .\nRUN yarn install\nRUN yarn\nRUN yarn install --frozen-lockfile\nRUN yarn install --immutable\nRUN yarn add lodash\n";
    const classic = findingsOf({ Dockerfile: dockerfile, "package.json": "{}", "yarn.lock": "" }, id);
    assert.deepEqual(classic.map((finding) => finding.line), [3, 4]);
    assert.match(classic[0]?.message ?? "", /--frozen-lockfile \(Yarn 1\) or --immutable/);
    assert.equal(classic[0]?.fix, undefined);
    const berry = findingsOf({ Dockerfile: dockerfile, "package.json": '{"packageManager": "yarn@4.1.0"}', "yarn.lock": "" }, id);
    assert.match(berry[0]?.message ?? "", /without --immutable may/);
  });

  it("flags pnpm install without --frozen-lockfile unless CI is set", () => {
    const files = { "package.json": "{}", "pnpm-lock.yaml": "" };
    const dockerfile = "FROM node:22-slim\nCOPY . .\nRUN pnpm install\nRUN pnpm i --frozen-lockfile\nRUN pnpm install --no-frozen-lockfile\n";
    const findings = findingsOf({ Dockerfile: dockerfile, ...files }, id);
    assert.deepEqual(findings.map((finding) => finding.line), [3]);
    assert.match(findings[0]?.message ?? "", /only freezes the lockfile by default when CI is set/);
    assert.deepEqual(linesOf({ Dockerfile: "FROM node:22-slim\nENV CI=true\nCOPY . .\nRUN pnpm install\n", ...files }, id), []);
  });
});
