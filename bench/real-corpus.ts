// Real public Dockerfiles for the benchmarks, read from a local mirror: github.com/yinyuanzhang/dockerfiles
// at a pinned commit (99,789 Dockerfiles at data/<x>/<owner>/<repo>/Dockerfile). Only the list of
// paths is committed (bench/real-dockerfiles.txt, the paths with the smallest sha256); the files are
// read with `git cat-file --batch` from MIRROR/yinyuanzhang+dockerfiles/repo, a git directory
// without a work tree. Nothing third-party is committed.
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export const CORPUS_REPOSITORY = "yinyuanzhang/dockerfiles";
export const CORPUS_COMMIT = "57311bded1504ef88e11baa9977e37399e30d51d";
export const DEFAULT_MIRROR = "/work/.mirror";
export const DEFAULT_LIST = path.resolve(import.meta.dirname, "real-dockerfiles.txt");

export interface ListEntry {
  repository: string;
  commit: string;
  path: string;
}

export function mirrorGitDir(mirror: string): string {
  return path.join(mirror, CORPUS_REPOSITORY.replace("/", "+"), "repo");
}

/** One sentence for a missing mirror: what is missing and how to point at it. */
export function missingMirrorMessage(mirror: string): string | undefined {
  const gitDir = mirrorGitDir(mirror);
  if (fs.existsSync(gitDir)) return undefined;
  return `the real-Dockerfile mirror is missing: ${gitDir} (github.com/${CORPUS_REPOSITORY} at ${CORPUS_COMMIT}, a bare git directory); pass --mirror DIR with DIR/${CORPUS_REPOSITORY.replace("/", "+")}/repo in it`;
}

function git(gitDir: string, args: string[]): string {
  const result = spawnSync("git", ["--git-dir", gitDir, ...args], { encoding: "utf8", maxBuffer: 1 << 30 });
  if (result.status !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr.trim()}`);
  return result.stdout;
}

function pathKey(file: string): string {
  return crypto.createHash("sha256").update(file).digest("hex");
}

/** Every corpus Dockerfile path at the pinned commit, ordered by sha256 of the path (the list's order). */
export function corpusPathsByHash(gitDir: string): string[] {
  return git(gitDir, ["ls-tree", "-r", "--name-only", CORPUS_COMMIT])
    .split("\n")
    .filter((file) => /^data\/[^/]+\/[^/]+\/[^/]+\/Dockerfile$/.test(file))
    .map((file) => ({ file, key: pathKey(file) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ file }) => file);
}

export function readList(listFile: string): ListEntry[] {
  return fs
    .readFileSync(listFile, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.startsWith("#"))
    .map((line) => {
      const [repository = "", commit = "", file = ""] = line.trim().split(/\s+/);
      return { repository, commit, path: file };
    });
}

/**
 * The first `count` entries of the pinned list. When more are asked for than it holds, the list is
 * continued by its own rule (the next paths by sha256 at the pinned commit), after checking that
 * the rule gives the committed list back, so the choice stays pinned by the commit.
 */
export function pinnedEntries(gitDir: string, listFile: string, count: number): { entries: ListEntry[]; extended: number } {
  const listed = readList(listFile);
  if (count <= listed.length) return { entries: listed.slice(0, count), extended: 0 };
  const ordered = corpusPathsByHash(gitDir);
  listed.forEach((entry, index) => {
    if (ordered[index] !== entry.path) throw new Error(`${listFile} line ${index + 1} (${entry.path}) is not the path the list's rule gives (${ordered[index] ?? "none"})`);
  });
  const extra = ordered.slice(listed.length, count).map((file) => ({ repository: CORPUS_REPOSITORY, commit: CORPUS_COMMIT, path: file }));
  return { entries: [...listed, ...extra], extended: extra.length };
}

/** The texts of the entries, read with one `git cat-file --batch`; undefined for a missing or non-UTF-8 file. */
export function readFiles(gitDir: string, entries: readonly ListEntry[]): (string | undefined)[] {
  const result = spawnSync("git", ["--git-dir", gitDir, "cat-file", "--batch"], { input: entries.map((entry) => `${entry.commit}:${entry.path}\n`).join(""), maxBuffer: 2 ** 31 });
  if (result.status !== 0) throw new Error(`git cat-file: ${result.stderr.toString().trim()}`);
  const out = result.stdout;
  const texts: (string | undefined)[] = [];
  let position = 0;
  for (let index = 0; index < entries.length; index++) {
    const lineEnd = out.indexOf(10, position);
    const header = out.subarray(position, lineEnd).toString();
    position = lineEnd + 1;
    if (header.endsWith(" missing")) {
      texts.push(undefined);
      continue;
    }
    const size = Number(header.split(" ")[2]);
    const bytes = out.subarray(position, position + size);
    position += size + 1;
    const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
    texts.push(text.includes("\uFFFD") ? undefined : text);
  }
  return texts;
}

/** `data/a/owner/repo/Dockerfile` -> `owner+repo` (unique in the corpus: one Dockerfile per repository). */
export function repositoryName(corpusPath: string): string {
  const parts = corpusPath.split("/");
  return `${parts[2] ?? "x"}+${parts[3] ?? "x"}`;
}
