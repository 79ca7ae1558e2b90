// optimize without an engine: the branch worktree (commits per step, nothing in the user's tree,
// everything removed when interrupted), the progress output, --dry-run and the usage errors that
// must come before any build.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { runCli } from "../../src/cli/main.ts";
import { checkBranchWorkspace, defaultBranchName, openBranchWorkspace } from "../../src/optimize/git-branch.ts";
import { createProgress } from "../../src/optimize/progress.ts";
import { tempDirectory } from "../helpers/temp-dir.ts";

const SHOP = path.resolve(import.meta.dirname, "../../examples/shop");

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", ...args], { cwd, encoding: "utf8" }).trim();
}

/** A git repository with the shop under shop/ (committed). */
function repository(): string {
  const root = tempDirectory("shipshape-optimize-branch-");
  git(root, "init", "-q", "-b", "main");
  fs.cpSync(SHOP, path.join(root, "shop"), { recursive: true });
  git(root, "add", ".");
  git(root, "commit", "-q", "-m", "the shop");
  return root;
}

async function run(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), cwd, env: { NO_COLOR: "1", DOCKER_HOST: "unix:///nonexistent/docker.sock" }, isTTY: false });
  return { code, stdout, stderr };
}

describe("the optimize branch", () => {
  it("commits each step on a new branch in a temporary worktree; the user's tree and branch do not change", () => {
    const root = repository();
    const head = git(root, "rev-parse", "HEAD");
    const workspace = openBranchWorkspace(path.join(root, "shop"), "optimize-test", { tempDir: tempDirectory("shipshape-optimize-wt-") });
    assert.equal(workspace.relativeTarget, "shop");
    assert.equal(workspace.baseCommit, head);
    assert.ok(fs.existsSync(path.join(workspace.target, "docker-compose.yml")));
    assert.equal(workspace.commit("nothing changed"), undefined, "no empty commit");
    fs.writeFileSync(path.join(workspace.target, "services", "api", ".dockerignore"), "node_modules\n");
    const first = workspace.commit("step one", "- services/api/.dockerignore");
    assert.ok(first !== undefined && /^[0-9a-f]{40}$/.test(first.sha));
    fs.mkdirSync(path.join(workspace.target, "docs"));
    fs.writeFileSync(path.join(workspace.target, "docs", "a.md"), "# a\n");
    workspace.commit("step two");
    const worktree = workspace.worktree;
    workspace.dispose({ keepBranch: true });
    assert.ok(!fs.existsSync(worktree), "the worktree is gone");
    assert.deepEqual(git(root, "log", "--format=%s", "main..optimize-test").split("\n"), ["step two", "step one"]);
    assert.equal(git(root, "rev-parse", "HEAD"), head);
    assert.equal(git(root, "symbolic-ref", "--short", "HEAD"), "main");
    assert.equal(git(root, "status", "--porcelain"), "", "the user's tree is unchanged");
    assert.ok(!fs.existsSync(path.join(root, "shop", "docs")));
    assert.equal(git(root, "worktree", "list").split("\n").length, 1, "only the main worktree is left");
  });

  it("an unfinished run removes its worktree and its branch", () => {
    const root = repository();
    const temp = tempDirectory("shipshape-optimize-wt-");
    const workspace = openBranchWorkspace(path.join(root, "shop"), "optimize-unfinished", { tempDir: temp });
    fs.writeFileSync(path.join(workspace.target, "x"), "x");
    workspace.commit("half");
    workspace.dispose({ keepBranch: false });
    assert.deepEqual(fs.readdirSync(temp), []);
    assert.equal(git(root, "branch", "--list", "optimize-unfinished"), "");
  });

  it("refuses what would lose work or cannot be a branch, before anything is built", () => {
    const root = repository();
    const shop = path.join(root, "shop");
    git(root, "branch", "taken");
    assert.throws(() => checkBranchWorkspace(shop, "taken"), /branch taken exists already/);
    assert.throws(() => checkBranchWorkspace(shop, "bad..name"), /not a valid git branch name/);
    fs.appendFileSync(path.join(shop, "services", "api", "Dockerfile"), "# local edit\n");
    assert.throws(() => checkBranchWorkspace(shop, "fine"), /1 uncommitted change .*commit or stash them first, or use --write/);
    fs.mkdirSync(path.join(root, ".shipshape"));
    git(root, "checkout", "--", ".");
    fs.writeFileSync(path.join(root, ".shipshape", "metrics.db"), "");
    assert.doesNotThrow(() => checkBranchWorkspace(shop, "fine"), "the metrics history is not a change");
    const plain = tempDirectory("shipshape-optimize-nogit-");
    assert.throws(() => checkBranchWorkspace(plain, "x"), /not in a git repository: .*use --write/);
    assert.match(defaultBranchName(new Date("2026-12-06T03:04:05.678Z")), /^shipshape\/optimize-20261206-030405$/);
  });
});

describe("optimize progress", () => {
  it("plain lines off a terminal: no escape codes, no status noise", () => {
    let out = "";
    let now = 0;
    const progress = createProgress({ write: (text) => (out += text), isTTY: false, now: () => now });
    progress.phase("baseline");
    progress.status("api: cold build 1/1");
    now = 61_000;
    progress.line("api original cold 1/1: 58.4 s");
    progress.finish();
    assert.equal(out, "shipshape optimize: [baseline] started at 0.0s\nshipshape optimize: [baseline] api original cold 1/1: 58.4 s\n");
  });

  it("on a terminal: a status line with the phase, what runs and the elapsed time, redrawn in place", () => {
    let out = "";
    let now = 0;
    const progress = createProgress({ write: (text) => (out += text), isTTY: true, now: () => now, intervalMs: 60_000 });
    progress.phase("baseline");
    now = 12_300;
    progress.status("api: cold build 1/1");
    assert.ok(out.endsWith("\r\u001b[2Kshipshape optimize ▸ baseline 12.3s · api: cold build 1/1 (total 12.3s)"), JSON.stringify(out));
    progress.phase("audit");
    assert.match(out, /✓ baseline done in 12\.3s\n/);
    progress.finish();
    assert.match(out, /✓ audit done in 0\.0s\n$/);
  });
});

describe("shipshape optimize (no engine needed)", () => {
  it("--dry-run prints the plan and changes nothing", async () => {
    const root = repository();
    const before = git(root, "status", "--porcelain");
    const result = await run(["optimize", "shop", "--dry-run"], root);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /1\. Baseline: bench 6 images \(api, worker, web, inventory, pricing, reports\): cold, warm, code, deps/);
    assert.match(result.stdout, /services\/reports-py\/Dockerfile: multi-stage rewrite \(python\)/);
    assert.match(result.stdout, /compose\.dev\.yaml: new file/);
    assert.match(result.stdout, /not consolidated: services\/api\/Dockerfile, services\/worker\/Dockerfile: .*5 stages/);
    assert.match(result.stdout, /docs\/docker-optimization-strategy\.md/);
    assert.equal(git(root, "status", "--porcelain"), before);
    assert.equal(git(root, "branch", "--list"), "* main");
  });

  it("usage errors come before any build: --write with --branch, no git repository, an existing branch", async () => {
    const root = repository();
    const both = await run(["optimize", "shop", "--write", "--branch", "x"], root);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--write applies the results in place; --branch puts them on a branch: choose one/);
    const plain = tempDirectory("shipshape-optimize-nogit-");
    fs.cpSync(path.join(SHOP, "services", "inventory-go"), plain, { recursive: true });
    const notGit = await run(["optimize", "."], plain);
    assert.equal(notGit.code, 2);
    assert.match(notGit.stderr, /not in a git repository/);
    git(root, "branch", "mine");
    const taken = await run(["optimize", "shop", "--branch", "mine"], root);
    assert.equal(taken.code, 2);
    assert.match(taken.stderr, /branch mine exists already/);
    const noEngine = await run(["optimize", "shop", "--branch", "fresh"], root);
    assert.equal(noEngine.code, 2, "no engine: one message, exit 2");
    assert.equal(git(root, "branch", "--list", "fresh"), "", "no branch made without an engine");
  });

  it("report --html needs its file", async () => {
    const root = repository();
    const result = await run(["report", "shop"], root);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--html FILE is required/);
  });
});
