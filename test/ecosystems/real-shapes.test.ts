// The shapes public projects ship that our own fixtures did not have (issue 13): a development
// server in the CMD, exec-form RUN, `COPY . .` before WORKDIR, node_modules moved out of the app
// folder for compose bind mounts, global dev tools, a port below 1024, and images already lean.
// Each test is a minimal project of that shape, written here.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseDockerfile } from "../../src/dockerfile/parse.ts";
import { planRewriteOrExplain } from "../../src/ecosystems/index.ts";
import { fixWithLevel } from "../../src/fix/rewrite.ts";
import { classifyDifferences, rewriteIntent } from "../../src/fix/expected-differences.ts";
import type { ClassifyContext } from "../../src/fix/expected-differences.ts";
import { snapshotFromFiles } from "../../src/repo/memory.ts";
import { buildRepositoryView } from "../../src/repo/view.ts";
import type { Difference } from "../../src/verify/result.ts";
import { mustPlan, planFiles, runtimeStage, stageLines } from "./helpers.ts";

const NEST_PACKAGE = {
  name: "nest-api",
  scripts: { build: "nest build", start: "nest start", "start:dev": "nest start --watch" },
  dependencies: { "@nestjs/common": "^10.0.0", "@nestjs/core": "^10.0.0", "@nestjs/platform-express": "^10.0.0", "reflect-metadata": "^0.2.0", rxjs: "^7.8.0" },
  devDependencies: { "@nestjs/cli": "^10.0.0", typescript: "^5.4.0" },
};

function nestRepo(dockerfile: string, packageJson: object = NEST_PACKAGE, extra: Record<string, string | number> = {}): Record<string, string | number> {
  return {
    Dockerfile: dockerfile,
    "package.json": JSON.stringify(packageJson),
    "package-lock.json": "{}",
    "nest-cli.json": '{ "collection": "@nestjs/schematics", "sourceRoot": "src" }',
    "tsconfig.json": '{ "compilerOptions": { "outDir": "./dist", "experimentalDecorators": true } }',
    "src/main.ts": 120,
    "src/app.module.ts": 80,
    ...extra,
  };
}

const NEST_DEV_DOCKERFILE = 'FROM node:22\nCOPY . .\nWORKDIR /usr/src/app\nRUN ["npm", "install"]\nRUN npm i -g @nestjs/cli\nEXPOSE 3000\nCMD ["npm", "run", "start:dev"]\n';

function plan(files: Record<string, string | number>, dev = false): ReturnType<typeof planRewriteOrExplain> {
  const snapshot = snapshotFromFiles(files);
  for (const [file, content] of Object.entries(files)) if (typeof content === "string") snapshot.texts.set(file, content);
  const view = buildRepositoryView(snapshot);
  return planRewriteOrExplain({ dockerfile: parseDockerfile(String(files.Dockerfile), "Dockerfile"), buildContext: view.contexts.get("Dockerfile"), repository: view, options: { dev } });
}

function commandOf(lines: readonly string[]): string | undefined {
  return lines.find((line) => line.startsWith("CMD "));
}

describe("a development server in the CMD", () => {
  it("NestJS `start:dev`: builds with nest, runs `node dist/main` (nest-cli.json + tsconfig outDir), keeps the watcher as the dev target", () => {
    const result = mustPlan(planFiles(nestRepo(NEST_DEV_DOCKERFILE)));
    assert.deepEqual(result.review, []);
    assert.equal(result.replacesDevServer, true);
    const runtime = runtimeStage(result.dockerfile);
    assert.equal(commandOf(runtime), 'CMD ["node", "dist/main"]');
    assert.ok(runtime.includes("COPY --from=build /usr/src/app/dist ./dist"), runtime.join("\n"));
    assert.ok(!runtime.some((line) => line.includes("@nestjs/cli")), "the nest CLI stays out of the runtime");
    // The build the dev server did at startup now has its own stage.
    assert.ok(stageLines(result.dockerfile, /^deps AS build$/).includes("RUN npm run build"));
    const dev = stageLines(result.dockerfile, /^deps AS dev$/);
    assert.equal(commandOf(dev), 'CMD ["npm", "run", "start:dev"]');
    assert.deepEqual(result.dev?.command, ["npm", "run", "start:dev"]);
    assert.ok(stageLines(result.dockerfile, /^node:22 AS deps$/).some((line) => line.endsWith("npm i -g @nestjs/cli")), "the CLI is installed where the build and the dev target run");
    assert.ok(result.notes.some((note) => note.startsWith("Development server replaced by a production server")));
  });

  it("prefers a production script that runs node, carrying its variables over as ENV", () => {
    const withProd = { ...NEST_PACKAGE, scripts: { ...NEST_PACKAGE.scripts, "start:prod": "NODE_ENV=production node dist/src/main" } };
    const result = mustPlan(planFiles(nestRepo(NEST_DEV_DOCKERFILE, withProd)));
    const runtime = runtimeStage(result.dockerfile);
    assert.equal(commandOf(runtime), 'CMD ["node", "dist/src/main"]');
    assert.ok(runtime.includes("ENV NODE_ENV=production"));
    assert.ok(result.notes.some((note) => note.includes('the "start:prod" script')));
  });

  it("reads Nest's entryFile and the build tsconfig's outDir", () => {
    const result = mustPlan(planFiles(nestRepo(NEST_DEV_DOCKERFILE, NEST_PACKAGE, { "nest-cli.json": '{ "entryFile": "server" }', "tsconfig.build.json": '{ "extends": "./tsconfig.json", "compilerOptions": { "outDir": "build" } }' })));
    assert.equal(commandOf(runtimeStage(result.dockerfile)), 'CMD ["node", "build/server"]');
  });

  it("nodemon: the runtime runs the same file with node, without nodemon; the dev target installs every dependency and nodemon", () => {
    const files = {
      Dockerfile: "FROM node:20\nRUN npm install -g nodemon\nWORKDIR /app\nCOPY package*.json ./\nRUN npm install\nCOPY . .\nEXPOSE 3000\nCMD nodemon server.js\n",
      "package.json": JSON.stringify({ name: "web", dependencies: { express: "^4.19.0" }, devDependencies: { eslint: "^9.0.0" } }),
      "package-lock.json": "{}",
      "server.js": 300,
    };
    const result = mustPlan(plan(files).rewrite);
    assert.deepEqual(result.review, []);
    const runtime = runtimeStage(result.dockerfile);
    assert.equal(commandOf(runtime), 'CMD ["node", "server.js"]');
    assert.ok(!runtime.some((line) => line.includes("nodemon")), runtime.join("\n"));
    const dev = stageLines(result.dockerfile, /^node:20 AS dev$/);
    assert.ok(dev.some((line) => line.endsWith("npm install -g nodemon")), dev.join("\n"));
    assert.ok(dev.some((line) => line.endsWith("npm ci")), "the dev target has the dev dependencies");
    assert.equal(commandOf(dev), 'CMD ["nodemon", "server.js"]');
  });

  it("`next dev` with no build in the image: the build stage runs `npm run build`, the runtime `next start`", () => {
    const files = {
      Dockerfile: "FROM node:22\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nEXPOSE 3000\nCMD [\"npm\", \"run\", \"dev\"]\n",
      "package.json": JSON.stringify({ name: "site", scripts: { dev: "next dev", build: "next build", start: "next start" }, dependencies: { next: "^15.0.0", react: "^19.0.0", "react-dom": "^19.0.0" } }),
      "package-lock.json": "{}",
      "next.config.mjs": "export default { output: 'standalone' };\n",
      "app/page.js": 100,
    };
    const result = mustPlan(plan(files).rewrite);
    assert.equal(result.replacesDevServer, true);
    assert.ok(stageLines(result.dockerfile, /^deps AS build$/).some((line) => line.endsWith("npm run build")));
    assert.equal(commandOf(runtimeStage(result.dockerfile)), 'CMD ["node", "server.js"]');
    assert.equal(commandOf(stageLines(result.dockerfile, /^deps AS dev$/)), 'CMD ["npm", "run", "dev"]');
  });

  it("a development server with no production command it can find asks for review and keeps the original command", () => {
    const files = {
      Dockerfile: "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"npx\", \"ts-node-dev\", \"src/index.ts\"]\n",
      "package.json": JSON.stringify({ name: "worker", dependencies: { pino: "^9.0.0" }, devDependencies: { "ts-node-dev": "^2.0.0" } }),
      "package-lock.json": "{}",
      "src/index.ts": 100,
    };
    const result = mustPlan(plan(files).rewrite);
    assert.ok(result.review.some((reason) => reason.includes("development server") && reason.includes("ts-node-dev")), result.review.join("\n"));
    assert.equal(result.replacesDevServer, undefined);
  });
});

describe("instructions as public Dockerfiles write them", () => {
  it("exec-form RUN is read like its shell form (no review), everywhere the planner reads RUN", () => {
    const files = nestRepo('FROM node:22\nWORKDIR /app\nCOPY . .\nRUN ["npm", "ci"]\nRUN ["npm", "run", "build"]\nCMD ["node", "dist/main"]\n', { ...NEST_PACKAGE });
    const result = mustPlan(planFiles(files));
    assert.deepEqual(result.review, []);
    assert.ok(stageLines(result.dockerfile, /^deps AS build$/).includes("RUN npm run build"));
  });

  it("`COPY . .` before WORKDIR: the rewrite copies into the WORKDIR and says so, without asking for review", () => {
    const result = mustPlan(planFiles(nestRepo(NEST_DEV_DOCKERFILE)));
    assert.ok(result.notes.some((note) => note.startsWith("The original copies the build context to / (its `COPY . .` comes before `WORKDIR /usr/src/app`)")));
    assert.ok(runtimeStage(result.dockerfile).includes("WORKDIR /usr/src/app"));
  });

  it("a whole-context COPY to another absolute folder still asks for review", () => {
    const result = mustPlan(planFiles(nestRepo("FROM node:22\nCOPY . /src\nWORKDIR /app\nRUN npm ci\nRUN npm run build\nCMD [\"node\", \"dist/main\"]\n")));
    assert.ok(result.review.some((reason) => reason.includes("copies the build context to /src")));
  });
});

describe("compose bind mounts, users, global tools", () => {
  const expressFiles = (dockerfile: string, packageJson: object = { name: "web", scripts: { start: "node index.js" }, dependencies: { express: "^4.19.0" }, devDependencies: { jest: "^29.0.0" } }): Record<string, string | number> => ({
    Dockerfile: dockerfile,
    "package.json": JSON.stringify(packageJson),
    "package-lock.json": "{}",
    "index.js": 200,
    "docker-compose.yml": "services:\n  web:\n    build: .\n    ports: ['80:80']\n    volumes:\n      - .:/app\n",
  });

  it("`mv node_modules /node_modules` is the compose bind-mount convention: kept in the dev target, noted for the runtime, never a review", () => {
    const files = expressFiles("FROM node:22\nWORKDIR /app\nCOPY package*.json ./\nRUN npm install && mv node_modules /node_modules\nCOPY . .\nEXPOSE 3000\nCMD [\"npm\", \"start\"]\n");
    const result = mustPlan(plan(files, true).rewrite);
    assert.deepEqual(result.review, []);
    assert.ok(result.notes.some((note) => note.includes("mv node_modules /node_modules") && note.includes("bind mount")));
    const dev = stageLines(result.dockerfile, /AS dev$/);
    assert.ok(dev.includes("RUN mv node_modules /node_modules"), dev.join("\n"));
    assert.deepEqual(result.dev?.keepPaths, [], "node_modules lives outside the bind mount, so no anonymous volume is needed");
    assert.ok(!runtimeStage(result.dockerfile).some((line) => line.includes("mv node_modules")));
  });

  it("a port below 1024 keeps the original (root) user, with a note, instead of `USER node`", () => {
    const result = mustPlan(plan(expressFiles("FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm install\nENV PORT=80\nEXPOSE 80\nCMD [\"npm\", \"start\"]\n")).rewrite);
    const runtime = runtimeStage(result.dockerfile);
    assert.ok(!runtime.some((line) => line.startsWith("USER ")), runtime.join("\n"));
    assert.ok(result.notes.some((note) => note.includes("port 80 (below 1024)")));
    const highPort = mustPlan(plan(expressFiles("FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm install\nEXPOSE 3000\nCMD [\"npm\", \"start\"]\n")).rewrite);
    assert.ok(runtimeStage(highPort.dockerfile).includes("USER node"));
  });

  it("a global dev tool leaves the runtime; a global tool the runtime starts (pm2) stays", () => {
    const result = mustPlan(plan(expressFiles("FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm install -g typescript\nRUN npm install -g pm2\nRUN npm install\nEXPOSE 3000\nCMD [\"pm2-runtime\", \"index.js\"]\n")).rewrite);
    const runtime = runtimeStage(result.dockerfile);
    assert.ok(runtime.some((line) => line.endsWith("npm install -g pm2")));
    assert.ok(!runtime.some((line) => line.includes("typescript")), runtime.join("\n"));
    assert.ok(result.notes.some((note) => note.startsWith("`npm install -g typescript` installs development tools")));
  });
});

describe("Go `go run` and small steps", () => {
  it("`CMD go run .`: builds the package once, runs the binary with the folders it reads, keeps `go run` as the dev target", () => {
    const files = {
      Dockerfile: "FROM golang:1.19\nWORKDIR /app\nCOPY go.mod ./\nRUN go mod download\nCOPY . .\nEXPOSE 8080\nCMD go run .\n",
      "go.mod": "module example.com/tracker\n\ngo 1.19\n",
      "main.go": 300,
      "templates/index.html": 100,
      "static/site.css": 50,
    };
    const result = mustPlan(plan(files).rewrite);
    assert.equal(result.replacesDevServer, true);
    assert.deepEqual(result.review, []);
    const runtime = runtimeStage(result.dockerfile);
    assert.equal(commandOf(runtime), 'CMD ["/app/tracker"]');
    assert.ok(runtime.includes("COPY templates ./templates") && runtime.includes("COPY static ./static"), runtime.join("\n"));
    assert.equal(commandOf(stageLines(result.dockerfile, /^deps AS dev$/)), 'CMD ["go", "run", "."]');
    assert.equal(rewriteIntent("go", result.dockerfile, true), "dev-server");
  });

  it("`go run main.go` (files, not a package) is not guessed at", () => {
    const files = { Dockerfile: "FROM golang:1.19\nWORKDIR /app\nCOPY . .\nCMD [\"go\", \"run\", \"main.go\"]\n", "go.mod": "module example.com/x\n", "main.go": 100 };
    assert.equal(plan(files).rewrite, undefined);
  });

  it("`mkdir /app` before `WORKDIR /app` is not a step to review", () => {
    const files = { Dockerfile: "FROM node:22\nRUN mkdir /app\nWORKDIR /app\nCOPY . .\nRUN npm install\nEXPOSE 3000\nCMD [\"node\", \"index.js\"]\n", "package.json": JSON.stringify({ name: "web", dependencies: { express: "^4.19.0" } }), "package-lock.json": "{}", "index.js": 100 };
    assert.deepEqual(mustPlan(plan(files).rewrite).review, []);
    const other = { ...files, Dockerfile: files.Dockerfile.replace("mkdir /app", "mkdir /data") };
    assert.ok(mustPlan(plan(other).rewrite).review.some((reason) => reason.includes("mkdir /data")));
  });

  it("an original that copies package.json without the lockfile installs the same way in the rewrite", () => {
    const files = { Dockerfile: "FROM node:22\nWORKDIR /app\nCOPY package.json ./\nRUN npm install\nCOPY . .\nEXPOSE 3000\nCMD [\"node\", \"index.js\"]\n", "package.json": JSON.stringify({ name: "web", dependencies: { express: "^4.19.0" } }), "package-lock.json": "{}", "index.js": 100 };
    const result = mustPlan(plan(files).rewrite);
    assert.deepEqual(result.review, []);
    const deps = stageLines(result.dockerfile, /^node:22 AS production-deps$/);
    assert.ok(deps.includes("COPY package.json ./") && deps.some((line) => line.endsWith("npm install --omit=dev")), deps.join("\n"));
    // The lockfile fixes of the same level stay off those lines: they would change the installed versions.
    const snapshot = snapshotFromFiles(files);
    for (const [file, content] of Object.entries(files)) if (typeof content === "string") snapshot.texts.set(file, content);
    const written = fixWithLevel(snapshot, { level: "rewrite" }).fix.changes.find((change) => change.path === "Dockerfile")?.after ?? "";
    assert.ok(written.includes("npm install --omit=dev") && !written.includes("package-lock.json ./"), written);
    const withLock = mustPlan(plan({ ...files, Dockerfile: files.Dockerfile.replace("COPY package.json ./", "COPY package*.json ./") }).rewrite);
    assert.ok(stageLines(withLock.dockerfile, /^node:22 AS production-deps$/).some((line) => line.endsWith("npm ci --omit=dev")));
  });
});

describe("already lean", () => {
  it("a slim image that builds nothing and installs no dev dependencies is reported, not rewritten", () => {
    const files = {
      Dockerfile: "FROM node:22-slim\nWORKDIR /app\nRUN npm install -g nodemon\nCOPY package*.json ./\nRUN npm install && mv node_modules /node_modules\nCOPY . .\nEXPOSE 80\nCMD [\"node\", \"index.js\"]\n",
      "package.json": JSON.stringify({ name: "web", dependencies: { express: "^4.19.0" } }),
      "package-lock.json": "{}",
      "index.js": 200,
    };
    const planned = plan(files);
    assert.equal(planned.rewrite, undefined);
    assert.match(planned.lean ?? "", /^already lean: node:22-slim is a slim base, nothing is built, and package.json has no devDependencies/);
    const snapshot = snapshotFromFiles(files);
    for (const [file, content] of Object.entries(files)) if (typeof content === "string") snapshot.texts.set(file, content);
    const fixed = fixWithLevel(snapshot, { level: "rewrite" });
    assert.deepEqual(fixed.rewrites, []);
    assert.deepEqual(fixed.alreadyLean.map((entry) => entry.path), ["Dockerfile"]);
  });

  it("a slim image that installs dev dependencies, or runs a dev server, is not lean", () => {
    const withDev = {
      Dockerfile: "FROM node:22-slim\nWORKDIR /app\nCOPY . .\nRUN npm install\nCMD [\"node\", \"index.js\"]\n",
      "package.json": JSON.stringify({ name: "web", dependencies: { express: "^4.19.0" }, devDependencies: { jest: "^29.0.0" } }),
      "package-lock.json": "{}",
      "index.js": 200,
    };
    assert.equal(plan(withDev).lean, undefined);
    assert.ok(plan(withDev).rewrite);
    const productionOnly = { ...withDev, Dockerfile: "FROM node:22-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci --omit=dev\nCMD [\"node\", \"index.js\"]\n" };
    assert.ok(plan(productionOnly).lean);
  });
});

describe("the fix and verify side of a replaced development server", () => {
  it("writes the dev target and a compose.dev.yaml without --dev", () => {
    const files = { ...nestRepo(NEST_DEV_DOCKERFILE), "docker-compose.yml": "services:\n  api:\n    build: .\n    ports: ['3000:3000']\n" };
    const snapshot = snapshotFromFiles(files);
    for (const [file, content] of Object.entries(files)) if (typeof content === "string") snapshot.texts.set(file, content);
    const fixed = fixWithLevel(snapshot, { level: "rewrite" });
    const rewrite = fixed.rewrites[0];
    assert.equal(rewrite?.status, "applied");
    assert.equal(rewrite?.replacesDevServer, true);
    assert.equal(rewriteIntent(rewrite?.ecosystem, rewrite?.after ?? "", rewrite?.replacesDevServer), "dev-server");
    const override = fixed.fix.changes.find((change) => change.path === "compose.dev.yaml");
    assert.ok(override?.after?.includes("target: dev"), override?.after);
  });

  const difference = (kind: Difference["kind"], subject: string, message = "differs"): Difference => ({ kind, severity: "difference", subject, message });
  const devContext: ClassifyContext = {
    before: { entrypoint: null, cmd: ["npm", "run", "start:dev"], user: "" },
    after: { entrypoint: null, cmd: ["node", "dist/main"], user: "node", workingDir: "/usr/src/app" },
    originalEnv: new Set(),
    intent: "dev-server",
    probed: true,
    httpProbed: true,
  };
  const intended = [difference("config", "Cmd"), difference("node-dependency", "@nestjs/cli"), difference("file", "/usr/src/app/src/")];

  it("accepts the command, dev dependencies and sources only when the HTTP probe answered the same", () => {
    assert.deepEqual(classifyDifferences(intended, devContext).unexpected, []);
    const bodiesDiffer = classifyDifferences([...intended, difference("http", "GET /", "Bodies differ")], devContext);
    assert.equal(bodiesDiffer.unexpected.length, intended.length + 1, "a different answer makes every intended difference unexpected too");
    const smokeOnly = classifyDifferences(intended, { ...devContext, httpProbed: false });
    assert.equal(smokeOnly.unexpected.length, intended.length, "a smoke run is not enough for a replaced server");
  });
});
