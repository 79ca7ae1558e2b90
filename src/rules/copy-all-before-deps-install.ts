import type { CopyInstruction, DockerfileModel, RunInstruction, ShellCommand, Stage } from "../dockerfile/model.ts";
import { isCopyOrAdd, isRun } from "../dockerfile/model.ts";
import type { BuildContext, DependencyFile, PackageManager, RepositoryView } from "../repo/snapshot.ts";
import { hasOption, subcommand } from "./queries.ts";
import type { DependencyInstall } from "./queries.ts";
import { LOCKFILES, MANIFESTS, commandLabel, joinWithAnd, manifestInstall, runEnvironment } from "./support/cache-mounts.ts";
import { normalizePath } from "./support/package-hygiene.ts";
import type { DockerfileRule, RuleReport, TextEdit } from "./types.ts";

// A layer's cache key includes the files COPY brought in before it. With `COPY . .` before
// `npm ci`, editing any source file changes that key, so every build re-downloads and
// re-installs all dependencies. Copying only the manifest and lockfile first, installing, then
// copying the rest keeps the install cached until the dependencies themselves change.
export const rule: DockerfileRule = {
  meta: {
    id: "copy-all-before-deps-install",
    description: "The whole source tree is copied before the dependency install, so every source change re-runs the install.",
    impact: "high",
    category: "cache",
    scope: "dockerfile",
    hadolint: [],
    fixable: true,
    fixLevel: "safe",
  },
  check({ dockerfile, buildContext, repository }) {
    const reports: RuleReport[] = [];
    for (const stage of dockerfile.stages) {
      let broad: CopyInstruction | undefined;
      for (const instruction of stage.instructions) {
        if (instruction.onbuild) continue;
        if (isCopyOrAdd(instruction) && isBroadCopy(instruction, buildContext)) broad = instruction;
        if (!broad || !isRun(instruction)) continue;
        const cargo = cargoBuildWithoutDependencyLayer(stage, broad, instruction);
        if (cargo) {
          reports.push({
            message: `\`${commandLabel(cargo)}\` runs after \`${broad.keyword} ${broad.argumentText}\` (line ${broad.span.start.line}) with no earlier dependency build, so every source change compiles every crate again; build the dependencies in their own layer first (copy Cargo.toml and Cargo.lock with a stub src/main.rs and build, or \`cargo chef cook\`), or put target/ on a cache mount`,
            line: instruction.span.start.line,
            endLine: instruction.span.end.line,
          });
          continue;
        }
        const command = instruction.shell.commands.find((candidate) => manifestInstall(candidate) !== undefined);
        const install = command && manifestInstall(command);
        if (!command || !install) continue;
        const files = buildContext ? contextFilesFor(install.manager, command, buildContext) : [];
        const what = files.length > 0 ? joinWithAnd(files) : "the dependency manifest and lockfile";
        const report: RuleReport = {
          message: `\`${commandLabel(command)}\` runs after \`${broad.keyword} ${broad.argumentText}\` (line ${broad.span.start.line}), so every source change re-runs it; copy ${what} first, run the install, then copy the rest`,
          line: instruction.span.start.line,
          endLine: instruction.span.end.line,
        };
        const fix = buildContext ? reorderFix(dockerfile, stage, broad, instruction, command, install, buildContext, repository) : undefined;
        if (fix) report.fix = [fix];
        reports.push(report);
      }
    }
    return reports;
  },
};

/**
 * Cargo has no "download and compile the dependencies only" command: `cargo build` after
 * `COPY . .` compiles the whole dependency tree whenever any source changes, unless an earlier
 * RUN of the stage already built them (stub main.rs, `cargo chef cook`, `cargo fetch` at least
 * downloads) or target/ is on a cache mount (incremental builds keep the compiled crates).
 */
function cargoBuildWithoutDependencyLayer(stage: Stage, broad: CopyInstruction, run: RunInstruction): ShellCommand | undefined {
  const build = run.shell.commands.find((command) => command.name === "cargo" && (subcommand(command) === "build" || (subcommand(command) === "install" && hasOption(command, "--path"))));
  if (!build) return undefined;
  if (run.mounts.some((mount) => (mount.type === "cache" || mount.type === "tmpfs") && /(^|\/)target\/?$/.test(mount.target ?? ""))) return undefined;
  const before = stage.instructions.slice(0, stage.instructions.indexOf(broad));
  const builtEarlier = before.some((earlier) => isRun(earlier) && earlier.shell.commands.some((command) => command.name === "cargo" && ["build", "fetch", "chef"].includes(subcommand(command) ?? "")));
  return builtEarlier ? undefined : build;
}

/** Directories that hold application source by convention. */
const SOURCE_DIRECTORIES = new Set(["src", "app", "cmd", "internal"]);

/**
 * `COPY . .`, `COPY * ./`, `COPY src ./src`: sources, not just dependency files. A `.` whose
 * .dockerignore lets only dependency files through (allow-list style) is not broad.
 */
function isBroadCopy(copy: CopyInstruction, context: BuildContext | undefined): boolean {
  if (copy.from !== undefined || copy.heredocs.length > 0) return false;
  return copy.sources.some((source) => {
    const cleaned = source.replace(/^(\.\/)+/, "").replace(/(?<!\/)\/+$/, "");
    if (SOURCE_DIRECTORIES.has(cleaned)) return true;
    if (cleaned !== "" && cleaned !== "." && !/^\*+$/.test(cleaned)) return false;
    if (!context?.dockerignore) return true;
    const sent = context.entries.filter((entry) => !entry.excluded);
    const dependencyPaths = new Set(context.dependencyFiles.map((file) => file.path));
    return sent.some((entry) => !dependencyPaths.has(entry.path) && !/(^|\/)(\.dockerignore|[^/]*Dockerfile[^/]*)$/.test(entry.path));
  });
}

/** The manager's manifest and lockfile at the context root, for the message. */
function contextFilesFor(manager: PackageManager, command: ShellCommand, context: BuildContext): string[] {
  const atRoot = (file: DependencyFile): boolean => !file.path.includes("/");
  if (manager === "pip" || (manager === "uv" && subcommand(command) !== "sync")) return requirementFiles(command).filter((name) => context.dependencyFiles.some((file) => file.path === name));
  const names = [...(MANIFESTS[manager] ?? []), ...(LOCKFILES[manager] ?? [])];
  return names.filter((name) => context.dependencyFiles.some((file) => atRoot(file) && file.path === name));
}

/** `-r requirements.txt`, `--requirement=dev.txt`. */
function requirementFiles(command: ShellCommand): string[] {
  const files: string[] = [];
  command.args.forEach((arg, index) => {
    if (arg === "-r" || arg === "--requirement") files.push(command.args[index + 1] ?? "");
    else if (arg.startsWith("--requirement=")) files.push(arg.slice("--requirement=".length));
  });
  return files.filter(Boolean).map((file) => file.replace(/^\.\//, ""));
}

// ------------------------------------------------------------------------------------------
// The fix: COPY <manifest> <lockfile> <dest>/ + the install, then the broad COPY.

/**
 * Only when it is certainly safe: the install RUN comes right after a `COPY . <WORKDIR>`, does
 * nothing but install (and clean caches), and the manifest shows the install needs no other
 * file (no lifecycle scripts, workspaces, local path dependencies, nested requirement files).
 */
function reorderFix(model: DockerfileModel, stage: Stage, broad: CopyInstruction, run: RunInstruction, command: ShellCommand, install: DependencyInstall, context: BuildContext, repository: RepositoryView): TextEdit | undefined {
  if (broad.sources.length !== 1 || !/^\.\/?$/.test(broad.sources[0] ?? "") || run.heredocs.length > 0) return undefined;
  if (broad.flags.some((flag) => !["chown", "chmod", "link"].includes(flag.name))) return undefined;
  const next = stage.instructions[stage.instructions.indexOf(broad) + 1];
  if (next !== run || !run.shell.commands.every((other) => onlyInstalls(other, install.manager))) return undefined;
  const workdir = runEnvironment(model, stage, broad).workdir;
  const destination = broad.destination;
  if (destination !== "." && destination !== "./" && (workdir === undefined || !destination.startsWith("/") || normalizePath(destination) !== workdir)) return undefined;
  const files = filesTheInstallNeeds(install.manager, command, context, repository);
  if (!files) return undefined;

  const text = model.text;
  const copyLineStart = model.lineStarts[broad.span.start.line - 1];
  const runLineStart = model.lineStarts[run.span.start.line - 1];
  if (copyLineStart === undefined || runLineStart === undefined) return undefined;
  const indent = text.slice(copyLineStart, broad.span.start.offset);
  const newline = text.startsWith("\r\n", broad.span.end.offset) ? "\r\n" : "\n";
  const between = text.slice(broad.span.end.offset, runLineStart);
  // Only the line break and comment or blank lines may separate them.
  if (!/^[ \t]*$/.test(indent) || !between.startsWith(newline) || !between.slice(newline.length).split(/\r?\n/).every((line) => line.trim() === "" || line.trim().startsWith("#"))) return undefined;
  const flags = broad.flags.map((flag) => text.slice(flag.span.start.offset, flag.span.end.offset)).map((flag) => `${flag} `).join("");
  const target = destination === "." || destination === "./" ? "./" : `${destination.replace(/(?<!\/)\/+$/, "")}/`;
  const manifestCopy = `${indent}COPY ${flags}${files.join(" ")} ${target}`;
  // Comment lines stay with the RUN; blank lines also separate the RUN from the moved COPY.
  const linesBetween = between.slice(newline.length);
  const blankLines = linesBetween.split(newline).slice(0, -1).filter((line) => line.trim() === "").map((line) => `${line}${newline}`).join("");
  const replacement = `${manifestCopy}${newline}${linesBetween}${text.slice(runLineStart, run.span.end.offset)}${newline}${blankLines}${text.slice(copyLineStart, broad.span.end.offset)}`;
  return { start: copyLineStart, end: run.span.end.offset, text: replacement };
}

/** The install itself, or cache housekeeping that can run before the sources exist. */
function onlyInstalls(command: ShellCommand, manager: PackageManager): boolean {
  if (manifestInstall(command)?.manager === manager) return true;
  if (["rm", "set", "true", "corepack"].includes(command.name)) return true;
  return ["npm", "yarn", "pnpm", "pip", "pip3", "uv", "poetry", "go"].includes(command.name) && ["cache", "config", "store", "env"].includes(subcommand(command) ?? "");
}

const LIFECYCLE_SCRIPTS = ["preinstall", "install", "postinstall", "prepublish", "preprepare", "prepare", "postprepare"];

/** Context-root files the install reads, or undefined when we cannot be sure it reads nothing else. */
function filesTheInstallNeeds(manager: PackageManager, command: ShellCommand, context: BuildContext, repository: RepositoryView): string[] | undefined {
  const sent = (name: string): boolean => context.entries.some((entry) => !entry.excluded && entry.path === name);
  const read = (name: string): string | undefined => repository.snapshot.texts.get(context.root === "" ? name : `${context.root}/${name}`);
  const present = (names: string[]): string[] => names.filter(sent);
  switch (manager) {
    case "npm":
    case "yarn":
    case "pnpm": {
      const manifest = parseJson(read("package.json"));
      if (!sent("package.json") || !manifest || manifest.workspaces !== undefined) return undefined;
      // A node_modules the context sends would be copied over the installed one once COPY . .
      // comes after the install (before, the install replaced it): other files in the image.
      if (context.entries.some((entry) => !entry.excluded && entry.path.startsWith("node_modules/"))) return undefined;
      const scripts = (manifest.scripts ?? {}) as Record<string, unknown>;
      if (!hasOption(command, "--ignore-scripts") && LIFECYCLE_SCRIPTS.some((name) => scripts[name] !== undefined)) return undefined;
      const specs = ["dependencies", "devDependencies", "optionalDependencies"].flatMap((field) => Object.values((manifest[field] ?? {}) as Record<string, unknown>));
      if (specs.some((spec) => typeof spec !== "string" || /^(file:|link:|workspace:|portal:|\.{1,2}\/)/.test(spec))) return undefined;
      if (manager === "yarn" && (sent(".yarnrc.yml") || context.entries.some((entry) => entry.path.startsWith(".yarn/")))) return undefined;
      if (manager === "pnpm" && sent("pnpm-workspace.yaml")) return undefined;
      return ["package.json", ...present(LOCKFILES[manager] ?? []), ...present(manager === "yarn" ? [".yarnrc", ".npmrc"] : [".npmrc"])];
    }
    case "pip": {
      const files = requirementFiles(command);
      if (files.length === 0 || files.some((file) => file.includes("/") || !sent(file))) return undefined;
      // Nested -r/-c files, editable or local path requirements need more than these files.
      const local = /^[^\S\n\r\u2028\u2029]*(-r|-c|-e|--requirement|--constraint|--editable|\.|\/|file:)/m;
      if (files.some((file) => { const content = read(file); return content === undefined || local.test(content); })) return undefined;
      return files;
    }
    case "uv": {
      if (subcommand(command) !== "sync" || !hasOption(command, "--no-install-project", "--no-install-workspace")) return undefined;
      const pyproject = read("pyproject.toml");
      if (!sent("pyproject.toml") || pyproject === undefined || /\[tool\.uv\.workspace\]|\bpath\s*=/.test(pyproject)) return undefined;
      return ["pyproject.toml", ...present(["uv.lock", ".python-version"])];
    }
    case "poetry": {
      if (!hasOption(command, "--no-root")) return undefined;
      const pyproject = read("pyproject.toml");
      if (!sent("pyproject.toml") || pyproject === undefined || /\bpath\s*=/.test(pyproject)) return undefined;
      return ["pyproject.toml", ...present(["poetry.lock", "poetry.toml"])];
    }
    case "go": {
      const gomod = read("go.mod");
      if (!sent("go.mod") || gomod === undefined || sent("go.work") || /=>\s*\.{1,2}\//.test(gomod)) return undefined;
      return ["go.mod", ...present(["go.sum"])];
    }
    default:
      return undefined;
  }
}

function parseJson(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
