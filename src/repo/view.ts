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
  for (const dockerfile of dockerfiles) {
    const known = contextRoots.get(dockerfile);
    const root = known?.root ?? normalize(path.posix.dirname(dockerfile));
    contexts.set(dockerfile, buildContext(snapshot, dockerfile, root, known?.origin ?? "dockerfile-directory", errors));
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

function buildContext(snapshot: RepoSnapshot, dockerfile: string, root: string, origin: BuildContext["origin"], errors: Map<string, string>): BuildContext {
  const prefix = root === "" ? "" : `${root}/`;
  const specificIgnore = `${dockerfile}.dockerignore`;
  const rootIgnore = `${prefix}.dockerignore`;
  const ignorePath = snapshot.texts.has(specificIgnore) ? specificIgnore : snapshot.texts.has(rootIgnore) ? rootIgnore : undefined;
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
  const context: BuildContext = { root, dockerfile, entries, sentBytes, excludedBytes, dependencyFiles, origin };
  if (ignorePath !== undefined) context.dockerignore = { path: ignorePath, patterns };
  return context;
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
