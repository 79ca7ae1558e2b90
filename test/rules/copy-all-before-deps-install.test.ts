import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyEdits } from "../../src/fix/apply.ts";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "copy-all-before-deps-install";

const PACKAGE = JSON.stringify({ name: "app", dependencies: { express: "^4.19.0" }, scripts: { build: "tsc", start: "node dist/server.js" } });

function node(dockerfile: string, extra: Record<string, string | number> = {}): Record<string, string | number> {
  return { Dockerfile: dockerfile, "package.json": PACKAGE, "package-lock.json": "{}", "src/server.ts": "x", ...extra };
}

describe(id, () => {
  it("flags a manifest install after COPY . ., naming the COPY line and the files to copy first", () => {
    const files = node("FROM node:22-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\nRUN npm run build\n");
    const findings = findingsOf(files, id);
    assert.deepEqual(findings.map((finding) => finding.line), [4]);
    assert.match(findings[0]?.message ?? "", /`npm ci` runs after `COPY \. \.` \(line 3\).*copy package\.json and package-lock\.json first/);
  });

  it("recognises pip -r, go mod download, poetry, bundler, composer and mvn dependency steps after broad copies", () => {
    const dockerfile = [
      "FROM python:3.12 AS py",
      "COPY . /app",
      "RUN pip install -r /app/requirements.txt",
      "FROM golang:1.22 AS go",
      "COPY * ./",
      "RUN go mod download",
      "FROM ruby:3.3 AS rb",
      "COPY src ./src",
      "RUN bundle install",
      "FROM maven:3.9 AS mvn",
      "COPY ./ ./",
      "RUN mvn dependency:go-offline",
    ].join("\n");
    assert.deepEqual(linesOf(dockerfile, id), [3, 6, 9, 12]);
  });

  it("is silent for the cache-friendly order, for builds that need the sources, and for package additions", () => {
    const good = node("FROM node:22\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\n");
    assert.deepEqual(linesOf(good, id), []);
    const builds = "FROM golang:1.22\nCOPY . .\nRUN go build ./...\nFROM python:3.12\nCOPY . .\nRUN pip install .\nRUN pip install -e .\n";
    assert.deepEqual(linesOf(builds, id), []);
    const additions = "FROM node:22\nCOPY . .\nRUN npm install -g pnpm && npm install --no-save left-pad\n";
    assert.deepEqual(linesOf(additions, id), []);
    const fromStage = "FROM node:22 AS deps\nRUN true\nFROM node:22\nCOPY --from=deps /app .\nRUN npm ci\n";
    assert.deepEqual(linesOf(fromStage, id), []);
  });

  it("reports cargo build after COPY . . unless the dependencies were built first or target/ is cached", () => {
    const [finding] = findingsOf("FROM rust:1.91 AS build\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\n", id);
    assert.equal(finding?.line, 4);
    assert.match(finding?.message ?? "", /^`cargo build` runs after `COPY \. \.` \(line 3\) with no earlier dependency build, so every source change compiles every crate again/);
    assert.deepEqual(linesOf("FROM rust:1.91\nCOPY . .\nRUN cargo install --path .\n", id), [3]);
    const stub = "FROM rust:1.91\nWORKDIR /app\nCOPY Cargo.toml Cargo.lock ./\nRUN mkdir src && echo 'fn main() {}' > src/main.rs && cargo build --release\nCOPY . .\nRUN cargo build --release\n";
    assert.deepEqual(linesOf(stub, id), []);
    const chef = "FROM rust:1.91\nWORKDIR /app\nCOPY recipe.json .\nRUN cargo chef cook --release --recipe-path recipe.json\nCOPY . .\nRUN cargo build --release\n";
    assert.deepEqual(linesOf(chef, id), []);
    const cached = "FROM rust:1.91\nWORKDIR /app\nCOPY . .\nRUN --mount=type=cache,target=/app/target cargo build --release && cp target/release/app /app\n";
    assert.deepEqual(linesOf(cached, id), []);
    assert.deepEqual(linesOf("FROM rust:1.91\nRUN cargo install ripgrep\nCOPY . .\n", id), []);
  });

  it("treats COPY . as dependency-only when .dockerignore lets only manifests through", () => {
    const files = node("FROM node:22\nCOPY . .\nRUN npm ci\n", { ".dockerignore": "*\n!package.json\n!package-lock.json\n" });
    assert.deepEqual(linesOf(files, id), []);
  });

  it("fixes by copying the manifest and lockfile first and moving the install above COPY . .", () => {
    const dockerfile = "FROM node:22-slim\nWORKDIR /app\n  COPY --chown=node:node . .\n  # dependencies\n  RUN npm ci --omit=dev && npm cache clean --force\nCMD [\"node\", \"server.js\"]\n";
    const files = node(dockerfile, { ".npmrc": "fund=false\n" });
    const [finding] = findingsOf(files, id);
    assert.ok(finding?.fix);
    const fixed = applyEdits(dockerfile, finding.fix);
    assert.equal(fixed, "FROM node:22-slim\nWORKDIR /app\n  COPY --chown=node:node package.json package-lock.json .npmrc ./\n  # dependencies\n  RUN npm ci --omit=dev && npm cache clean --force\n  COPY --chown=node:node . .\nCMD [\"node\", \"server.js\"]\n");
    assert.deepEqual(linesOf({ ...files, Dockerfile: fixed }, id), []);
  });

  it("fixes pip, poetry --no-root and go mod download when their manifests need nothing else", () => {
    const pip = { Dockerfile: "FROM python:3.12\nWORKDIR /app\nCOPY . /app\nRUN pip install -r requirements.txt\n", "requirements.txt": "flask==3.0.0\n", "app.py": "x" };
    const [pipFinding] = findingsOf(pip, id);
    assert.ok(pipFinding?.fix);
    assert.equal(applyEdits(pip.Dockerfile, pipFinding.fix), "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt /app/\nRUN pip install -r requirements.txt\nCOPY . /app\n");
    const poetry = { Dockerfile: "FROM python:3.12\nCOPY . .\nRUN poetry install --no-root\n", "pyproject.toml": "[tool.poetry]\nname = \"x\"\n", "poetry.lock": "x", "main.py": "x" };
    assert.match(applyEdits(poetry.Dockerfile, findingsOf(poetry, id)[0]?.fix ?? []), /^COPY pyproject\.toml poetry\.lock \.\/\nRUN poetry install --no-root\nCOPY \. \.$/m);
    const go = { Dockerfile: "FROM golang:1.22\nCOPY . .\nRUN go mod download\n", "go.mod": "module x\n", "go.sum": "x", "main.go": "x" };
    assert.match(applyEdits(go.Dockerfile, findingsOf(go, id)[0]?.fix ?? []), /^COPY go\.mod go\.sum \.\/\nRUN go mod download\nCOPY \. \.$/m);
  });

  it("offers no fix when the install may need more than the manifests", () => {
    const fixOf = (files: Record<string, string | number>): unknown => findingsOf(files, id)[0]?.fix;
    const withPrepare = node("FROM node:22\nCOPY . .\nRUN npm ci\n", { "package.json": JSON.stringify({ scripts: { prepare: "husky install" } }) });
    assert.equal(fixOf(withPrepare), undefined);
    const workspaces = node("FROM node:22\nCOPY . .\nRUN npm ci\n", { "package.json": JSON.stringify({ workspaces: ["packages/*"] }) });
    assert.equal(fixOf(workspaces), undefined);
    assert.equal(fixOf(node("FROM node:22\nCOPY . .\nRUN npm ci && npm run build\n")), undefined);
    assert.equal(fixOf(node("FROM node:22\nCOPY . .\nENV CI=1\nRUN npm ci\n")), undefined);
    const nested = { Dockerfile: "FROM python:3.12\nCOPY . .\nRUN pip install -r requirements.txt\n", "requirements.txt": "-r base.txt\n", "base.txt": "flask\n" };
    assert.equal(fixOf(nested), undefined);
    const localReplace = { Dockerfile: "FROM golang:1.22\nCOPY . .\nRUN go mod download\n", "go.mod": "module x\nreplace example.com/y => ./y\n" };
    assert.equal(fixOf(localReplace), undefined);
    // Without a known build context there is nothing to copy by name.
    assert.ok(findingsOf(node("FROM node:22\nCOPY . .\nRUN npm ci\n"), id)[0]);
  });

  it("offers no npm fix while the context sends node_modules (COPY . . after the install would copy it over the installed packages)", () => {
    const files = { Dockerfile: "FROM node:22-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\n", "package.json": "{}", "package-lock.json": "{}", "server.js": "", "node_modules/a/index.js": 10 };
    const [finding] = findingsOf(files, id);
    assert.ok(finding);
    assert.equal(finding.fix, undefined);
    const ignored = findingsOf({ ...files, ".dockerignore": "node_modules\n" }, id)[0];
    assert.ok(ignored?.fix);
    assert.equal(ignored.fixLevel, "safe");
  });
});
