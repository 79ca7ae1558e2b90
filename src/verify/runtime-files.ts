// Are the app's files still there? Every file, symlink and empty directory under BEFORE's working
// directory must exist at the same relative path under AFTER's, unless it falls in one of a few
// categories that nothing reads at run time (docs/verify.md lists them and why each is safe).
// The rules err on the side of reporting: a file that is merely suspicious is still reported.
import type { FsNode, MergedFilesystem } from "./filesystem.ts";
import { joinPath, parentOf } from "./filesystem.ts";
import type { Difference, IgnoredCategory, IgnoredFiles } from "./result.ts";

export interface WorkingDirectoryInput {
  before: MergedFilesystem;
  after: MergedFilesystem;
  beforeDir: string;
  afterDir: string;
  /** Real directories (in BEFORE) of packages only development dependencies reach. */
  devOnlyPackageDirs: ReadonlySet<string>;
  /** Production packages that read tsconfig.json at run time (ts-node, tsx, tsconfig-paths...). */
  runtimeReadsTsconfig: boolean;
}

export interface WorkingDirectoryResult {
  differences: Difference[];
  ignored: IgnoredFiles[];
  /** Entries compared (files, links, empty directories). */
  compared: number;
}

/** Packages that read tsconfig.json when the app runs. */
export const TSCONFIG_READERS = ["ts-node", "tsx", "tsconfig-paths", "@swc-node/register", "@esbuild-kit/esm-loader", "module-alias"];

const TEST_DIRECTORIES = new Set(["test", "tests", "__tests__", "__mocks__", "coverage", ".nyc_output"]);
const TEST_FILE = /\.(?:test|spec)\.[cm]?[jt]sx?$/;
const DOC_FILE = /(?:\.md|\.markdown)$|^(?:readme|changelog|changes|history|authors|contributors|contributing)(?:\.(?:txt|rst))?$/i;
const TYPE_DECLARATION = /\.d\.[cm]?ts$/;
const TYPESCRIPT_SOURCE = /\.([cm]?ts|tsx)$/;
const BUILD_CONFIG_DIRECTORIES = new Set([".git", ".github", ".gitlab", ".vscode", ".idea", ".husky", ".circleci"]);
const BUILD_CONFIG_FILE =
  /^(?:Dockerfile(?:\..*)?|.*\.[Dd]ockerfile|\.dockerignore|\.gitignore|\.gitattributes|\.editorconfig|\.eslintrc(?:\..*)?|\.eslintignore|eslint\.config\.[cm]?[jt]s|\.prettierrc(?:\..*)?|\.prettierignore|prettier\.config\.[cm]?[jt]s|jest\.config\.[cm]?[jt]s(?:on)?|vitest\.config\.[cm]?[jt]s|\.mocharc(?:\..*)?|\.travis\.yml|\.gitlab-ci\.yml)$/;
const TSCONFIG = /^tsconfig(?:\..*)?\.json$/;
const LOCKFILES = new Set(["package-lock.json", "yarn.lock", "pnpm-lock.yaml", "bun.lockb", "bun.lock", ".package-lock.json"]);

/**
 * Where tsc or a bundler may have put `src/x.ts` compiled: the same place, or an output directory
 * next to any of its ancestors (`dist/x.js`, `dist/src/x.js`; in a workspace package,
 * `packages/api/src/x.ts` -> `packages/api/dist/x.js`).
 */
function compiledCandidates(relative: string): string[] {
  const match = TYPESCRIPT_SOURCE.exec(relative);
  if (!match) return [];
  const stem = relative.slice(0, relative.length - (match[1] as string).length - 1);
  const extensions = match[1] === "mts" ? ["mjs"] : match[1] === "cts" ? ["cjs"] : match[1] === "tsx" ? ["js", "jsx", "mjs"] : ["js", "mjs", "cjs"];
  const stems = [stem];
  const outputs = ["dist", "build", "lib", "out"];
  const segments = stem.split("/");
  for (let index = 0; index < segments.length; index++) {
    const prefix = segments.slice(0, index);
    for (const output of outputs) {
      stems.push([...prefix, output, ...segments.slice(index)].join("/"));
      if (segments[index] === "src" && index < segments.length - 1) stems.push([...prefix, output, ...segments.slice(index + 1)].join("/"));
    }
  }
  return stems.flatMap((candidate) => extensions.map((extension) => `${candidate}.${extension}`));
}

export interface CategoryContext {
  /** True when BEFORE resolves this entry into a dev-only package directory. */
  inDevOnlyPackage: boolean;
  /** Whether AFTER has a file at this path relative to its working directory. */
  afterHas: (relative: string) => boolean;
  runtimeReadsTsconfig: boolean;
}

/** Which ignorable category a working-directory path (relative, "/"-separated) falls in, if any. */
export function ignorableCategory(relative: string, context: CategoryContext): IgnoredCategory | undefined {
  if (context.inDevOnlyPackage) return "dev-dependencies";
  const segments = relative.split("/");
  const name = segments.at(-1) ?? "";
  const directories = segments.slice(0, -1);
  for (let index = 0; index < directories.length - 1; index++) {
    if (directories[index] === "node_modules" && directories[index + 1] === ".cache") return "build-cache";
  }
  if (directories.some((segment) => TEST_DIRECTORIES.has(segment)) || TEST_FILE.test(name)) return "tests";
  if (TYPE_DECLARATION.test(name)) return "type-declarations";
  if (TYPESCRIPT_SOURCE.test(name) && compiledCandidates(relative).some((candidate) => context.afterHas(candidate))) return "typescript-source";
  if (DOC_FILE.test(name)) return "docs";
  if (directories.some((segment) => BUILD_CONFIG_DIRECTORIES.has(segment)) || BUILD_CONFIG_FILE.test(name)) return "build-config";
  if (TSCONFIG.test(name) && !context.runtimeReadsTsconfig) return "build-config";
  if (LOCKFILES.has(name)) return "lockfiles";
  return undefined;
}

function relativeTo(path: string, directory: string): string {
  return directory === "/" ? path.slice(1) : path.slice(directory.length + 1);
}

function isExecutable(node: FsNode): boolean {
  return (node.mode & 0o111) !== 0;
}

const EXAMPLES = 5;

/** Compares what BEFORE has under its working directory with AFTER's. */
export function compareWorkingDirectory(input: WorkingDirectoryInput): WorkingDirectoryResult {
  const { before, after, beforeDir, afterDir } = input;
  const afterHas = (relative: string): boolean => {
    const found = after.resolve(joinPath(afterDir, relative));
    return found !== undefined && found.node.type !== "directory";
  };
  const ignored = new Map<IgnoredCategory, IgnoredFiles>();
  const missing: string[] = [];
  const differences: Difference[] = [];
  let compared = 0;
  for (const node of before.walk(beforeDir)) {
    const isLeafDirectory = node.type === "directory" && before.list(node.path).length === 0;
    if (node.type === "directory" && !isLeafDirectory) continue;
    compared++;
    const relative = relativeTo(node.path, beforeDir);
    const afterPath = joinPath(afterDir, relative);
    const beforeTarget = node.type === "symlink" ? before.resolve(node.path) : { path: node.path, node };
    const afterEntry = after.resolve(afterPath, false);
    const afterTarget = afterEntry?.node.type === "symlink" ? after.resolve(afterPath) : afterEntry;
    // Present: same kind of thing at the same place (a link may become the file it pointed to, or the reverse).
    let present = afterEntry !== undefined;
    if (present && beforeTarget !== undefined) {
      const wantDirectory = beforeTarget.node.type === "directory";
      present = afterTarget !== undefined && (afterTarget.node.type === "directory") === wantDirectory;
    }
    if (present) {
      if (beforeTarget?.node.type === "file" && afterTarget?.node.type === "file" && isExecutable(beforeTarget.node) && !isExecutable(afterTarget.node)) {
        differences.push({ kind: "file", severity: "difference", subject: afterPath, before: modeText(beforeTarget.node.mode), after: modeText(afterTarget.node.mode), message: "No longer executable." });
      }
      continue;
    }
    const inDevOnlyPackage = insideAny(node.path, input.devOnlyPackageDirs) || (beforeTarget !== undefined && insideAny(beforeTarget.path, input.devOnlyPackageDirs));
    const category = ignorableCategory(relative, { inDevOnlyPackage, afterHas, runtimeReadsTsconfig: input.runtimeReadsTsconfig });
    if (category) {
      const entry = ignored.get(category) ?? { category, count: 0, examples: [] };
      entry.count++;
      if (entry.examples.length < EXAMPLES) entry.examples.push(relative);
      ignored.set(category, entry);
      continue;
    }
    missing.push(relative);
  }
  differences.push(...groupMissing(missing, after, afterDir));
  return { differences, ignored: [...ignored.values()], compared };
}

/** Whether `path` is one of `directories` or inside one (walking up: the set can be large). */
function insideAny(path: string, directories: ReadonlySet<string>): boolean {
  if (directories.size === 0) return false;
  for (let current = path; current !== "/"; current = parentOf(current)) if (directories.has(current)) return true;
  return false;
}

function modeText(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, "0");
}

/** One difference per missing file, or per topmost directory AFTER lacks entirely. */
function groupMissing(missing: readonly string[], after: MergedFilesystem, afterDir: string): Difference[] {
  const groups = new Map<string, string[]>();
  for (const relative of missing) {
    const segments = relative.split("/");
    let group = relative;
    for (let depth = 1; depth < segments.length; depth++) {
      const directory = segments.slice(0, depth).join("/");
      if (after.resolve(joinPath(afterDir, directory)) === undefined) {
        group = `${directory}/`;
        break;
      }
    }
    groups.set(group, [...(groups.get(group) ?? []), relative]);
  }
  return [...groups]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([group, paths]) => {
      const subject = joinPath(afterDir, group) + (group.endsWith("/") ? "/" : "");
      if (!group.endsWith("/")) return { kind: "file", severity: "difference", subject, message: "Missing in AFTER." } satisfies Difference;
      return {
        kind: "file",
        severity: "difference",
        subject,
        message: `Directory missing in AFTER (${paths.length} ${paths.length === 1 ? "entry" : "entries"} BEFORE had, e.g. ${paths.slice(0, 3).join(", ")}).`,
        paths: paths.map((path) => joinPath(afterDir, path)),
      } satisfies Difference;
    });
}
