// npm workspaces: which workspace packages the build commands build and where each one writes
// its output. When all of that is certain, the runtime takes the manifests and node_modules
// (with the workspace links) from the manifest-only production install and only the build
// output from the build stage, so a code change does not re-run a prune. Any doubt (a script
// the planner cannot follow, a workspace nothing builds, an output directory no config names)
// gives undefined, and the planner ships the pruned build instead.
import path from "node:path";
import type { ContextFiles } from "../context.ts";
import { hasDirectory } from "../context.ts";
import { plainWords } from "../render.ts";
import { toolOutput } from "./build-output.ts";
import { normalizeDirectory, parsePackageJson } from "./manifests.ts";
import type { PackageJson } from "./manifests.ts";
import type { NodeProject } from "./project.ts";
import { compileGlob } from "../../repo/glob.ts";

interface WorkspacePackage {
  /** Directory relative to the project root: `packages/api`. */
  directory: string;
  manifest: PackageJson;
}

/** `npm run <script>` in the root package (`workspaces` empty and not `all`) or in the selected workspaces. */
interface ScriptRun {
  script: string;
  workspaces: string[];
  all: boolean;
  ifPresent: boolean;
}

export interface WorkspaceShipment {
  /** Directories relative to the project root the runtime copies from the build stage: build output and runtime assets, per workspace. */
  directories: string[];
  /** Where each workspace's output directory came from, for the notes. */
  sources: string[];
}

/** Scripts npm runs around `npm run <script>`: their commands are not followed, so their presence means "not certain". */
function hasLifecycleNeighbours(scripts: Record<string, string>, script: string): boolean {
  return scripts[`pre${script}`] !== undefined || scripts[`post${script}`] !== undefined;
}

/** `npm run build --workspace @acme/api` as a ScriptRun; undefined for anything else (other tools, unknown flags, arguments passed to the script). */
export function parseNpmRun(words: readonly string[]): ScriptRun | undefined {
  if (words[0] !== "npm") return undefined;
  const run: ScriptRun = { script: "", workspaces: [], all: false, ifPresent: false };
  const positionals: string[] = [];
  for (let index = 1; index < words.length; index++) {
    const word = words[index] ?? "";
    const [flag = "", value] = word.split(/=(.*)/s);
    if (flag === "--workspace" || flag === "-w") {
      const selected = value ?? words[++index];
      if (selected === undefined || selected === "") return undefined;
      run.workspaces.push(selected);
    } else if ((flag === "--workspaces" || flag === "--ws") && (value === undefined || value === "true")) run.all = true;
    else if (flag === "--if-present" && value === undefined) run.ifPresent = true;
    else if (word.startsWith("-")) return undefined;
    else positionals.push(word);
  }
  const [command, script, ...rest] = positionals;
  if ((command !== "run" && command !== "run-script") || script === undefined || rest.length > 0) return undefined;
  run.script = script;
  return run;
}

/** The workspace script runs a command text leads to, following root scripts; undefined when some part is not such a run. */
function workspaceRuns(text: string, rootScripts: Record<string, string>, depth: number): ScriptRun[] | undefined {
  const runs: ScriptRun[] = [];
  for (const segment of text.split("&&")) {
    const words = plainWords(segment);
    const run = words === undefined ? undefined : parseNpmRun(words);
    if (run === undefined) return undefined;
    if (run.all || run.workspaces.length > 0) {
      runs.push(run);
      continue;
    }
    const body = rootScripts[run.script];
    if (body === undefined || depth >= 5 || hasLifecycleNeighbours(rootScripts, run.script)) return undefined;
    const inner = workspaceRuns(body, rootScripts, depth + 1);
    if (inner === undefined) return undefined;
    runs.push(...inner);
  }
  return runs;
}

/** `packages/*` style workspace patterns: `*` is one path segment, `**` any number. */
function matchesWorkspacePattern(directory: string, pattern: string): boolean {
  return compileGlob(normalizeDirectory(pattern), { globstar: true })(directory);
}

/** The context files under `directory`, with paths relative to it (what a workspace's own scripts and tsconfig see). */
function filesUnder(files: ContextFiles, directory: string): ContextFiles {
  const prefix = `${directory}/`;
  const inside = (relative: string): string => `${prefix}${relative}`;
  const paths = files.paths.filter((file) => file.startsWith(prefix)).map((file) => file.slice(prefix.length));
  return {
    has: (relative) => files.has(inside(relative)),
    excluded: (relative) => files.excluded(inside(relative)),
    text: (relative) => files.text(inside(relative)),
    paths,
    named: (name) => files.named(name).filter((file) => file.startsWith(prefix)).map((file) => file.slice(prefix.length)),
  };
}

function workspacePackages(project: NodeProject, files: ContextFiles): WorkspacePackage[] | undefined {
  const declared = project.manifest.workspaces;
  const patterns = declared === undefined ? [] : Array.isArray(declared) ? declared : (declared.packages ?? []);
  const packages: WorkspacePackage[] = [];
  for (const manifestPath of project.workspaceManifests) {
    const directory = path.posix.dirname(manifestPath);
    // A package.json that is no workspace (a fixture, a vendored package) is part of the sources the planner does not list.
    if (patterns.some((pattern) => pattern.startsWith("!")) || !patterns.some((pattern) => matchesWorkspacePattern(directory, pattern))) return undefined;
    const text = files.text(manifestPath);
    const manifest = text === undefined ? undefined : parsePackageJson(text);
    if (manifest === undefined) return undefined;
    packages.push({ directory, manifest });
  }
  return packages;
}

/**
 * What the runtime needs from the build stage of an npm workspaces project: every workspace's
 * build output and runtime asset directories. Undefined unless the build commands are `npm run`
 * chains that build every workspace with a tool whose output directory the workspace's own
 * config names, and the start file lies in one of those outputs.
 */
export function npmWorkspaceShipment(project: NodeProject, files: ContextFiles, startFile: string | undefined, workdir: string, assetDirectories: readonly string[]): WorkspaceShipment | undefined {
  if (project.manager.manager !== "npm" || startFile === undefined) return undefined;
  const packages = workspacePackages(project, files);
  if (packages === undefined || packages.length === 0) return undefined;
  const rootScripts = project.manifest.scripts ?? {};
  const runs: ScriptRun[] = [];
  for (const command of project.buildCommands) {
    const commandRuns = workspaceRuns(command, rootScripts, 0);
    if (commandRuns === undefined) return undefined;
    runs.push(...commandRuns);
  }

  const outputs = new Map<string, Set<string>>();
  const sources: string[] = [];
  for (const run of runs) {
    const selected = run.all ? packages : packages.filter((candidate) => run.workspaces.some((selector) => selects(selector, candidate)));
    if (!run.all && run.workspaces.some((selector) => !packages.some((candidate) => selects(selector, candidate)))) return undefined;
    for (const workspace of selected) {
      const scripts = workspace.manifest.scripts ?? {};
      const body = scripts[run.script];
      if (body === undefined) {
        if (run.ifPresent) continue;
        return undefined;
      }
      if (hasLifecycleNeighbours(scripts, run.script)) return undefined;
      const output = toolOutput([body], filesUnder(files, workspace.directory), { review: [] });
      if (output === undefined || output.directories.some((directory) => directory === "" || directory === "." || directory.startsWith("..") || directory.startsWith("/"))) return undefined;
      const directories = outputs.get(workspace.directory) ?? new Set<string>();
      for (const directory of output.directories) directories.add(`${workspace.directory}/${directory}`);
      outputs.set(workspace.directory, directories);
      sources.push(`${workspace.directory}: ${output.source ?? "the build"}`);
    }
  }
  // A workspace nothing builds runs from its sources, which the planner cannot list.
  if (packages.some((workspace) => !outputs.has(workspace.directory))) return undefined;

  const built = [...outputs.values()].flatMap((directories) => [...directories]);
  const relativeStart = normalizeDirectory(startFile.startsWith(`${workdir}/`) ? startFile.slice(workdir.length + 1) : startFile);
  if (!built.some((directory) => relativeStart.startsWith(`${directory}/`))) return undefined;

  const extra: string[] = [];
  for (const root of ["", ...packages.map((workspace) => workspace.directory)]) {
    const prefix = root === "" ? "" : `${root}/`;
    for (const directory of assetDirectories) if (hasDirectory(files, `${prefix}${directory}`)) extra.push(`${prefix}${directory}`);
    const manifest = root === "" ? project.manifest : packages.find((workspace) => workspace.directory === root)?.manifest;
    for (const entry of (manifest?.files ?? []).map(normalizeDirectory)) {
      if (entry.includes("*") || entry.startsWith("..") || entry === "package.json") continue;
      extra.push(`${prefix}${entry}`);
    }
  }
  const directories = [...built];
  for (const directory of extra) {
    const covered = directories.some((shipped) => directory === shipped || directory.startsWith(`${shipped}/`));
    if (covered) continue;
    // A "files" entry neither the context nor a known output has: something else in the build makes it.
    if (!files.has(directory) && !hasDirectory(files, directory)) return undefined;
    directories.push(directory);
  }
  return { directories, sources };
}

/** `--workspace` takes a package name, a workspace directory or a directory holding workspaces. */
function selects(selector: string, workspace: WorkspacePackage): boolean {
  const directory = normalizeDirectory(selector);
  return workspace.manifest.name === selector || workspace.directory === directory || workspace.directory.startsWith(`${directory}/`);
}
