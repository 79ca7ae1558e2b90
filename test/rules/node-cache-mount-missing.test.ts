import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyEdits } from "../../src/fix/apply.ts";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "node-cache-mount-missing";

function messageOf(dockerfile: string | Record<string, string | number>): string {
  return findingsOf(dockerfile, id)[0]?.message ?? "";
}

describe(id, () => {
  it("flags npm, yarn and pnpm installs once per RUN, in every stage", () => {
    const dockerfile = [
      "FROM node:22 AS build",
      "RUN npm ci && npm install -g typescript",
      "RUN yarn install --frozen-lockfile",
      "RUN pnpm install --frozen-lockfile",
      "RUN npm run build",
      "FROM node:22-slim",
      "RUN npm ci --omit=dev",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), [2, 3, 4, 7]);
    const messages = findingsOf(dockerfile, id).map((finding) => finding.message);
    assert.match(messages[0] ?? "", /`npm ci` and `npm install` run without a cache mount on \/root\/\.npm.*--mount=type=cache,target=\/root\/\.npm`/);
    assert.match(messages[1] ?? "", /target=\/usr\/local\/share\/\.cache\/yarn/);
    assert.match(messages[2] ?? "", /target=\/root\/\.local\/share\/pnpm\/store/);
  });

  it("is silent when the cache is mounted, also as ~ or $HOME, or via a parent directory", () => {
    const dockerfile = [
      "FROM node:22",
      "RUN --mount=type=cache,target=/root/.npm npm ci",
      "RUN --mount=type=cache,target=~/.npm npm ci",
      "RUN --mount=type=cache,target=$HOME/.npm npm ci",
      "RUN --mount=type=cache,target=/usr/local/share/.cache yarn",
      "RUN --mount=type=cache,target=/root/.local/share/pnpm pnpm install",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), []);
  });

  it("follows ENV and option overrides of the cache directory", () => {
    const env = ["FROM node:22", "ENV NPM_CONFIG_CACHE=/cache/npm YARN_CACHE_FOLDER=/cache/yarn PNPM_HOME=/pnpm", "RUN --mount=type=cache,target=/cache/npm npm ci", "RUN --mount=type=cache,target=/cache/yarn yarn", "RUN --mount=type=cache,target=/pnpm/store pnpm install"].join("\n");
    assert.deepEqual(linesOf(env, id), []);
    assert.match(messageOf("FROM node:22\nENV npm_config_cache=/tmp/npm\nRUN --mount=type=cache,target=/root/.npm npm ci\n"), /target=\/tmp\/npm`/);
    assert.match(messageOf("FROM node:22\nRUN npm ci --cache /opt/npm-cache\n"), /target=\/opt\/npm-cache`/);
    assert.match(messageOf("FROM node:22\nRUN pnpm install --store-dir=/store\n"), /target=\/store`/);
    assert.match(messageOf("FROM node:22\nENV PNPM_HOME=/pnpm\nRUN pnpm install\n"), /target=\/pnpm\/store`/);
  });

  it("uses the home directory of USER, with uid/gid so the user can write the mount", () => {
    assert.match(messageOf("FROM node:22\nUSER node\nRUN npm ci\n"), /target=\/home\/node\/\.npm,uid=1000,gid=1000`/);
    const created = "FROM debian:bookworm\nRUN groupadd -g 2000 web && useradd -u 2001 -g web -d /srv/web web\nUSER web\nRUN npm ci\n";
    assert.match(messageOf(created), /target=\/srv\/web\/\.npm,uid=2001,gid=2000`/);
    // Non-root yarn 1 caches in ~/.cache/yarn, not /usr/local/share.
    assert.match(messageOf("FROM node:22\nUSER node\nRUN yarn\n"), /target=\/home\/node\/\.cache\/yarn,uid=1000,gid=1000`/);
  });

  it("reports an unknown user's cache without a fix, and accepts a mount ending in .npm", () => {
    const [finding] = findingsOf("FROM node:22\nUSER app\nRUN npm ci\n", id);
    assert.match(finding?.message ?? "", /target=\/home\/app\/\.npm,uid=<uid of app>/);
    assert.equal(finding?.fix, undefined);
    assert.deepEqual(linesOf("FROM node:22\nUSER app\nRUN --mount=type=cache,target=/app/.npm,uid=1001 npm ci\n", id), []);
  });

  it("suggests Yarn Berry's global cache when .yarnrc.yml is in the context, and accepts .yarn/cache", () => {
    const files = { Dockerfile: "FROM node:22\nWORKDIR /app\nRUN yarn install --immutable\n", ".yarnrc.yml": "nodeLinker: node-modules\n", "package.json": "{}" };
    assert.match(messageOf(files), /target=\/root\/\.yarn\/berry\/cache`/);
    assert.deepEqual(linesOf({ ...files, Dockerfile: "FROM node:22\nWORKDIR /app\nRUN --mount=type=cache,target=/app/.yarn/cache yarn install --immutable\n" }, id), []);
  });

  it("skips offline installs and does not fix a pnpm fetch whose store a later offline install reads", () => {
    const dockerfile = "FROM node:22\nRUN pnpm fetch\nCOPY . .\nRUN pnpm install --offline\n";
    const findings = findingsOf(dockerfile, id);
    assert.deepEqual(findings.map((finding) => finding.line), [2]);
    assert.equal(findings[0]?.fix, undefined);
  });

  it("fixes by inserting the mount after RUN, and the fixed file passes", () => {
    const dockerfile = "FROM node:22\n  RUN --mount=type=bind,source=package.json,target=package.json \\\n      npm ci\n";
    const [finding] = findingsOf(dockerfile, id);
    assert.ok(finding?.fix);
    const fixed = applyEdits(dockerfile, finding.fix);
    assert.equal(fixed, "FROM node:22\n  RUN --mount=type=cache,target=/root/.npm --mount=type=bind,source=package.json,target=package.json \\\n      npm ci\n");
    assert.deepEqual(linesOf(fixed, id), []);
  });

  it("deletes `npm cache clean --force` and `yarn cache clean`: under the mount they would empty it on every build", () => {
    const npm = "FROM node:22\nRUN npm ci && npm cache clean --force\n";
    const [npmFinding] = findingsOf(npm, id);
    assert.ok(npmFinding?.fix);
    assert.equal(applyEdits(npm, npmFinding.fix), "FROM node:22\nRUN --mount=type=cache,target=/root/.npm npm ci\n");
    const yarn = "FROM node:22\nRUN yarn cache clean; yarn install --frozen-lockfile\n";
    const [yarnFinding] = findingsOf(yarn, id);
    assert.ok(yarnFinding?.fix);
    assert.equal(applyEdits(yarn, yarnFinding.fix), "FROM node:22\nRUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install --frozen-lockfile\n");
  });
});
