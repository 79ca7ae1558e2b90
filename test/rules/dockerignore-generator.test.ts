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

/** The generated file for the context of `dockerfile`, with the repository's texts (.gitignore, manifests) as the rule passes them. */
function generatedFor(files: Files, dockerfile = "Dockerfile") {
  const view = buildRepositoryView(snapshotFromFiles(files));
  const context = view.contexts.get(dockerfile);
  assert.ok(context, `no context for ${dockerfile}`);
  const models = [parseDockerfile(files[dockerfile] as string, dockerfile)];
  const generated = generateDockerignore({ context, dockerfiles: models, texts: view.snapshot.texts });
  assert.ok(generated);
  assert.deepEqual(sourcesLosingAllFiles(context, models, generated.patterns), []);
  return generated;
}

describe("generateDockerignore on a fresh clone (nothing installed or built yet)", () => {
  it("lists node_modules for a Node lockfile and the build output tsconfig names", () => {
    const generated = generatedFor({
      Dockerfile: NODE_BUILD,
      "package.json": JSON.stringify({ scripts: { build: "tsc" }, devDependencies: { typescript: "5" } }),
      "package-lock.json": "{}",
      "tsconfig.json": '{ "compilerOptions": { "outDir": "./dist/" } } // built here',
      "src/index.ts": "x",
    });
    assert.ok(generated.patterns.includes("node_modules"));
    assert.ok(generated.patterns.includes("dist"));
  });

  it("takes the output directory from the build tool: Next.js, Vite, a tsconfig outDir, workspaces' node_modules at any depth", () => {
    const next = generatedFor({ Dockerfile: NODE_BUILD, "package.json": JSON.stringify({ dependencies: { next: "16" }, workspaces: ["packages/*"] }), "packages/ui/package.json": "{}", "app/page.tsx": "x" });
    assert.ok(next.patterns.includes(".next"));
    assert.ok(next.patterns.includes("**/node_modules"));
    const vite = generatedFor({ Dockerfile: NODE_BUILD, "package.json": JSON.stringify({ devDependencies: { vite: "7" } }), "vite.config.ts": "export default { build: { outDir: 'public-build' } }", "index.html": "x" });
    assert.ok(vite.patterns.includes("public-build"));
    const out = generatedFor({ Dockerfile: NODE_BUILD, "package.json": "{}", "tsconfig.build.json": '{ "compilerOptions": { "outDir": "lib" } }', "src/a.ts": "x" });
    assert.ok(out.patterns.includes("lib"));
  });

  it("lists no build output when the image does not build, nor node_modules when it does not install", () => {
    const generated = generatedFor({ Dockerfile: "FROM node:22-slim\nCOPY . .\nCMD [\"node\", \"dist/index.js\"]\n", "package.json": "{}", "package-lock.json": "{}", "tsconfig.json": '{ "compilerOptions": { "outDir": "dist" } }' });
    assert.ok(!generated.patterns.includes("dist"));
    assert.ok(!generated.patterns.includes("node_modules"));
  });

  it("lists target for Cargo and Maven, .gradle and build for Gradle", () => {
    assert.ok(generatedFor({ Dockerfile: "FROM rust:1.90\nCOPY . .\nRUN cargo build --release\n", "Cargo.toml": "[package]\n", "Cargo.lock": "", "src/main.rs": "fn main() {}" }).patterns.includes("target"));
    assert.ok(generatedFor({ Dockerfile: "FROM maven:3.9\nCOPY . .\nRUN mvn -B package\n", "pom.xml": "<project/>", "src/main/java/A.java": "x" }).patterns.includes("target"));
    const gradle = generatedFor({ Dockerfile: "FROM gradle:8\nCOPY . .\nRUN gradle build\n", "build.gradle": "plugins {}", "src/main/java/A.java": "x" }).patterns;
    assert.ok(gradle.includes(".gradle") && gradle.includes("build"), gradle.join(" "));
  });

  it("lists bytecode caches, virtualenvs and .pytest_cache for Python", () => {
    const patterns = generatedFor({ Dockerfile: "FROM python:3.12-slim\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"-m\", \"app\"]\n", "requirements.txt": "flask\n", "app/__main__.py": "x" }).patterns;
    for (const pattern of ["**/__pycache__", "**/*.pyc", ".venv", "venv", ".pytest_cache"]) assert.ok(patterns.includes(pattern), pattern);
  });

  it("keeps a virtualenv the image runs by name", () => {
    const patterns = generatedFor({ Dockerfile: "FROM python:3.12-slim\nCOPY . .\nCMD [\".venv/bin/python\", \"-m\", \"app\"]\n", "pyproject.toml": "[project]\n", "app/__main__.py": "x" }).patterns;
    assert.ok(!patterns.includes(".venv"));
    assert.ok(patterns.includes("venv"));
  });

  it("carries the .gitignore's entries over with .dockerignore semantics, rebased on the context", () => {
    const files = {
      ".gitignore": "# local stuff\n.cache/\n/services/api/generated\n/services/web/out\n*.tmp\n!keep.tmp\n",
      "services/api/.gitignore": "/uploads\n",
      "services/api/Dockerfile": NODE_BUILD,
      "services/api/package.json": "{}",
      "services/api/src/index.ts": "x",
    };
    const generated = generatedFor(files, "services/api/Dockerfile");
    for (const pattern of ["**/.cache", "generated", "**/*.tmp", "!**/keep.tmp", "uploads"]) assert.ok(generated.patterns.includes(pattern), pattern);
    assert.ok(!generated.patterns.some((pattern) => pattern.includes("out")), "another context's entry");
    assert.match(generated.text, /# From the repository's \.gitignore/);
  });

  it("leaves out, with a note, an entry that would hide a COPY source, even before the source exists", () => {
    const dockerfile = "FROM node:22-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY dist ./dist\nCOPY . .\nRUN npm run build\n";
    const generated = generatedFor({ Dockerfile: dockerfile, ".gitignore": "dist/\nnode_modules\n", "package.json": "{}", "package-lock.json": "{}", "tsconfig.json": '{ "compilerOptions": { "outDir": "dist" } }' });
    assert.ok(!generated.patterns.some((pattern) => pattern === "dist" || pattern === "**/dist"), generated.patterns.join(" "));
    assert.ok(generated.patterns.includes("node_modules"));
    assert.deepEqual(generated.leftOut.map((entry) => entry.pattern), ["dist", "**/dist"]);
    assert.match(generated.text, /^# Left out on purpose:\n# {3}dist: it would hide dist, which COPY \(line 5\) needs$/m);
  });

  it("leaves out .gitignore's build output when no RUN builds: the image may ship a prebuilt copy", () => {
    const generated = generatedFor({ Dockerfile: "FROM node:22-slim\nCOPY . .\nRUN npm ci --omit=dev\nCMD [\"node\", \"build/index.js\"]\n", ".gitignore": "build/\nlogs\n", "package.json": "{}", "package-lock.json": "{}" });
    assert.ok(!generated.patterns.includes("**/build"));
    assert.ok(generated.patterns.includes("**/logs"));
    assert.match(generated.text, /\*\*\/build: from \.gitignore, but no RUN builds the project/);
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
