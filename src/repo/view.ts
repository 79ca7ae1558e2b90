// From a snapshot to what the rules need: which files are Dockerfiles and compose files,
// and which build context each Dockerfile is built with. Pure: no disk access.
import path from "node:path";
import { ComposeError, parseCompose } from "./compose.ts";
import type { ComposeModel } from "./compose.ts";
import { isComposeFileName } from "./compose.ts";
import { compileDockerignore, parseDockerignore } from "./dockerignore.ts";
import { dependencyFileKind, isDockerfileName, isVendoredPath } from "./kinds.ts";
import type { BuildContext, ContextEntry, DependencyFile, RepoFile, RepoSnapshot, RepositoryView } from "./snapshot.ts";

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
      shared = contextContents(snapshot, root, ignorePath);
      contents.set(key, shared);
    }
    const context: BuildContext = { root, dockerfile, entries: shared.entries, sentBytes: shared.sentBytes, excludedBytes: shared.excludedBytes, dependencyFiles: shared.dependencyFiles, origin: known?.origin ?? "dockerfile-directory" };
    if (shared.dockerignore !== undefined) context.dockerignore = shared.dockerignore;
    contexts.set(dockerfile, context);
  }
  return { snapshot, dockerfiles, composeFiles, composes, contexts, errors };
}

function normalize(posixPath: string): string {
  const normalized = path.posix.normalize(posixPath).replace(/\/+$/, "");
  return normalized === "." ? "" : normalized;
}

type ContextContents = Pick<BuildContext, "entries" | "sentBytes" | "excludedBytes" | "dependencyFiles" | "dockerignore">;

/** The ignore file Docker uses: `<Dockerfile>.dockerignore` first, then the context's `.dockerignore`. */
function ignoreFileFor(snapshot: RepoSnapshot, dockerfile: string, root: string): string | undefined {
  const specificIgnore = `${dockerfile}.dockerignore`;
  const rootIgnore = `${root === "" ? "" : `${root}/`}.dockerignore`;
  return snapshot.texts.has(specificIgnore) ? specificIgnore : snapshot.texts.has(rootIgnore) ? rootIgnore : undefined;
}

function contextContents(snapshot: RepoSnapshot, root: string, ignorePath: string | undefined): ContextContents {
  const prefix = root === "" ? "" : `${root}/`;
  const patterns = ignorePath === undefined ? [] : parseDockerignore(snapshot.texts.get(ignorePath) ?? "");
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
