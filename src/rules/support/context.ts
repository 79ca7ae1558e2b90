// What a Dockerfile takes from its build context, and helpers shared by the build-context
// rules (missing-dockerignore, context-includes-*, context-too-large). Formatting lives in
// src/format/, compose path resolution in src/repo/compose-service.ts, snapshot lookups in
// src/repo/snapshot.ts.
//
// Which files are sent: BuildKit (the default builder since Docker Engine 23 and in Docker
// Desktop) asks the client only for the paths the Dockerfile's COPY/ADD sources and
// `RUN --mount=type=bind` sources name (dockerfile2llb passes them as FollowPaths); a source
// of `.` makes it the whole context minus .dockerignore. The classic builder
// (DOCKER_BUILDKIT=0) tars and sends the whole context whatever the Dockerfile copies. These
// rules report what BuildKit sends, so a Dockerfile that copies only `package.json` and `src/`
// is not blamed for a `.git` it never reads.
import path from "node:path";
import type { DockerfileModel, Instruction, Stage } from "../../dockerfile/model.ts";
import { isCopyOrAdd, isKeyValue, isRun } from "../../dockerfile/model.ts";
import { substituteVariables } from "../../dockerfile/image-ref.ts";
import { compileDockerignore, parseDockerignore } from "../../repo/dockerignore.ts";
import type { DockerignoreMatcher } from "../../repo/dockerignore.ts";
import type { BuildContext, ContextEntry } from "../../repo/snapshot.ts";
import { formatBytes, joinWithAnd } from "../../format/index.ts";
import { compileGlob } from "../../repo/glob.ts";

/** A path a Dockerfile reads from its build context. */
export interface ContextSource {
  instruction: Instruction;
  stage: Stage;
  /** `copy` lands in a layer; `bind-mount` is only visible while one RUN runs. */
  kind: "copy" | "bind-mount";
  /** The source as written. */
  raw: string;
  /** One matcher per path component of the cleaned source; none for the whole context. */
  components: ((name: string) => boolean)[];
  /** `COPY --exclude=...` patterns, matched below the source like .dockerignore patterns. */
  exclude?: DockerignoreMatcher;
}

/** contextSources per model: eight rules ask for the same Dockerfile's sources. */
const sourcesByModel = new WeakMap<DockerfileModel, readonly ContextSource[]>();

/**
 * Every source this Dockerfile reads from the build context (not `--from`, URLs or heredocs), in
 * file order. Computed once per model and shared by every caller, hence read-only.
 */
export function contextSources(model: DockerfileModel): readonly ContextSource[] {
  let sources = sourcesByModel.get(model);
  if (!sources) {
    sources = computeContextSources(model);
    sourcesByModel.set(model, sources);
  }
  return sources;
}

function computeContextSources(model: DockerfileModel): ContextSource[] {
  const sources: ContextSource[] = [];
  for (const stage of model.stages) {
    // COPY sources expand ARG and ENV values; unresolvable ones are skipped rather than guessed.
    const values = new Map(model.globalArgs);
    for (const instruction of stage.instructions) {
      if (isKeyValue(instruction) && instruction.keyword !== "LABEL") {
        for (const pair of instruction.pairs) if (pair.value !== undefined || !values.has(pair.key)) values.set(pair.key, pair.value);
      }
      if (isCopyOrAdd(instruction) && instruction.from === undefined) {
        const excludes = instruction.flags.filter((flag) => flag.name === "exclude" && flag.value).map((flag) => flag.value ?? "");
        const exclude = excludes.length > 0 ? compileExcludes(excludes) : undefined;
        for (const raw of instruction.sources) {
          const components = sourceComponents(raw, values);
          if (!components) continue;
          const source: ContextSource = { instruction, stage, kind: "copy", raw, components };
          if (exclude) source.exclude = exclude;
          sources.push(source);
        }
      }
      if (isRun(instruction)) {
        for (const mount of instruction.mounts) {
          if (mount.type !== "bind" || mount.from !== undefined) continue;
          const raw = mount.source ?? ".";
          const components = sourceComponents(raw, values);
          if (components) sources.push({ instruction, stage, kind: "bind-mount", raw, components });
        }
      }
    }
  }
  return sources;
}

function sourceComponents(raw: string, values: ReadonlyMap<string, string | undefined>): ((name: string) => boolean)[] | undefined {
  if (raw.startsWith("<<") || /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) || raw.startsWith("git@")) return undefined;
  const { text, unresolved } = substituteVariables(raw, values);
  if (unresolved) return undefined;
  const cleaned = path.posix.normalize(`/${text}`).replace(/^\/+|(?<!\/)\/+$/g, "");
  if (cleaned === "" || cleaned === ".") return [];
  return cleaned.split("/").map(componentMatcher);
}

/** Go filepath.Match semantics for one path component: `*`, `?`, `[...]`, `\x`. */
function componentMatcher(pattern: string): (name: string) => boolean {
  if (!/[*?[\\]/.test(pattern)) return (name) => name === pattern;
  // A `[` without its `]` is ErrBadPattern for Go: nothing matches.
  return compileGlob(pattern, { unclosedClass: "invalid" });
}

function compileExcludes(patterns: string[]): DockerignoreMatcher | undefined {
  try {
    return compileDockerignore(parseDockerignore(patterns.join("\n")));
  } catch {
    return undefined;
  }
}

/**
 * Whether `source` takes the context path split into `parts` (itself or a parent directory
 * matches) into the step. A `COPY --exclude` pattern keeps the path out of the layer and the
 * cache key; BuildKit still transfers it, which sentSummary counts.
 */
export function covers(source: ContextSource, parts: readonly string[]): boolean {
  if (parts.length < source.components.length) return false;
  if (!source.components.every((matches, index) => matches(parts[index] ?? ""))) return false;
  if (!source.exclude || parts.length === source.components.length) return true;
  try {
    return !source.exclude.excludes(parts.slice(source.components.length).join("/"));
  } catch {
    return true;
  }
}

/** Whether the source's matched components take the path, ignoring --exclude: what BuildKit transfers. */
function transfers(source: ContextSource, parts: readonly string[]): boolean {
  return parts.length >= source.components.length && source.components.every((matches, index) => matches(parts[index] ?? ""));
}

/** A source of `.` (or `*`): the whole context. */
export function isWholeContext(source: ContextSource): boolean {
  return source.components.length === 0 || (source.components.length === 1 && (source.raw.replace(/^\.?\/+/, "") === "*"));
}

// Dockerfiles that share a context directory and ignore file share its `entries` array
// (src/repo/view.ts), so these caches are keyed by that array: work over a context's files is
// done once per context, not once per Dockerfile (2,000 Dockerfiles in one folder would
// otherwise cost 2,000 x 2,000 entry visits per rule).
const sentEntriesCache = new WeakMap<readonly ContextEntry[], [ContextEntry, string[]][]>();

/** Entries .dockerignore lets through, with their path components; computed once per context for all rules. */
function sentEntries(context: BuildContext): [ContextEntry, string[]][] {
  let sent = sentEntriesCache.get(context.entries);
  if (!sent) {
    sent = context.entries.filter((entry) => !entry.excluded).map((entry) => [entry, entry.path.split("/")]);
    sentEntriesCache.set(context.entries, sent);
  }
  return sent;
}

interface ClassifiedEntry {
  entry: ContextEntry;
  parts: string[];
  index: number;
}

const classifiedCache = new WeakMap<readonly ContextEntry[], Map<string, ClassifiedEntry[]>>();

/** The sent entries `classify` recognises, cached per context under `key` (see GroupOptions.key). */
function classifiedEntries(context: BuildContext, key: string, classify: (parts: string[], entry: ContextEntry) => number | undefined): ClassifiedEntry[] {
  let byKey = classifiedCache.get(context.entries);
  if (!byKey) {
    byKey = new Map();
    classifiedCache.set(context.entries, byKey);
  }
  let classified = byKey.get(key);
  if (!classified) {
    classified = [];
    for (const [entry, parts] of sentEntries(context)) {
      const index = classify(parts, entry);
      if (index !== undefined) classified.push({ entry, parts, index });
    }
    byKey.set(key, classified);
  }
  return classified;
}

/** A group of context files a rule reports: a directory (`node_modules`, `web/dist`) or one file. */
export interface PathGroup {
  path: string;
  isDirectory: boolean;
  bytes: number;
  files: number;
  /** The first source (file order) that takes the group (without naming it, when named ones are skipped). */
  via: ContextSource;
}

export interface GroupOptions {
  /** Sources to consider: `contextSources(model)`, or a subset (copies only, shipped stages only). */
  sources: readonly ContextSource[];
  /**
   * When a source names the path itself (`COPY dist/ /html`), the path is needed in the context
   * and excluding it would break the build: skip it. Off for secrets, which are a problem even
   * when copied on purpose.
   */
  skipNamedExplicitly: boolean;
  /**
   * Names the classifier (the rule id): `classify` must then depend only on the entry and its
   * context, never on the Dockerfile, and its answers are computed once per context.
   */
  key: string;
}

/**
 * Groups the sent (not .dockerignore'd) entries that `classify` recognises. `classify` returns
 * the index of the component that makes the path interesting (the `node_modules` in
 * `web/node_modules/x/index.js`, or the last one for a file), or undefined.
 */
export function sentGroups(context: BuildContext, options: GroupOptions, classify: (parts: string[], entry: ContextEntry) => number | undefined): PathGroup[] {
  const groups = new Map<string, PathGroup>();
  for (const { entry, parts, index } of classifiedEntries(context, options.key, classify)) {
    let via: ContextSource | undefined;
    let named = false;
    for (const source of options.sources) {
      if (!covers(source, parts)) continue;
      // A source with more components than the interesting one's index names it (or something inside it).
      const namesIt = source.components.length > index;
      if (namesIt) named = true;
      if (!namesIt || !options.skipNamedExplicitly) via ??= source;
    }
    if (!via || (named && options.skipNamedExplicitly)) continue;
    const key = parts.slice(0, index + 1).join("/");
    const group = groups.get(key);
    if (group) {
      group.bytes += entry.size;
      group.files++;
      if (via.instruction.index < group.via.instruction.index) group.via = via;
    } else {
      groups.set(key, { path: key, isDirectory: index < parts.length - 1, bytes: entry.size, files: 1, via });
    }
  }
  return [...groups.values()].sort((a, b) => b.bytes - a.bytes || (a.path < b.path ? -1 : 1));
}

/** The instruction to report on: the earliest that takes one of the groups. */
export function firstVia(groups: readonly PathGroup[]): ContextSource | undefined {
  let first: ContextSource | undefined;
  for (const group of groups) if (!first || group.via.instruction.index < first.instruction.index) first = group.via;
  return first;
}

/** `node_modules/ (41.2 MB), web/dist/ (3.1 MB) and 4 more`. */
export function describeGroups(groups: readonly PathGroup[], limit = 4): string {
  const shown = groups.slice(0, limit).map((group) => `${group.path}${group.isDirectory ? "/" : ""} (${formatBytes(group.bytes)})`);
  const rest = groups.length - shown.length;
  return rest > 0 ? `${shown.join(", ")} and ${rest} more` : joinWithAnd(shown);
}

export interface SentSummary {
  files: number;
  bytes: number;
  /** Top-level directories by bytes sent, largest first. */
  directories: { name: string; bytes: number }[];
  /** The first whole-context source, or else the source that sends the most bytes. */
  via: ContextSource | undefined;
  wholeContext: boolean;
}

/** What BuildKit transfers for this Dockerfile: sent entries any source takes. */
export function sentSummary(context: BuildContext, sources: readonly ContextSource[]): SentSummary {
  const whole = sources.find(isWholeContext);
  if (whole) {
    // Everything sent is transferred: the counts depend on the context alone.
    let totals = wholeContextCache.get(context.entries);
    if (!totals) {
      totals = summarizeSent(context, []);
      wholeContextCache.set(context.entries, totals);
    }
    return { ...totals, via: whole, wholeContext: true };
  }
  return summarizeSent(context, sources);
}

const wholeContextCache = new WeakMap<readonly ContextEntry[], Omit<SentSummary, "via" | "wholeContext">>();

/** Sent files, bytes and top-level directories: every sent entry when `sources` is empty, else the entries a source transfers. */
function summarizeSent(context: BuildContext, sources: readonly ContextSource[]): SentSummary {
  const whole = sources.length === 0;
  let files = 0;
  let bytes = 0;
  const directories = new Map<string, number>();
  const bytesBySource = new Map<ContextSource, number>();
  for (const [entry, parts] of sentEntries(context)) {
    if (!whole) {
      const source = sources.find((candidate) => transfers(candidate, parts));
      if (!source) continue;
      bytesBySource.set(source, (bytesBySource.get(source) ?? 0) + entry.size);
    }
    files++;
    bytes += entry.size;
    if (parts.length > 1) directories.set(parts[0] ?? "", (directories.get(parts[0] ?? "") ?? 0) + entry.size);
  }
  const sorted = [...directories].map(([name, size]) => ({ name, bytes: size })).sort((a, b) => b.bytes - a.bytes || (a.name < b.name ? -1 : 1));
  const largest = [...bytesBySource].sort((a, b) => b[1] - a[1] || a[0].instruction.index - b[0].instruction.index)[0]?.[0];
  return { files, bytes, directories: sorted, via: largest, wholeContext: false };
}

/** `COPY . .` / `RUN --mount=type=bind` as written, for messages. */
export function describeSource(source: ContextSource): string {
  const text = source.kind === "copy" ? `${source.instruction.keyword} ${source.instruction.argumentText}` : `RUN --mount=type=bind,source=${source.raw}`;
  const oneLine = text.replace(/\s+/g, " ");
  return oneLine.length > 40 ? `${oneLine.slice(0, 37)}...` : oneLine;
}

/** Directories holding other people's code or tool state: never the project's own tests, keys or output. */
export const THIRD_PARTY_DIRECTORIES = new Set(["node_modules", "bower_components", "vendor", ".venv", "venv", "site-packages", ".tox", ".pnpm-store", ".gradle", ".git", ".hg", ".svn", "__pycache__"]);

/** Index of the first component in THIRD_PARTY_DIRECTORIES before `end`, or -1. */
export function thirdPartyIndex(parts: readonly string[], end = parts.length - 1): number {
  for (let index = 0; index < end; index++) if (THIRD_PARTY_DIRECTORIES.has(parts[index] ?? "")) return index;
  return -1;
}

/** A set of a context's entry paths, for "is there a Cargo.toml next to this target/" questions. */
const entryPathSetCache = new WeakMap<readonly ContextEntry[], Set<string>>();

/** The context's entry paths, built once per context. */
export function entryPathSet(context: BuildContext): Set<string> {
  let paths = entryPathSetCache.get(context.entries);
  if (!paths) {
    paths = new Set(context.entries.map((entry) => entry.path));
    entryPathSetCache.set(context.entries, paths);
  }
  return paths;
}

