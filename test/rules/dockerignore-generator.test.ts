import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseDockerfile } from "../../src/dockerfile/parse.ts";
import { generateDockerignore, sourcesLosingAllFiles } from "../../src/rules/support/dockerignore-generator.ts";
import { snapshotFromFiles } from "../../src/repo/memory.ts";
import { buildRepositoryView } from "../../src/repo/view.ts";
import type { BuildContext } from "../../src/repo/snapshot.ts";
import { findingsOf } from "../helpers/audit.ts";

type Files = Record<string, string | number>;

function contextOf(files: Files, dockerfile = "Dockerfile"): BuildContext {
  const context = buildRepositoryView(snapshotFromFiles(files)).contexts.get(dockerfile);
  assert.ok(context, `no context for ${dockerfile}`);
  return context;
}

/** The patterns generated for a one-Dockerfile context. */
function patternsFor(files: Files): string[] {
  const generated = generateDockerignore({ context: contextOf(files), dockerfiles: [parseDockerfile(files.Dockerfile as string)] });
  assert.ok(generated);
  // Every source the Dockerfile names keeps its files.
  assert.deepEqual(sourcesLosingAllFiles(contextOf(files), [parseDockerfile(files.Dockerfile as string)], generated.patterns), []);
  return generated.patterns;
}

const NODE_BUILD = "FROM node:22-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\nRUN npm run build\nCMD [\"node\", \"dist/index.js\"]\n";

describe("generateDockerignore", () => {
  it("lists only what the context holds, plus .git and **/.env always", () => {
    assert.deepEqual(patternsFor({ Dockerfile: "FROM nginx:1.27\nCOPY . /usr/share/nginx/html\n", "index.html": "<p>hi</p>" }), [".git", "**/.env"]);
  });

  it("excludes host dependencies and build output when the image installs and builds its own", () => {
    const patterns = patternsFor({ Dockerfile: NODE_BUILD, "package.json": "{}", "src/index.ts": "x", "node_modules/a/index.js": 10, "packages/ui/node_modules/b/index.js": 10, "dist/index.js": 10, ".next/cache/x": 10, "coverage/lcov.info": 10 });
    assert.ok(patterns.includes("**/node_modules"), "nested node_modules need **/");
    for (const pattern of ["dist", ".next", "coverage"]) assert.ok(patterns.includes(pattern), pattern);
  });

  it("keeps a prebuilt dist the image does not build, and node_modules the image does not install", () => {
    const patterns = patternsFor({ Dockerfile: "FROM node:22-slim\nWORKDIR /app\nCOPY . .\nCMD [\"node\", \"dist/index.js\"]\n", "package.json": "{}", "node_modules/a/index.js": 10, "dist/index.js": 10 });
    assert.ok(!patterns.includes("dist"));
    assert.ok(!patterns.includes("node_modules"));
  });

  it("never hides a file or directory a COPY names, even when it looks like output or a secret", () => {
    const files = {
      Dockerfile: "FROM node:22-slim\nWORKDIR /app\nCOPY dist ./dist\nCOPY .env ./\nCOPY . .\nRUN npm ci && npm run build\n",
      "package.json": "{}",
      "dist/index.js": 10,
      ".env": 10,
      ".git/HEAD": 10,
    };
    const patterns = patternsFor(files);
    assert.ok(!patterns.includes("dist"));
    assert.ok(!patterns.includes("**/.env"));
    assert.ok(patterns.includes(".git"));
  });

  it("keeps tests that tsc may compile, that a RUN names or runs, and test directories of compiled languages", () => {
    const base = { "package.json": "{}", "test/app.test.js": 10, "docs/guide.md": 10 };
    assert.deepEqual(patternsFor({ ...base, Dockerfile: NODE_BUILD }).filter((pattern) => pattern === "test" || pattern === "docs"), ["test", "docs"]);
    assert.deepEqual(patternsFor({ ...base, "tsconfig.json": "{}", Dockerfile: NODE_BUILD }).filter((pattern) => pattern === "test" || pattern === "docs"), []);
    assert.ok(!patternsFor({ ...base, Dockerfile: NODE_BUILD.replace("RUN npm run build", "RUN npm run build && npm test") }).includes("test"));
    assert.ok(!patternsFor({ ...base, Dockerfile: NODE_BUILD.replace("RUN npm run build", "RUN node docs/build.js") }).includes("docs"));
    assert.ok(!patternsFor({ Dockerfile: "FROM golang:1.22\nCOPY . .\nRUN go build ./...\n", "go.mod": "module x\n", "tests/helpers.go": 10 }).includes("tests"));
  });

  it("keeps .git when a RUN uses git (version stamping)", () => {
    const patterns = patternsFor({ Dockerfile: "FROM golang:1.22\nCOPY . .\nRUN go build -ldflags \"-X main.version=$(git describe)\" .\nRUN git rev-parse HEAD > /version\n", "go.mod": "module x\n", ".git/HEAD": 10 });
    assert.ok(!patterns.includes(".git"));
  });

  it("lists secrets it finds by name, but not env templates or public certificates", () => {
    const patterns = patternsFor({ Dockerfile: "FROM python:3.12-slim\nCOPY . .\n", ".env.production": 10, ".env.example": 10, "certs/ca-cert.pem": 10, "certs/server-key.pem": 10, ".aws/credentials": 10 });
    assert.ok(patterns.includes(".env.production"));
    assert.ok(patterns.includes("certs/server-key.pem"));
    assert.ok(patterns.includes(".aws"));
    assert.ok(!patterns.some((pattern) => pattern.includes("example") || pattern.includes("ca-cert")));
  });

  it("explains each group in a comment and says why the Dockerfile is not listed", () => {
    const generated = generateDockerignore({ context: contextOf({ Dockerfile: NODE_BUILD, "package.json": "{}", "node_modules/a.js": 1 }), dockerfiles: [parseDockerfile(NODE_BUILD)] });
    assert.ok(generated);
    const lines = generated.text.split("\n");
    for (const pattern of generated.patterns) {
      const index = lines.indexOf(pattern);
      const groupStart = lines.lastIndexOf("", index);
      assert.match(lines[groupStart + 1] ?? "", /^# /, `${pattern} has a comment`);
    }
    assert.match(generated.text, /Not listed: the Dockerfile and this file/);
    assert.ok(generated.text.endsWith("\n"));
  });

  it("checks the sources of every Dockerfile built with the context", () => {
    const files = {
      Dockerfile: NODE_BUILD,
      "Dockerfile.prebuilt": "FROM node:22-slim\nCOPY dist /app/dist\n",
      "package.json": "{}",
      "dist/index.js": 10,
    };
    const context = contextOf(files);
    const both = generateDockerignore({ context, dockerfiles: [parseDockerfile(NODE_BUILD), parseDockerfile(files["Dockerfile.prebuilt"])] });
    assert.ok(both && !both.patterns.includes("dist"));
    assert.deepEqual(sourcesLosingAllFiles(context, [parseDockerfile(files["Dockerfile.prebuilt"])], ["dist"]), ["dist"]);
  });
});

describe("missing-dockerignore fix", () => {
  it("creates <context>/.dockerignore, for a compose build context too", () => {
    const files = {
      "docker-compose.yml": "services:\n  api:\n    build:\n      context: services/api\n",
      "services/api/Dockerfile": NODE_BUILD,
      "services/api/package.json": "{}",
      "services/api/node_modules/a.js": 1,
    };
    const [finding] = findingsOf(files, "missing-dockerignore");
    assert.equal(finding?.fixable, true);
    assert.equal(finding?.createFile?.path, "services/api/.dockerignore");
    assert.match(finding?.createFile?.text ?? "", /^node_modules$/m);
  });
});
