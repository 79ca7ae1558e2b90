import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyEdits } from "../../src/fix/apply.ts";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "dev-dependencies-in-runtime";

describe(id, () => {
  it("flags npm, yarn and pnpm installs that include devDependencies in the runtime image", () => {
    const dockerfile = [
      "FROM node:22-slim",
      "RUN npm ci",
      "RUN npm ci --omit=dev",
      "RUN npm install --production",
      "RUN npm ci --only=production",
      "RUN yarn install --frozen-lockfile",
      "RUN yarn install --production",
      "RUN pnpm install --frozen-lockfile",
      "RUN pnpm install --prod",
      "RUN npm install express",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), [2, 6, 8]);
    assert.equal(findingsOf(dockerfile, id)[0]?.estimatedSavingMB, 150);
  });

  it("accepts NODE_ENV=production set before the install, unless dev is included explicitly", () => {
    const dockerfile = ["FROM node:22-slim", "ENV NODE_ENV=production", "RUN npm ci && yarn install && pnpm install", "RUN npm ci --include=dev"].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), [4]);
    assert.deepEqual(linesOf("FROM node:22-slim\nRUN npm ci\nENV NODE_ENV=production\n", id), [2]);
  });

  it("does not report build stages, and does report the stages the final image builds on", () => {
    const dockerfile = [
      "FROM node:22 AS build",
      "RUN npm ci && npm run build",
      "FROM node:22-slim AS base",
      "RUN npm ci",
      "FROM base",
      "COPY --from=build /dist ./dist",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), [4]);
  });

  it("asks to split stages, without a fix, when a later build step needs the dev dependencies", () => {
    const dockerfile = ["FROM node:22-slim", "COPY . .", "RUN npm ci", "RUN npm run build", 'CMD ["node", "dist/main.js"]'].join("\n");
    const [finding] = findingsOf(dockerfile, id);
    assert.match(finding?.message ?? "", /npm run build \(line 4\) needs: run the build in a separate stage/);
    assert.equal(finding?.fix, undefined);
    const tsc = findingsOf("FROM node:22-slim\nRUN npm ci && npx tsc -p .\n", id)[0];
    assert.match(tsc?.message ?? "", /npx tsc \(line 2\)/);
  });

  it("has no fix when the container runs a dev tool such as ts-node", () => {
    const [finding] = findingsOf('FROM node:22-slim\nCOPY . .\nRUN npm ci\nCMD ["npx", "ts-node", "src/main.ts"]\n', id);
    assert.match(finding?.message ?? "", /CMD running ts-node \(line 4\) needs/);
    assert.equal(finding?.fix, undefined);
  });

  it("is silent when the same RUN prunes the dev dependencies after building", () => {
    assert.deepEqual(linesOf("FROM node:22-slim\nRUN npm ci && npm run build && npm prune --omit=dev\n", id), []);
  });

  it("is silent when package.json has no devDependencies", () => {
    const files = { Dockerfile: "FROM node:22-slim\nCOPY . .\nRUN npm ci\n", "package.json": '{"dependencies": {"express": "^4"}}', "package-lock.json": "{}" };
    assert.deepEqual(linesOf(files, id), []);
    assert.deepEqual(linesOf({ ...files, "package.json": '{"devDependencies": {"typescript": "^5"}}' }, id), [3]);
  });

  it("fixes npm ci / npm install by adding --omit=dev (--production for npm 6)", () => {
    const dockerfile = "FROM node:22-slim\nRUN npm ci --no-audit\n";
    const [finding] = findingsOf(dockerfile, id);
    assert.ok(finding?.fix);
    const fixed = applyEdits(dockerfile, finding.fix);
    assert.equal(fixed, "FROM node:22-slim\nRUN npm ci --omit=dev --no-audit\n");
    assert.deepEqual(linesOf(fixed, id), []);
    const legacy = "FROM node:14-alpine\nRUN npm install\n";
    const [old] = findingsOf(legacy, id);
    assert.equal(applyEdits(legacy, old?.fix ?? []), "FROM node:14-alpine\nRUN npm install --production\n");
    assert.equal(findingsOf("FROM node:22-slim\nRUN yarn install\n", id)[0]?.fix, undefined);
  });

  it("names the Yarn 2+ way when the project uses Yarn 2+", () => {
    const files = { Dockerfile: "FROM node:22-slim\nCOPY . .\nRUN yarn install --immutable\n", "package.json": '{"packageManager": "yarn@4.2.2", "devDependencies": {"jest": "^29"}}', "yarn.lock": "" };
    assert.match(findingsOf(files, id)[0]?.message ?? "", /yarn workspaces focus --all --production/);
  });

  it("flags Python dev requirements, dev extras, poetry dev groups, pipenv --dev and uv sync", () => {
    const dockerfile = [
      "FROM python:3.12-slim",
      "RUN pip install --no-cache-dir -r requirements.txt",
      "RUN pip install --no-cache-dir -r requirements-dev.txt",
      "RUN pip install --no-cache-dir -e '.[dev,docs]'",
      "RUN pip install --no-cache-dir -r requirements/test.txt",
      "RUN poetry install --only main",
      "RUN poetry install",
      "RUN pipenv install --deploy --system",
      "RUN pipenv install --dev --system",
      "RUN uv sync --frozen --no-dev",
      "RUN uv sync --frozen",
      "RUN pip install --no-cache-dir -r requirements-devices.txt",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), [3, 4, 5, 7, 9, 11]);
  });

  it("reads pyproject.toml: no dev group, or an optional one, means nothing to report for poetry", () => {
    const dockerfile = "FROM python:3.12-slim\nCOPY . .\nRUN poetry install\n";
    const withoutDev = { Dockerfile: dockerfile, "pyproject.toml": "[tool.poetry]\nname = 'app'\n\n[tool.poetry.dependencies]\npython = '^3.12'\n" };
    assert.deepEqual(linesOf(withoutDev, id), []);
    const optional = { Dockerfile: dockerfile, "pyproject.toml": "[tool.poetry.group.dev]\noptional = true\n\n[tool.poetry.group.dev.dependencies]\npytest = '*'\n" };
    assert.deepEqual(linesOf(optional, id), []);
    const installed = { Dockerfile: dockerfile, "pyproject.toml": "[tool.poetry.group.dev.dependencies]\npytest = '*'\n" };
    assert.deepEqual(linesOf(installed, id), [3]);
  });
});
