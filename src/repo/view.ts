// From a snapshot to what the rules need: which files are Dockerfiles and compose files,
// and which build context each Dockerfile is built with. Pure: no disk access.
import path from "node:path";
import { ComposeError, parseCompose } from "./compose.ts";
import type { ComposeModel } from "./compose.ts";
import { isComposeFileName } from "./compose.ts";
import { checkDockerignore, compileDockerignore } from "./dockerignore.ts";
import { dependencyFileKind, isDockerfileName, isVendoredPath, VENDOR_DIRECTORIES } from "./kinds.ts";
import type { BuildContext, ContextEntry, DependencyFile, RepoFile, RepoSnapshot, RepositoryView, SkippedFolder } from "./snapshot.ts";

export interface ViewOptions {
  /** Only these files are audit targets (explicit file arguments); default: every candidate. */
  targets?: string[];
  /** Returns true for paths the config excludes from scanning. */
  isIgnoredPath?: (path: string) => boolean;
}

export function buildRepositoryView(snapshot: RepoSnapshot, options: ViewOptions = {}): RepositoryView {
  const isTarget = (file: RepoFile): boolean => {
    if (options.targets) return options.targets.includes(file.path);
    return !file.gitignored && !isVendoredPath(file.path) && !(options.isIgnoredPath?.(file.path) ?? false);
  };
  const name = (file: RepoFile): string => path.posix.basename(file.path);
  // A file named explicitly is audited as a Dockerfile whatever its name (unless it is a compose file).
  const explicit = (file: RepoFile): boolean => options.targets !== undefined && !isComposeFileName(name(file));
  const dockerfiles = snapshot.files.filter((file) => isTarget(file) && (isDockerfileName(name(file)) || explicit(file))).map((file) => file.path);
  const composeFiles = snapshot.files.filter((file) => isTarget(file) && isComposeFileName(name(file))).map((file) => file.path);
  const errors = new Map(snapshot.readErrors);

  const composes: ComposeModel[] = [];
  for (const composePath of composeFiles) {
    const text = snapshot.texts.get(composePath);
    if (text === undefined) continue;
    try {
      composes.push(parseCompose(text, composePath));
    } catch (error) {
      errors.set(composePath, error instanceof ComposeError ? error.message : `cannot read compose file: ${(error as Error).message}`);
    }
  }

  // Compose tells us the real context of a Dockerfile; otherwise it is the Dockerfile's directory.
  const contextRoots = new Map<string, { root: string; origin: BuildContext["origin"] }>();
  for (const compose of composes) {
    const composeDir = path.posix.dirname(compose.path);
    for (const service of compose.services) {
      if (!service.build) continue;
      const root = normalize(path.posix.join(composeDir, service.build.context));
      const dockerfile = normalize(path.posix.join(root, service.build.dockerfile ?? "Dockerfile"));
      contextRoots.set(dockerfile, { root, origin: "compose" });
    }
  }

  const contexts = new Map<string, BuildContext>();
  // Dockerfiles built from the same directory with the same ignore file send the same files: list
  // them once (a folder of 2,000 Dockerfiles would otherwise be listed 2,000 times).
  const contents = new Map<string, ContextContents>();
  for (const dockerfile of dockerfiles) {
    const known = contextRoots.get(dockerfile);
    const root = known?.root ?? normalize(path.posix.dirname(dockerfile));
    const ignorePath = ignoreFileFor(snapshot, dockerfile, root);
    const key = `${root}\0${ignorePath ?? ""}`;
    let shared = contents.get(key);
    if (!shared) {
      shared = contextContents(snapshot, root, ignorePath, errors);
      contents.set(key, shared);
    }
    const context: BuildContext = { root, dockerfile, entries: shared.entries, sentBytes: shared.sentBytes, excludedBytes: shared.excludedBytes, dependencyFiles: shared.dependencyFiles, origin: known?.origin ?? "dockerfile-directory" };
    if (shared.dockerignore !== undefined) context.dockerignore = shared.dockerignore;
    contexts.set(dockerfile, context);
  }
  return { snapshot, dockerfiles, composeFiles, composes, contexts, errors, skipped: skippedFolders(snapshot, options) };
}

/**
 * Folders the audit does not look into, said out loud: dependency and build folders
 * (node_modules, vendor, target...) that hold Dockerfiles or compose files, and folders the
 * scanner could not list.
 */
export function skippedFolders(snapshot: RepoSnapshot, options: ViewOptions): SkippedFolder[] {
  const skipped: SkippedFolder[] = [];
  if (options.targets === undefined) {
    const held = new Map<string, number>();
    for (const file of snapshot.files) {
      const name = path.posix.basename(file.path);
      if (!(isDockerfileName(name) || isComposeFileName(name))) continue;
      const parts = file.path.split("/");
      const index = parts.slice(0, -1).findIndex((part) => VENDOR_DIRECTORIES.has(part));
      if (index < 0 || (options.isIgnoredPath?.(file.path) ?? false)) continue;
      const folder = parts.slice(0, index + 1).join("/");
      held.set(folder, (held.get(folder) ?? 0) + 1);
    }
    for (const [folder, count] of held) skipped.push({ path: folder, reason: "dependency-or-build", detail: `a dependency or build folder; holds ${count === 1 ? "1 Dockerfile or compose file" : `${count} Dockerfiles or compose files`}` });
  }
  for (const [folder, reason] of snapshot.unreadableDirectories ?? []) skipped.push({ path: folder, reason: "unreadable", detail: reason });
  return skipped.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function normalize(posixPath: string): string {
  const normalized = path.posix.normalize(posixPath).replace(/(?<!\/)\/+$/, "");
  return normalized === "." ? "" : normalized;
}

/**
 * An ignore file `docker build` refuses (BuildKit fails the build on the first invalid
 * pattern) is an error on that file, with each refused line; the context is still described
 * with the patterns Docker accepts, which is what the file evidently means.
 */
function readIgnoreFile(snapshot: RepoSnapshot, ignorePath: string, errors: Map<string, string>): string[] {
  const { patterns, problems } = checkDockerignore(snapshot.texts.get(ignorePath) ?? "");
  if (problems.length > 0 && !errors.has(ignorePath)) {
    const shown = problems.slice(0, 3).map((problem) => `line ${problem.line}: ${problem.message.length > 200 ? `${problem.message.slice(0, 200)}...` : problem.message}`);
    const more = problems.length > shown.length ? `; and ${problems.length - shown.length} more` : "";
    errors.set(ignorePath, `invalid .dockerignore, docker build refuses it: ${shown.join("; ")}${more} (the build context was audited without ${problems.length === 1 ? "this line" : "these lines"})`);
  }
  return patterns;
}

type ContextContents = Pick<BuildContext, "entries" | "sentBytes" | "excludedBytes" | "dependencyFiles" | "dockerignore">;

/** The ignore file Docker uses: `<Dockerfile>.dockerignore` first, then the context's `.dockerignore`. */
function ignoreFileFor(snapshot: RepoSnapshot, dockerfile: string, root: string): string | undefined {
  const specificIgnore = `${dockerfile}.dockerignore`;
  const rootIgnore = `${root === "" ? "" : `${root}/`}.dockerignore`;
  return snapshot.texts.has(specificIgnore) ? specificIgnore : snapshot.texts.has(rootIgnore) ? rootIgnore : undefined;
}

function contextContents(snapshot: RepoSnapshot, root: string, ignorePath: string | undefined, errors: Map<string, string>): ContextContents {
  const prefix = root === "" ? "" : `${root}/`;
  const patterns = ignorePath === undefined ? [] : readIgnoreFile(snapshot, ignorePath, errors);
  const matcher = compileDockerignore(patterns);

  const entries: ContextEntry[] = [];
  const dependencyFiles: DependencyFile[] = [];
  let sentBytes = 0;
  let excludedBytes = 0;
  // snapshot.files is sorted by path, so the context's files are one contiguous run.
  for (let index = lowerBound(snapshot.files, prefix); index < snapshot.files.length; index++) {
    const file = snapshot.files[index] as RepoFile;
    if (!file.path.startsWith(prefix)) break;
    const relative = file.path.slice(prefix.length);
    const excluded = patterns.length > 0 && matcher.excludes(relative);
    entries.push({ path: relative, size: file.size, excluded });
    if (excluded) excludedBytes += file.size;
    else sentBytes += file.size;
    if (!excluded && !isVendoredPath(relative)) {
      const kind = dependencyFileKind(path.posix.basename(relative));
      if (kind) dependencyFiles.push({ path: relative, ...kind });
    }
  }
  const contents: ContextContents = { entries, sentBytes, excludedBytes, dependencyFiles };
  if (ignorePath !== undefined) contents.dockerignore = { path: ignorePath, patterns };
  return contents;
}

function lowerBound(files: RepoFile[], prefix: string): number {
  let low = 0;
  let high = files.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((files[middle] as RepoFile).path < prefix) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The project each Dockerfile belongs to, as a directory (relative to the repository root, "" for
 * the root). Repositories of samples hold many independent projects side by side (one compose
 * file each); comparing their Dockerfiles with each other finds "duplication" and "drift" that
 * nobody can or should align. A project is:
 *  - for a Dockerfile a compose file builds: the compose file's directory; compose files that
 *    build a common Dockerfile (or sit in the same directory) are one project, rooted at the
 *    directory containing them all;
 *  - for any other Dockerfile: the project of the nearest enclosing directory (its own included)
 *    that holds a compose file or a nested repository (`.git`), or the repository root.
 * A package manifest alone does not make a project: services of one monorepo each have their own.
 */
export function projectRoots(view: RepositoryView): Map<string, string> {
  // Union-find over the directories that hold compose files.
  const parent = new Map<string, string>();
  const find = (directory: string): string => {
    let current = directory;
    for (let next = parent.get(current); next !== undefined && next !== current; next = parent.get(current)) current = next;
    if (parent.has(directory)) parent.set(directory, current);
    return current;
  };
  const union = (a: string, b: string): void => {
    const rootA = find(a);
    const rootB = find(b);
    if (rootA !== rootB) parent.set(rootB, rootA);
  };
  for (const composePath of view.composeFiles) {
    const directory = normalize(path.posix.dirname(composePath));
    if (!parent.has(directory)) parent.set(directory, directory);
  }
  const builtBy = new Map<string, string>();
  for (const compose of view.composes) {
    const composeDir = normalize(path.posix.dirname(compose.path));
    if (!parent.has(composeDir)) parent.set(composeDir, composeDir);
    for (const service of compose.services) {
      if (!service.build) continue;
      const dockerfile = normalize(path.posix.join(normalize(path.posix.join(composeDir, service.build.context)), service.build.dockerfile ?? "Dockerfile"));
      const earlier = builtBy.get(dockerfile);
      if (earlier === undefined) builtBy.set(dockerfile, composeDir);
      else union(earlier, composeDir);
    }
  }
  // Nested repositories (`.git` directories or submodule files) are project boundaries too.
  const repositoryDirs = new Set<string>();
  for (const file of view.snapshot.files) {
    const match = /(?:^|\/)\.git(?:\/|$)/.exec(file.path);
    if (match) repositoryDirs.add(normalize(file.path.slice(0, match.index)));
  }
  // Each group's root: the deepest directory containing all of its compose directories.
  const members = new Map<string, string[]>();
  for (const directory of parent.keys()) {
    const group = find(directory);
    members.set(group, [...(members.get(group) ?? []), directory]);
  }
  const groupRoot = (directory: string): string => commonDirectory(members.get(find(directory)) ?? [directory]);

  const roots = new Map<string, string>();
  for (const dockerfile of view.dockerfiles) {
    const composeDir = builtBy.get(dockerfile);
    if (composeDir !== undefined) {
      roots.set(dockerfile, groupRoot(composeDir));
      continue;
    }
    let directory = normalize(path.posix.dirname(dockerfile));
    for (;;) {
      if (parent.has(directory)) {
        roots.set(dockerfile, groupRoot(directory));
        break;
      }
      if (repositoryDirs.has(directory) || directory === "") {
        roots.set(dockerfile, directory);
        break;
      }
      directory = normalize(path.posix.dirname(directory));
    }
  }
  return roots;
}

/** The deepest directory that contains all the given ones ("" for the repository root). */
function commonDirectory(directories: readonly string[]): string {
  const split = directories.map((directory) => (directory === "" ? [] : directory.split("/")));
  const first = split[0] ?? [];
  let length = first.length;
  for (const parts of split) {
    let same = 0;
    while (same < Math.min(length, parts.length) && parts[same] === first[same]) same++;
    length = same;
  }
  return first.slice(0, length).join("/");
}
