// What the audit knows about a repository: plain data produced by the scanner (scan.ts, the
// only part that touches the disk) or built in memory by tests. Rules read only this.
import type { ComposeModel } from "./compose.ts";

export interface RepoFile {
  /** POSIX path relative to the repository root. */
  path: string;
  size: number;
  /** Ignored by .gitignore: not a Dockerfile candidate, but still part of a build context. */
  gitignored: boolean;
}

export interface RepoSnapshot {
  /** Absolute root on disk, or a label for in-memory snapshots. */
  root: string;
  /** Every file under the root (directories omitted), sorted by path. */
  files: RepoFile[];
  /** Contents of the files the audit reads (Dockerfiles, compose, .dockerignore, manifests). */
  texts: Map<string, string>;
  /** Files that could not be read or decoded, with the reason. */
  readErrors: Map<string, string>;
  /** When the walk stopped early (too many files), what it says. */
  truncated?: string;
  /** Directories the walk could not list, with the reason (their files are unknown). */
  unreadableDirectories?: Map<string, string>;
}

/** A folder the audit did not look into, and why: the CLI summarises these on stderr. */
export interface SkippedFolder {
  path: string;
  reason: "dependency-or-build" | "unreadable";
  /** `holds 2 Dockerfiles`, `cannot list directory: EACCES`. */
  detail: string;
}

export type Ecosystem = "node" | "python" | "go" | "rust" | "java" | "ruby" | "php" | "dotnet";
export type PackageManager = "npm" | "yarn" | "pnpm" | "pip" | "uv" | "poetry" | "pipenv" | "go" | "cargo" | "maven" | "gradle" | "bundler" | "composer";

export interface DependencyFile {
  path: string;
  ecosystem: Ecosystem;
  packageManager: PackageManager;
  kind: "manifest" | "lockfile";
}

export interface ContextEntry {
  /** Path relative to the context root. */
  path: string;
  size: number;
  /** Excluded by the context's .dockerignore. */
  excluded: boolean;
}

export interface BuildContext {
  /** Context directory relative to the repository root ("" for the root). */
  root: string;
  /** The Dockerfile this context was found for. */
  dockerfile: string;
  /** The ignore file Docker would use (`<Dockerfile>.dockerignore` first, then `.dockerignore`). */
  dockerignore?: { path: string; patterns: string[] };
  entries: ContextEntry[];
  sentBytes: number;
  excludedBytes: number;
  /** Dependency manifests and lockfiles in the context that are sent to the builder. */
  dependencyFiles: DependencyFile[];
  /** Where we learnt about this context: the Dockerfile's directory or a compose `build:`. */
  origin: "dockerfile-directory" | "compose";
}

export interface RepositoryView {
  snapshot: RepoSnapshot;
  dockerfiles: string[];
  composeFiles: string[];
  composes: ComposeModel[];
  /** Build contexts per Dockerfile path. */
  contexts: Map<string, BuildContext>;
  /** Files that were found but could not be read or parsed, with a clear reason. */
  errors: Map<string, string>;
  /** Folders not looked into: dependency/build folders holding Dockerfiles, unreadable folders. */
  skipped: SkippedFolder[];
}

/** The snapshot file for a repository path (snapshot.files is sorted by path). */
export function snapshotFile(snapshot: RepoSnapshot, filePath: string): RepoFile | undefined {
  const index = lowerBound(snapshot.files, filePath);
  const file = snapshot.files[index];
  return file?.path === filePath ? file : undefined;
}

/** Files under a repository directory ("" for the root), in path order. */
export function* filesUnder(snapshot: RepoSnapshot, directory: string): Generator<RepoFile> {
  const prefix = directory === "" ? "" : `${directory}/`;
  for (let index = lowerBound(snapshot.files, prefix); index < snapshot.files.length; index++) {
    const file = snapshot.files[index] as RepoFile;
    if (!file.path.startsWith(prefix)) return;
    yield file;
  }
}

function lowerBound(files: readonly RepoFile[], target: string): number {
  let low = 0;
  let high = files.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((files[middle] as RepoFile).path < target) low = middle + 1;
    else high = middle;
  }
  return low;
}
