// Where `shipshape optimize` makes its changes by default: a new branch, checked out in a
// temporary git worktree, so that nothing in the user's working tree changes. Each step commits
// there; at the end the worktree is removed and the branch stays. Interrupted (or failed), the
// worktree and the unfinished branch are both removed. A worktree left by a process that died
// anyway is removed on exit, and `git worktree prune` forgets it.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { UsageError } from "../errors.ts";
import { plural } from "../format/index.ts";

export interface BranchWorkspace {
  /** The user's repository (top level of its work tree). */
  repositoryRoot: string;
  /** The temporary worktree. */
  worktree: string;
  /** The optimized directory inside the worktree (the user's PATH, at the same place). */
  target: string;
  /** The optimized directory relative to the repository root ("" for the root). */
  relativeTarget: string;
  branch: string;
  baseCommit: string;
  /** Commits everything under the target; returns undefined when nothing changed. */
  commit(subject: string, body?: string): { sha: string; subject: string } | undefined;
  /** The worktree's HEAD. */
  head(): string;
  /** Removes the worktree; the branch too unless keepBranch. */
  dispose(options: { keepBranch: boolean }): void;
}

function git(cwd: string, args: readonly string[], input?: string): string {
  return execFileSync("git", ["-C", cwd, ...args], { encoding: "utf8", stdio: ["pipe", "pipe", "pipe"], input: input ?? "", maxBuffer: 64 * 1024 * 1024 }).trim();
}

function gitOrUndefined(cwd: string, args: readonly string[]): string | undefined {
  try {
    return git(cwd, args);
  } catch {
    return undefined;
  }
}

/** A branch name for this run: shipshape/optimize-YYYYMMDD-HHMMSS. */
export function defaultBranchName(now: Date): string {
  const stamp = now.toISOString().replace(/\.\d+Z$/, "").replace(/[-:]/g, "").replace("T", "-");
  return `shipshape/optimize-${stamp}`;
}

/** Why optimize cannot work on a branch of `target`'s repository, or undefined. Checked before any build. */
export function checkBranchWorkspace(target: string, branch: string): { repositoryRoot: string; relativeTarget: string; baseCommit: string } {
  const repositoryRoot = gitOrUndefined(target, ["rev-parse", "--show-toplevel"]);
  if (repositoryRoot === undefined || repositoryRoot === "") throw new UsageError(`${target} is not in a git repository: optimize puts its results on a new branch; use --write to change the files in place instead (or git init and commit first)`);
  const baseCommit = gitOrUndefined(target, ["rev-parse", "--verify", "-q", "HEAD"]);
  if (baseCommit === undefined || baseCommit === "") throw new UsageError(`the repository at ${repositoryRoot} has no commit yet: commit the files first, or use --write`);
  if (gitOrUndefined(repositoryRoot, ["check-ref-format", "--branch", branch]) === undefined) throw new UsageError(`--branch ${branch}: not a valid git branch name`);
  if (gitOrUndefined(repositoryRoot, ["rev-parse", "--verify", "-q", `refs/heads/${branch}`]) !== undefined) throw new UsageError(`branch ${branch} exists already: choose another with --branch NAME`);
  const relativeTarget = path.relative(fs.realpathSync(repositoryRoot), fs.realpathSync(target)).split(path.sep).join("/");
  // The branch starts from HEAD: changes not committed under PATH would be optimized away silently.
  // The metrics history (.shipshape/) is shipshape's own state, not a change to the files.
  const status = git(repositoryRoot, ["status", "--porcelain", "--untracked-files=normal", "--", relativeTarget === "" ? "." : relativeTarget, ":(top,exclude).shipshape", ":(exclude,glob)**/.shipshape/**"]);
  if (status !== "") {
    const count = status.split("\n").length;
    throw new UsageError(`${target} has ${plural(count, "uncommitted change")} (git status): optimize branches from HEAD, so commit or stash them first, or use --write to optimize the files as they are`);
  }
  return { repositoryRoot, relativeTarget, baseCommit };
}

const liveWorktrees = new Map<string, { repositoryRoot: string; branch: string; temp: string }>();
let exitNetInstalled = false;

function removeWorktree(repositoryRoot: string, worktree: string, temp: string): void {
  gitOrUndefined(repositoryRoot, ["worktree", "remove", "--force", worktree]);
  fs.rmSync(temp, { recursive: true, force: true });
  gitOrUndefined(repositoryRoot, ["worktree", "prune"]);
}

export function openBranchWorkspace(target: string, branch: string, options: { tempDir?: string } = {}): BranchWorkspace {
  const { repositoryRoot, relativeTarget, baseCommit } = checkBranchWorkspace(target, branch);
  const temp = fs.mkdtempSync(path.join(options.tempDir ?? os.tmpdir(), "shipshape-optimize-"));
  const worktree = path.join(temp, "worktree");
  try {
    git(repositoryRoot, ["worktree", "add", "--quiet", "-b", branch, worktree, baseCommit]);
  } catch (error) {
    fs.rmSync(temp, { recursive: true, force: true });
    throw new UsageError(`could not create the branch ${branch}: ${String((error as { stderr?: unknown }).stderr ?? (error as Error).message).trim()}`);
  }
  liveWorktrees.set(worktree, { repositoryRoot, branch, temp });
  if (!exitNetInstalled) {
    exitNetInstalled = true;
    process.once("exit", () => {
      for (const [tree, entry] of liveWorktrees) {
        removeWorktree(entry.repositoryRoot, tree, entry.temp);
        gitOrUndefined(entry.repositoryRoot, ["branch", "-D", entry.branch]);
      }
    });
  }
  // Commits need an identity; a machine without one (CI) gets shipshape's, only for these commits.
  const identity = gitOrUndefined(worktree, ["config", "user.email"]) ? [] : ["-c", "user.name=shipshape", "-c", "user.email=shipshape@localhost"];
  const targetDir = relativeTarget === "" ? worktree : path.join(worktree, ...relativeTarget.split("/"));
  return {
    repositoryRoot,
    worktree,
    target: targetDir,
    relativeTarget,
    branch,
    baseCommit,
    commit: (subject, body) => {
      git(worktree, ["add", "--all", "--", relativeTarget === "" ? "." : relativeTarget]);
      if (git(worktree, ["diff", "--cached", "--name-only"]) === "") return undefined;
      git(worktree, [...identity, "commit", "--quiet", "--no-verify", "-F", "-"], body !== undefined ? `${subject}\n\n${body}\n` : `${subject}\n`);
      return { sha: git(worktree, ["rev-parse", "HEAD"]), subject };
    },
    head: () => git(worktree, ["rev-parse", "HEAD"]),
    dispose: ({ keepBranch }) => {
      removeWorktree(repositoryRoot, worktree, temp);
      liveWorktrees.delete(worktree);
      if (!keepBranch) gitOrUndefined(repositoryRoot, ["branch", "-D", branch]);
    },
  };
}
