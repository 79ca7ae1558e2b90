// The harmless edits `shipshape bench` makes to a copy of a build context, one per scenario:
// a comment appended to a source file ("code"), a dependency manifest changed without changing
// its dependencies ("deps") and a LABEL added late in the Dockerfile ("dockerfile"). Each edit
// carries a marker unique to one timed build, so the change is never already in the cache.
// Pure: file lists and texts in, new texts out; which file to touch is decided by convention
// per ecosystem, and the caller names it in the report.
import path from "node:path";
import type { DockerfileModel, Stage } from "../dockerfile/model.ts";
import { parseDockerfile } from "../dockerfile/parse.ts";
import { isVendoredPath } from "../repo/kinds.ts";

export const ECOSYSTEMS = ["node", "python", "go", "rust", "java"] as const;
export type Ecosystem = (typeof ECOSYSTEMS)[number];

/** A file chosen for a scenario, as a context-relative POSIX path. */
export interface ChosenFile {
  path: string;
  ecosystem: Ecosystem;
}

interface ManifestRule {
  ecosystem: Ecosystem;
  matches: (name: string) => boolean;
  /** Lower is preferred when several manifests sit at the same depth. */
  preference: number;
}

const MANIFESTS: ManifestRule[] = [
  { ecosystem: "node", matches: (name) => name === "package.json", preference: 0 },
  { ecosystem: "python", matches: (name) => name === "requirements.txt", preference: 1 },
  { ecosystem: "python", matches: (name) => /^requirements([-_.][\w.-]+)?\.(txt|in)$/.test(name), preference: 2 },
  { ecosystem: "python", matches: (name) => name === "pyproject.toml", preference: 3 },
  { ecosystem: "python", matches: (name) => name === "Pipfile" || name === "setup.py", preference: 4 },
  { ecosystem: "go", matches: (name) => name === "go.mod", preference: 0 },
  { ecosystem: "rust", matches: (name) => name === "Cargo.toml", preference: 0 },
  { ecosystem: "java", matches: (name) => name === "pom.xml", preference: 0 },
  { ecosystem: "java", matches: (name) => name === "build.gradle" || name === "build.gradle.kts", preference: 1 },
];

const SOURCE_EXTENSIONS: Record<Ecosystem, RegExp> = {
  node: /\.(?:[cm]?[jt]sx?)$/,
  python: /\.py$/,
  go: /\.go$/,
  rust: /\.rs$/,
  java: /\.(?:java|kt)$/,
};

/** Build output and tool directories: editing a file there is not a source change. */
const NOT_SOURCE_DIRECTORIES = new Set(["dist", "build", "out", "coverage", ".next", ".nuxt", "__pycache__", ".git"]);

function depthOf(file: string): number {
  return file.split("/").length - 1;
}

function compareCandidates(a: [number, number, string], b: [number, number, string]): number {
  return a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0);
}

/** The dependency manifest the "deps" scenario edits: the shallowest one, by ecosystem preference. */
export function pickManifest(files: readonly string[]): ChosenFile | undefined {
  const candidates: { key: [number, number, string]; chosen: ChosenFile }[] = [];
  for (const file of files) {
    if (isVendoredPath(file)) continue;
    const name = path.posix.basename(file);
    const rule = MANIFESTS.find((candidate) => candidate.matches(name));
    if (rule) candidates.push({ key: [depthOf(file), rule.preference, file], chosen: { path: file, ecosystem: rule.ecosystem } });
  }
  candidates.sort((a, b) => compareCandidates(a.key, b.key));
  return candidates[0]?.chosen;
}

/** The ecosystem of a context: its manifest's, else the one with the most source files. */
export function detectEcosystem(files: readonly string[]): Ecosystem | undefined {
  const manifest = pickManifest(files);
  if (manifest) return manifest.ecosystem;
  let best: { ecosystem: Ecosystem; count: number } | undefined;
  for (const ecosystem of ECOSYSTEMS) {
    const count = files.filter((file) => isSourceFile(file, ecosystem)).length;
    if (count > 0 && (best === undefined || count > best.count)) best = { ecosystem, count };
  }
  return best?.ecosystem;
}

function isTestFile(file: string): boolean {
  const name = path.posix.basename(file);
  const parts = file.split("/");
  if (parts.some((part) => part === "test" || part === "tests" || part === "__tests__" || part === "testdata")) return true;
  return /\.(test|spec)\.[^.]+$/.test(name) || /^test_.*\.py$/.test(name) || /_test\.(go|py)$/.test(name) || name === "conftest.py";
}

function isSourceFile(file: string, ecosystem: Ecosystem): boolean {
  if (!SOURCE_EXTENSIONS[ecosystem].test(file)) return false;
  if (isVendoredPath(file) || file.split("/").some((part) => NOT_SOURCE_DIRECTORIES.has(part))) return false;
  const name = path.posix.basename(file);
  if (ecosystem === "node" && (/\.d\.[cm]?ts$/.test(name) || /\.config\.[cm]?[jt]s$/.test(name) || /^\..*rc\.[cm]?js$/.test(name))) return false;
  return !isTestFile(file);
}

/** How much a file looks like the program's own code: lower is better. */
function sourceRank(file: string, ecosystem: Ecosystem): number {
  const name = path.posix.basename(file);
  const stem = name.replace(/\.[^.]+$/, "");
  switch (ecosystem) {
    case "node":
      return (file.startsWith("src/") ? 0 : 2) + (["index", "main", "server", "app"].includes(stem) ? 0 : 1);
    case "python":
      return ["main.py", "app.py", "__main__.py", "manage.py", "wsgi.py", "server.py"].includes(name) ? 0 : 1;
    case "go":
      return file === "main.go" ? 0 : /^cmd\/[^/]+\/main\.go$/.test(file) ? 1 : name === "main.go" ? 2 : 3;
    case "rust":
      return file === "src/main.rs" ? 0 : file === "src/lib.rs" ? 1 : /(^|\/)src\/main\.rs$/.test(file) ? 2 : 3;
    case "java":
      return file.includes("src/main/") ? 0 : 1;
  }
}

/** The source file the "code" scenario edits, by the ecosystem's conventions (e.g. src/main.rs, main.go, src/index.ts). */
export function pickSourceFile(files: readonly string[], ecosystem: Ecosystem | undefined = detectEcosystem(files)): ChosenFile | undefined {
  if (ecosystem === undefined) return undefined;
  const candidates = files.filter((file) => isSourceFile(file, ecosystem)).map((file) => ({ key: [sourceRank(file, ecosystem), depthOf(file), file] as [number, number, string], file }));
  candidates.sort((a, b) => compareCandidates(a.key, b.key));
  const best = candidates[0];
  return best ? { path: best.file, ecosystem } : undefined;
}

/** The line-comment syntax of a file, from its name; undefined when it has none we know. */
export function lineCommentFor(file: string): { open: string; close: string } | undefined {
  const name = path.posix.basename(file);
  if (/\.(?:[cm]?[jt]sx?|go|rs|java|kt|kts|gradle|scala|c|h|cc|cpp|cs|swift)$/.test(name) || name === "go.mod") return { open: "// ", close: "" };
  if (/\.(?:py|toml|txt|in|rb|sh|ya?ml|cfg)$/.test(name) || ["Pipfile", "Gemfile", "Makefile"].includes(name)) return { open: "# ", close: "" };
  if (/\.(?:xml|html?|svg)$/.test(name)) return { open: "<!-- ", close: " -->" };
  return undefined;
}

function withTrailingNewline(text: string): string {
  if (text === "" || text.endsWith("\n")) return text;
  return `${text}${text.includes("\r\n") ? "\r\n" : "\n"}`;
}

function newlineOf(text: string): string {
  return text.includes("\r\n") ? "\r\n" : "\n";
}

/** Appends a comment line in the file's own syntax; throws for a file without a known comment syntax. */
export function appendComment(file: string, text: string, marker: string): string {
  const comment = lineCommentFor(file);
  if (!comment) throw new Error(`no known comment syntax for ${file}`);
  return `${withTrailingNewline(text)}${comment.open}${marker}${comment.close}${newlineOf(text)}`;
}

/** The "code" change: a comment appended to the source file. */
export function mutateSource(file: string, text: string, marker: string): string {
  return appendComment(file, text, marker);
}

/** The top-level package.json field the "deps" scenario sets: npm and the lockfile ignore it. */
export const PACKAGE_JSON_BENCH_FIELD = "shipshapeBench";

function jsonIndent(text: string): string {
  const indented = /\n([ \t]+)"/.exec(text);
  return indented?.[1] ?? "  ";
}

/**
 * package.json with one extra top-level field. Dependencies, scripts and every other field keep
 * their values, so `npm ci` still finds the lockfile in sync (it compares dependencies only).
 */
export function mutatePackageJson(text: string, marker: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    throw new Error(`package.json is not valid JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("package.json is not a JSON object");
  const updated = { ...(parsed as Record<string, unknown>), [PACKAGE_JSON_BENCH_FIELD]: marker };
  const serialized = JSON.stringify(updated, null, jsonIndent(text));
  const newline = newlineOf(text);
  const body = newline === "\r\n" ? serialized.replace(/\n/g, "\r\n") : serialized;
  return /\r?\n$/.test(text) ? `${body}${newline}` : body;
}

/** pom.xml with an XML comment before the closing </project> (or at the end). */
export function mutatePomXml(text: string, marker: string): string {
  const closing = text.lastIndexOf("</project>");
  if (closing < 0) return appendComment("pom.xml", text, marker);
  return `${text.slice(0, closing)}<!-- ${marker} -->${newlineOf(text)}${text.slice(closing)}`;
}

/** The "deps" change for a manifest chosen by pickManifest. */
export function mutateManifest(file: string, text: string, marker: string): string {
  const name = path.posix.basename(file);
  if (name === "package.json") return mutatePackageJson(text, marker);
  if (name === "pom.xml") return mutatePomXml(text, marker);
  return appendComment(file, text, marker);
}

/** The label the "dockerfile" scenario adds. */
export const DOCKERFILE_BENCH_LABEL = "shipshape.bench";

/** The stage `docker build --target` builds (the last one without a target). */
export function targetStage(model: DockerfileModel, target?: string): Stage | undefined {
  if (target === undefined) return model.stages.at(-1);
  const wanted = target.toLowerCase();
  return model.stages.find((stage) => stage.name === wanted);
}

/**
 * The "dockerfile" change: `LABEL shipshape.bench="<marker>"` inserted before the last
 * instruction of the built stage (after its FROM when it has none), so only the end of the
 * build is affected.
 */
export function mutateDockerfile(text: string, marker: string, target?: string): string {
  const model = parseDockerfile(text);
  const stage = targetStage(model, target);
  if (!stage) throw new Error(target === undefined ? "the Dockerfile has no FROM" : `the Dockerfile has no stage named "${target}"`);
  const newline = newlineOf(text);
  const label = `LABEL ${DOCKERFILE_BENCH_LABEL}="${marker.replace(/["\\]/g, "")}"`;
  const last = stage.instructions.filter((instruction) => !instruction.onbuild).at(-1);
  if (last) {
    const lineStart = model.lineStarts[last.span.start.line - 1] ?? last.span.start.offset;
    return `${text.slice(0, lineStart)}${label}${newline}${text.slice(lineStart)}`;
  }
  // A stage that is only a FROM: the label goes on the line after it.
  const fromEnd = stage.from.span.end.offset;
  const lineEnd = text.indexOf("\n", fromEnd);
  if (lineEnd < 0) return `${text}${newline}${label}${newline}`;
  return `${text.slice(0, lineEnd + 1)}${label}${newline}${text.slice(lineEnd + 1)}`;
}
