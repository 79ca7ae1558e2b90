// `shipshape optimize` end to end on a real engine, on a reduced copy of the example shop: its Go
// and Python services (inventory-go, reports-py) behind a compose file, with their HTTP probes.
// The full shop (six images, a Rust build) takes longer than CI should spend here; how long it
// takes is measured and documented in docs/optimize.md. Checked: the branch holds one commit per
// step and the documents, the user's tree is unchanged, every applied change was verified, the
// images are smaller, the HTML report is written; nothing is left behind (temporary copies,
// worktrees, images), and Ctrl-C twice in the middle of a verification leaves nothing either.
// Service names carry a random suffix, so the images this file made can be told from others'.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { runCli } from "../../src/cli/main.ts";
import { ApiClient } from "../../src/engine/api-client.ts";
import { ApiEngine } from "../../src/engine/api-engine.ts";
import { lastOptimizePath } from "../../src/optimize/dashboard.ts";
import type { OptimizeResult } from "../../src/optimize/result.ts";
import { engineStatus, failIfRequired } from "../helpers/engine.ts";
import { tempDirectory } from "../helpers/temp-dir.ts";

const SHOP = path.resolve(import.meta.dirname, "../../examples/shop");
const MAIN = path.resolve(import.meta.dirname, "../../src/cli/main.ts");
const BASE_IMAGES = ["golang:1.19", "gcr.io/distroless/static-debian12:nonroot", "debian:bookworm-slim", "python:3.11", "python:3.11-slim"];
const status = await engineStatus(new ApiEngine(), BASE_IMAGES);

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", ...args], { cwd, encoding: "utf8" }).trim();
}

/** A committed repository with the two services under random names. */
function reducedShop(): { root: string; inventory: string; reports: string } {
  const suffix = randomBytes(3).toString("hex");
  const inventory = `inventory-${suffix}`;
  const reports = `reports-${suffix}`;
  const root = tempDirectory("shipshape-optimize-engine-");
  for (const service of ["inventory-go", "reports-py"]) fs.cpSync(path.join(SHOP, "services", service), path.join(root, "services", service), { recursive: true });
  fs.writeFileSync(path.join(root, "docker-compose.yml"), `services:\n  ${inventory}:\n    build: ./services/inventory-go\n    ports: ["8080:8080"]\n  ${reports}:\n    build: ./services/reports-py\n    ports: ["8000:8000"]\n`);
  fs.writeFileSync(path.join(root, "shipshape.config.yaml"), `verify:\n  services:\n    ${inventory}:\n      http: 8080/health\n    ${reports}:\n      http: 8000/health\n`);
  git(root, "init", "-q", "-b", "main");
  git(root, "add", ".");
  git(root, "commit", "-q", "-m", "reduced shop");
  return { root, inventory, reports };
}

/** Tags on the engine that mention one of the names. */
async function imagesNaming(names: readonly string[]): Promise<string[]> {
  const images = await new ApiClient().json<{ RepoTags: string[] | null }[]>("/images/json");
  return images.flatMap((image) => image.RepoTags ?? []).filter((tag) => names.some((name) => tag.includes(name)));
}

describe("shipshape optimize on a real engine", { skip: status.skip }, () => {
  it("optimizes the reduced shop on a branch: verified changes, smaller images, the documents; nothing left behind", { timeout: 900_000 }, async () => {
    failIfRequired(status);
    const { root, inventory, reports } = reducedShop();
    const temp = tempDirectory("shipshape-optimize-tmp-");
    const previousTmp = process.env.TMPDIR;
    process.env.TMPDIR = temp;
    let stdout = "";
    let stderr = "";
    const started = performance.now();
    let code: number;
    try {
      code = await runCli(["optimize", ".", "--branch", "shipshape/optimize-ci"], { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), cwd: root, env: { ...process.env, NO_COLOR: "1" }, isTTY: false });
    } finally {
      if (previousTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previousTmp;
    }
    const seconds = Math.round((performance.now() - started) / 1000);
    assert.equal(code, 0, `${stdout}\n${stderr}`);
    process.stderr.write(`optimize on the reduced shop took ${seconds} s\n`);

    // The user's tree: unchanged but for the metrics history.
    assert.equal(git(root, "status", "--porcelain"), "?? .shipshape/");
    assert.equal(git(root, "symbolic-ref", "--short", "HEAD"), "main");
    // The branch: one commit per step that changed something.
    const subjects = git(root, "log", "--format=%s", "main..shipshape/optimize-ci").split("\n");
    assert.deepEqual(subjects, ["shipshape optimize: docs/docker-optimization-audit.md, docs/docker-optimization-strategy.md and the HTML report", "shipshape optimize: safe fixes, .dockerignore files and multi-stage rewrites (each verified)"]);
    const changed = git(root, "diff", "--name-only", "main", "shipshape/optimize-ci").split("\n");
    for (const file of ["services/inventory-go/Dockerfile", "services/reports-py/Dockerfile", "services/inventory-go/.dockerignore", "compose.dev.yaml", "docs/docker-optimization-audit.md", "docs/docker-optimization-strategy.md", "docs/docker-optimization-report.html"]) assert.ok(changed.includes(file), `${file} on the branch`);

    const result = JSON.parse(fs.readFileSync(lastOptimizePath(path.join(root, ".shipshape", "metrics.db")), "utf8")) as OptimizeResult;
    assert.ok(result.changes.length >= 5);
    for (const change of result.changes) {
      assert.ok(change.applied, `${change.path} applied (${change.reason ?? ""})`);
      assert.ok((change.verification ?? "") !== "", `${change.path} says how it was verified`);
    }
    for (const dockerfile of ["services/inventory-go/Dockerfile", "services/reports-py/Dockerfile"]) {
      assert.match(result.changes.find((change) => change.path === dockerfile)?.verification ?? "", /^built and verified with the configured probes/);
    }

    const strategy = git(root, "show", "shipshape/optimize-ci:docs/docker-optimization-strategy.md");
    for (const name of [inventory, reports]) {
      const row = new RegExp(`^\\| ${name} \\| ([\\d.]+ [kMG]?B) \\| ([\\d.]+ [kMG]?B) \\| -(\\d+)% \\|$`, "m").exec(strategy);
      assert.ok(row !== null, `a measured size row for ${name}:\n${strategy}`);
      assert.ok(Number(row[3]) > 20, `${name} is smaller by more than 20%: ${row[0]}`);
      for (const scenario of ["cold", "warm", "code", "deps"]) assert.match(strategy, new RegExp(`^\\| ${name} \\| ${scenario} \\| [\\d.]+ m?s \\| [\\d.]+ m?s \\| [-+]?\\d+% \\|`, "m"));
    }
    // Priced from the measured sizes and build times, with the config's (default) assumptions labelled.
    assert.match(strategy, /## Cost estimate\n\nBasis: shipshape optimize/);
    assert.match(strategy, /\*\*Saving: \$-?[\d.,]+ per month/);
    const audit = git(root, "show", "shipshape/optimize-ci:docs/docker-optimization-audit.md");
    assert.match(audit, /^# Docker optimization audit/m);
    assert.match(audit, /final-stage-toolchain-image|build-in-final-stage/);
    const html = git(root, "show", "shipshape/optimize-ci:docs/docker-optimization-report.html");
    assert.match(html, /<table id="size-table">/);
    assert.match(html, /data-chart="layers"/);

    // Nothing left behind.
    assert.deepEqual(fs.readdirSync(temp), [], "no temporary copy or worktree");
    assert.equal(git(root, "worktree", "list").split("\n").length, 1);
    assert.deepEqual(await imagesNaming([inventory, reports]), [], "no image or tag left");
    // `shipshape report` reads the same history and result.
    const report = path.join(temp, "report.html");
    assert.equal(await runCli(["report", ".", "--html", report], { stdout: () => undefined, stderr: () => undefined, cwd: root, env: {}, isTTY: false }), 0);
    assert.match(fs.readFileSync(report, "utf8"), new RegExp(`<td>${inventory}</td>`));
    fs.rmSync(report);
  });

  it("Ctrl-C twice during verification: exit 130, no branch, no worktree, no copy, no image", { timeout: 600_000 }, async () => {
    failIfRequired(status);
    const { root, inventory, reports } = reducedShop();
    const temp = tempDirectory("shipshape-optimize-tmp-");
    const child = spawn(process.execPath, [MAIN, "optimize", ".", "--branch", "interrupted", "--scenarios", "warm"], { cwd: root, env: { ...process.env, TMPDIR: temp, NO_COLOR: "1", INIT_CWD: "" }, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const deadline = Date.now() + 400_000;
    while (!/building and verifying/.test(stderr) && Date.now() < deadline && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 200));
    assert.match(stderr, /building and verifying/);
    // Let the first verification build start and create its copy.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    child.kill("SIGINT");
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.kill("SIGINT");
    const code = await exited;
    assert.equal(code, 130, stderr);
    assert.match(stderr, /interrupted; removing/);
    assert.equal(git(root, "branch", "--list", "interrupted"), "", "no unfinished branch");
    assert.equal(git(root, "worktree", "list").split("\n").length, 1, "no worktree");
    assert.deepEqual(fs.readdirSync(temp), [], "no temporary copy");
    assert.deepEqual(await imagesNaming([inventory, reports]), [], "no image or tag");
    assert.equal(git(root, "status", "--porcelain"), "?? .shipshape/");
  });

  it("consolidates near-duplicate Dockerfiles when every target verifies against its original", { timeout: 600_000 }, async () => {
    failIfRequired(status);
    const suffix = randomBytes(3).toString("hex");
    const root = tempDirectory("shipshape-optimize-pair-");
    fs.cpSync(path.resolve(import.meta.dirname, "../fixtures/consolidate/engine-pair"), root, { recursive: true });
    const [one, two] = [`one-${suffix}`, `two-${suffix}`];
    fs.writeFileSync(path.join(root, "compose.yaml"), `services:\n  ${one}:\n    build: services/one\n  ${two}:\n    build:\n      context: services/two\n`);
    git(root, "init", "-q", "-b", "main");
    git(root, "add", ".");
    git(root, "commit", "-q", "-m", "pair");
    const temp = tempDirectory("shipshape-optimize-tmp-");
    const previousTmp = process.env.TMPDIR;
    process.env.TMPDIR = temp;
    let output = "";
    let code: number;
    try {
      code = await runCli(["optimize", ".", "--branch", "pair", "--scenarios", "warm"], { stdout: (text) => (output += text), stderr: (text) => (output += text), cwd: root, env: { ...process.env, NO_COLOR: "1" }, isTTY: false });
    } finally {
      if (previousTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previousTmp;
    }
    assert.equal(code, 0, output);
    assert.match(output, /services\/Dockerfile: consolidated services\/one\/Dockerfile, services\/two\/Dockerfile \(verified\)/);
    const files = git(root, "ls-tree", "-r", "--name-only", "pair").split("\n");
    assert.ok(files.includes("services/Dockerfile") && files.includes("docker-bake.hcl"), files.join(" "));
    assert.ok(!files.includes("services/one/Dockerfile") && !files.includes("services/two/Dockerfile"), "the originals are replaced on the branch");
    assert.ok(fs.existsSync(path.join(root, "services", "one", "Dockerfile")), "and still in the user's tree");
    assert.match(git(root, "log", "--format=%s", "main..pair"), /consolidate near-duplicate Dockerfiles/);
    const result = JSON.parse(fs.readFileSync(lastOptimizePath(path.join(root, ".shipshape", "metrics.db")), "utf8")) as OptimizeResult;
    const consolidated = result.changes.filter((change) => change.step === "consolidate");
    assert.ok(consolidated.length >= 4 && consolidated.every((change) => change.applied && change.verification === "each target built and verified against its original image"));
    assert.deepEqual(fs.readdirSync(temp), []);
    assert.deepEqual(await imagesNaming([one, two]), []);
  });
});
