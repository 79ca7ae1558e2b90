// Git facts for a metrics run, read through the `git` command. Every question tolerates a directory
// that is not a repository, a repository without commits and a machine without git: the answer is
// then null (or the directory itself for the root), never an error.
import { execFile } from "node:child_process";

export interface GitFacts {
  /** Top-level directory of the work tree, or the directory asked about when it is not in one. */
  root: string;
  /** Full SHA-1 of HEAD, null outside a repository or before the first commit. */
  commit: string | null;
  /** Branch checked out, null when HEAD is detached or outside a repository. */
  branch: string | null;
  /** Whether tracked files differ from HEAD; null when unknown. */
  dirty: boolean | null;
}

function runGit(cwd: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile("git", args, { cwd, timeout: 10_000, windowsHide: true }, (error, stdout) => {
      resolve(error ? null : stdout.trim());
    });
  });
}

export async function readGitFacts(cwd: string): Promise<GitFacts> {
  const root = await runGit(cwd, ["rev-parse", "--show-toplevel"]);
  if (root === null || root === "") return { root: cwd, commit: null, branch: null, dirty: null };
  const [commit, branch, status] = await Promise.all([
    runGit(cwd, ["rev-parse", "--verify", "-q", "HEAD"]),
    runGit(cwd, ["symbolic-ref", "--short", "-q", "HEAD"]),
    runGit(cwd, ["status", "--porcelain", "--untracked-files=no"]),
  ]);
  return {
    root,
    commit: commit === null || commit === "" ? null : commit,
    branch: branch === null || branch === "" ? null : branch,
    dirty: status === null ? null : status !== "",
  };
}

/** The commit a ref (branch, tag, full or short SHA, HEAD~1 ...) names, or null when git cannot resolve it. */
export async function resolveGitRef(cwd: string, ref: string): Promise<string | null> {
  // "--end-of-options" keeps a ref that starts with "-" from being read as an option.
  const commit = await runGit(cwd, ["rev-parse", "--verify", "-q", "--end-of-options", `${ref}^{commit}`]);
  return commit === null || commit === "" ? null : commit;
}
