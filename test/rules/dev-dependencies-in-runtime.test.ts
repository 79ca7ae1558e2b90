import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyEdits } from "../../src/fix/apply.ts";
import { runFixes } from "../../src/fix/run-fixes.ts";
import { snapshotFromFiles } from "../../src/repo/memory.ts";
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

  it("has no fix when the container runs a dev server, directly (ng serve) or through an npm script (nest start --watch)", () => {
    const direct = findingsOf({ Dockerfile: "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm install\nCMD ng serve --host 0.0.0.0\n", "package.json": JSON.stringify({ devDependencies: { "@angular/cli": "^17.0.0" } }) }, id);
    assert.equal(direct[0]?.fix, undefined);
    const script = findingsOf({ Dockerfile: 'FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm install\nCMD ["npm", "run", "start:dev"]\n', "package.json": JSON.stringify({ scripts: { "start:dev": "nest start --watch" }, devDependencies: { "@nestjs/cli": "^10.0.0" } }) }, id);
    assert.match(script[0]?.message ?? "", /CMD running nest/);
    assert.equal(script[0]?.fix, undefined);
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

  describe("the install's effective environment: ENV, ARG, compose build.args", () => {
    const manifest = { "package.json": '{"scripts": {"dev": "nodemon server.js"}, "devDependencies": {"nodemon": "^3"}}', "package-lock.json": "{}" };
    const issue = "FROM node:22-slim\nWORKDIR /app\nARG NODE_ENV=production\nENV NODE_ENV $NODE_ENV\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nCMD [\"node\", \"server.js\"]\n";
    const compose = (args: string, command = "") => `services:\n  web:\n    build:\n      context: .\n${args}${command}`;

    it("issue 10: NODE_ENV=production from an ARG default through ENV $NODE_ENV is production; compose's development build is meant to have dev deps", () => {
      assert.deepEqual(linesOf({ Dockerfile: issue, ...manifest }, id), []);
      const files = { Dockerfile: issue, ...manifest, "docker-compose.yml": compose("      args:\n        NODE_ENV: development\n", "    command: nodemon server.js\n") };
      assert.deepEqual(linesOf(files, id), []);
      // And `shipshape fix` (safe level) changes nothing in it, at any level.
      assert.deepEqual(runFixes(snapshotFromFiles(files), { only: new Set([id]), level: "rewrite" }).changes, []);
    });

    it("expands ${VAR}, ${VAR:-default} and global ARGs redeclared in the stage", () => {
      for (const env of ["ENV NODE_ENV=${NODE_ENV}", "ENV NODE_ENV=${NODE_ENV:-development}", 'ENV NODE_ENV="$NODE_ENV"']) {
        assert.deepEqual(linesOf(`FROM node:22-slim\nARG NODE_ENV=production\n${env}\nRUN npm ci\n`, id), [], env);
      }
      assert.deepEqual(linesOf("FROM node:22-slim\nENV NODE_ENV=${NODE_ENV:-production}\nRUN npm ci\n", id), []);
      assert.deepEqual(linesOf("ARG NODE_ENV=production\nFROM node:22-slim\nARG NODE_ENV\nENV NODE_ENV=$NODE_ENV\nRUN npm ci\n", id), []);
      // A global ARG is not in scope in the stage until it is declared there.
      assert.deepEqual(linesOf("ARG NODE_ENV=production\nFROM node:22-slim\nENV NODE_ENV=$NODE_ENV\nRUN npm ci\n", id), [4]);
    });

    it("inherits ENV from the stage it builds FROM, including a value taken from that stage's ARG", () => {
      const dockerfile = "FROM node:22-slim AS base\nARG NODE_ENV=production\nENV NODE_ENV=$NODE_ENV\nFROM base\nRUN npm ci\n";
      assert.deepEqual(linesOf(dockerfile, id), []);
    });

    it("an ARG whose default installs dev deps: reported without a fix, naming the build arg, unless a compose build sets it", () => {
      const dockerfile = "FROM node:22-slim\nARG NODE_ENV=development\nENV NODE_ENV=$NODE_ENV\nRUN npm ci\n";
      const [finding] = findingsOf(dockerfile, id);
      assert.match(finding?.message ?? "", /depends on build arg NODE_ENV \(default "development"\).*--build-arg NODE_ENV=production/);
      assert.equal(finding?.fix, undefined);
      for (const value of ["production", "development"]) {
        assert.deepEqual(linesOf({ Dockerfile: dockerfile, "compose.yaml": compose(`      args:\n        NODE_ENV: ${value}\n`) }, id), [], value);
      }
      // A compose service building another target does not build this image.
      assert.deepEqual(linesOf({ Dockerfile: dockerfile, "compose.yaml": compose("      target: deps\n      args:\n        NODE_ENV: production\n") }, id), [4]);
      // Without a default the builder has to pass it: nothing to judge.
      assert.deepEqual(linesOf("FROM node:22-slim\nARG NODE_ENV\nENV NODE_ENV=$NODE_ENV\nRUN npm ci\n", id), []);
    });

    it("reads npm_config_production, NPM_CONFIG_OMIT and npm_config_include", () => {
      assert.deepEqual(linesOf("FROM node:22-slim\nENV npm_config_production=true\nRUN npm ci\n", id), []);
      assert.deepEqual(linesOf("FROM node:22-slim\nENV NPM_CONFIG_OMIT=dev,optional\nRUN npm ci\n", id), []);
      assert.deepEqual(linesOf("FROM node:22-slim\nENV NPM_CONFIG_OMIT=dev\nRUN npm ci\n", id), []);
      assert.deepEqual(linesOf("FROM node:22-slim\nARG npm_config_omit=dev\nRUN npm ci\n", id), []);
      assert.deepEqual(linesOf("FROM node:22-slim\nENV NODE_ENV=production npm_config_include=dev\nRUN npm ci\n", id), [3]);
      assert.deepEqual(linesOf("FROM node:22-slim\nRUN NODE_ENV=production npm ci\n", id), []);
      assert.deepEqual(linesOf("FROM node:22-slim\nRUN npm ci --omit dev && npm install --only=prod\n", id), []);
    });

    it("reads yarn's --production and YARN_PRODUCTION, yarn berry's workspaces focus --production, pnpm's --prod, -P and npm_config_production", () => {
      assert.deepEqual(linesOf("FROM node:22-slim\nENV YARN_PRODUCTION=true\nRUN yarn install --frozen-lockfile\n", id), []);
      assert.deepEqual(linesOf("FROM node:22-slim\nRUN yarn --production\n", id), []);
      assert.deepEqual(linesOf("FROM node:22-slim\nRUN yarn install --production=false\n", id), [2]);
      const berry = { Dockerfile: "FROM node:22-slim\nCOPY . .\nRUN yarn workspaces focus --all --production\n", "package.json": '{"packageManager": "yarn@4.2.2", "devDependencies": {"jest": "^29"}}', "yarn.lock": "" };
      assert.deepEqual(linesOf(berry, id), []);
      assert.deepEqual(linesOf("FROM node:22-slim\nRUN pnpm install -P --frozen-lockfile\n", id), []);
      assert.deepEqual(linesOf("FROM node:22-slim\nENV npm_config_production=true\nRUN pnpm install --frozen-lockfile\n", id), []);
      assert.deepEqual(linesOf("FROM node:22-slim\nARG NODE_ENV=production\nRUN pnpm install --frozen-lockfile && yarn install\n", id), []);
    });

    it("offers no fix when a compose service runs the image with a dev tool (nodemon)", () => {
      const files = { Dockerfile: "FROM node:22-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\n", ...manifest, "docker-compose.yml": compose("", "    command: npx nodemon server.js\n") };
      const [finding] = findingsOf(files, id);
      assert.match(finding?.message ?? "", /the compose service web's command running nodemon needs/);
      assert.equal(finding?.fix, undefined);
    });

    it("its fix is rewrite-level: shipshape fix leaves it, --level rewrite applies it", () => {
      const files = { Dockerfile: "FROM node:22-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nCMD [\"node\", \"server.js\"]\n", ...manifest };
      assert.equal(findingsOf(files, id)[0]?.fixLevel, "rewrite");
      const safe = runFixes(snapshotFromFiles(files), { only: new Set([id]) });
      assert.deepEqual(safe.changes, []);
      assert.deepEqual(safe.withheld.map((item) => item.finding.rule), [id]);
      const rewrite = runFixes(snapshotFromFiles(files), { only: new Set([id]), level: "rewrite" });
      assert.match(rewrite.changes[0]?.after ?? "", /^RUN npm ci --omit=dev$/m);
    });
  });
});
