// Can AFTER still start what it is told to start? The programs named by Entrypoint/Cmd (and by the
// Healthcheck) are found as the runtime finds them: a name with a "/" from the working directory,
// a bare name through PATH from the image's own Env, symlinks followed inside the image. Then
// what the program loads before any code of the app runs: a script's `#!` interpreter; an ELF
// binary's loader (PT_INTERP) and its shared libraries (DT_NEEDED, transitively), searched like
// ld.so does (DT_RPATH, LD_LIBRARY_PATH, DT_RUNPATH, ld.so.conf, the default directories);
// and the shared libraries of Node native addons (`*.node`) under the working directory.
// Not modelled: ld.so.cache (we read ld.so.conf, from which the cache is built), LD_PRELOAD,
// dlopen() at run time, hwcaps subdirectories.
import { parseShell } from "../dockerfile/shell.ts";
import { compileGlob } from "../repo/glob.ts";
import type { ElfInfo } from "./elf.ts";
import type { MergedFilesystem, Resolved } from "./filesystem.ts";
import { absolutePath, baseName, joinPath, parentOf } from "./filesystem.ts";
import { envMap, imagePath, normalizeWorkingDir } from "./config-diff.ts";
import type { RuntimeConfig } from "./config-diff.ts";
import type { Difference } from "./result.ts";

export interface ImageView {
  filesystem: MergedFilesystem;
  config: RuntimeConfig;
}

export interface NamedCommand {
  /** Where the name comes from. */
  source: "Entrypoint/Cmd" | "Healthcheck" | CommandOverride["source"];
  /** As written: "node", "/app/start.sh", "./bin/server". */
  name: string;
}

const SHELLS = new Set(["sh", "bash", "dash", "ash", "zsh", "busybox"]);
/** Shell builtins and keywords: never looked up on disk. */
const BUILTINS = new Set([
  "cd", "echo", "exec", "export", "set", "unset", "test", "[", "[[", "true", "false", ":", ".", "source", "read", "printf", "trap", "wait", "shift",
  "exit", "return", "eval", "ulimit", "umask", "alias", "command", "type", "kill", "local", "let", "pwd", "times", "getopts", "hash", "readonly",
]);

function programOf(argv: readonly string[], name: string): string | undefined {
  // parseShell strips wrappers (exec, env, sudo...) and the path from `name`; find the word it came from.
  for (const word of argv) if (word === name || baseName(word) === name) return word;
  return undefined;
}

/** Commands a shell script runs that are looked up on disk (not builtins, not `$VARIABLES`). */
export function scriptCommands(script: string): string[] {
  const names: string[] = [];
  for (const command of parseShell(script).commands) {
    if (command.name === "" || BUILTINS.has(command.name)) continue;
    const program = programOf(command.argv, command.name);
    if (program === undefined || program.includes("$") || program.includes("`")) continue;
    names.push(program);
  }
  return names;
}

/** `sh -c SCRIPT ...` -> SCRIPT. */
function shellScript(argv: readonly string[]): string | undefined {
  const [program, ...rest] = argv;
  if (program === undefined || !SHELLS.has(baseName(program))) return undefined;
  const flag = rest.findIndex((word) => /^-[a-bd-z]*c[a-z]*$/.test(word));
  return flag < 0 ? undefined : rest[flag + 1];
}

/** Programs that run another command (init shims, user switchers): how many operands come before it. */
const WRAPPERS: Record<string, number> = { tini: 0, "tini-static": 0, "dumb-init": 0, "docker-init": 0, catatonit: 0, env: 0, nohup: 0, exec: 0, gosu: 1, "su-exec": 1 };

/** `tini -- node server.js` -> ["node", "server.js"]; undefined when argv[0] wraps nothing we can tell. */
export function wrappedCommand(argv: readonly string[]): string[] | undefined {
  const [program, ...rest] = argv;
  const operands = program === undefined ? undefined : WRAPPERS[baseName(program)];
  if (operands === undefined) return undefined;
  const separator = rest.indexOf("--");
  if (separator >= 0 && operands === 0) return rest.slice(separator + 1);
  let skip = operands;
  for (let index = 0; index < rest.length; index++) {
    const word = rest[index] as string;
    // Flags, NAME=VALUE (env), and numbers (flag values such as `tini -e 143`) are not the command.
    if (word.startsWith("-") || /^[A-Za-z_][A-Za-z0-9_]*=/.test(word) || /^\d+$/.test(word)) continue;
    if (skip-- > 0) continue;
    return rest.slice(index);
  }
  return undefined;
}

/**
 * What a container runs instead of the image's Entrypoint/Cmd (compose's `entrypoint:` and
 * `command:`, or verify's `--entrypoint`/`--command`). An entrypoint given without a command
 * clears the image's Cmd, as in Docker.
 */
export interface CommandOverride {
  entrypoint?: string[];
  command?: string[];
  /** Compose's `working_dir:` / `user:`: where the command runs, and as whom. */
  workingDir?: string;
  user?: string;
  /** How messages name it: compose's, or the one given on the command line. */
  source: "Compose's command" | "The given command";
}

/** "compose's" or "the given": whose command an override is, for check details. */
export function overrideOwner(override: CommandOverride): string {
  return override.source === "Compose's command" ? "compose's" : "the given";
}

/** The argv a container of this image runs with the override. */
export function overriddenArgv(config: RuntimeConfig, override: CommandOverride): string[] {
  const entrypoint = override.entrypoint ?? config.entrypoint ?? [];
  const command = override.command ?? (override.entrypoint !== undefined ? [] : (config.cmd ?? []));
  return [...entrypoint, ...command];
}

/** What Entrypoint + Cmd, the Healthcheck and an override's command name, in order, without duplicates. */
export function namedCommands(config: RuntimeConfig, override?: CommandOverride): NamedCommand[] {
  const commands: NamedCommand[] = [];
  const add = (source: NamedCommand["source"], argv: readonly string[], depth = 0): void => {
    const program = argv[0];
    if (program === undefined || program === "") return;
    commands.push({ source, name: program });
    const script = shellScript(argv);
    if (script !== undefined) for (const name of scriptCommands(script)) commands.push({ source, name });
    const wrapped = depth < 4 ? wrappedCommand(argv) : undefined;
    if (wrapped) add(source, wrapped, depth + 1);
  };
  add("Entrypoint/Cmd", [...(config.entrypoint ?? []), ...(config.cmd ?? [])]);
  const test = config.healthcheck?.test ?? [];
  if (test[0] === "CMD") add("Healthcheck", test.slice(1));
  else if (test[0] === "CMD-SHELL" && test[1] !== undefined) add("Healthcheck", ["/bin/sh", "-c", test[1]]);
  if (override !== undefined) add(override.source, overriddenArgv(config, override));
  const seen = new Set<string>();
  return commands.filter((command) => {
    const key = `${command.source}\u0000${command.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Finds a program the way exec in the container does; undefined when nothing is there. */
export function resolveProgram(filesystem: MergedFilesystem, name: string, env: readonly string[], workingDir: string): Resolved | undefined {
  const isFile = (resolved: Resolved | undefined): resolved is Resolved => resolved !== undefined && resolved.node.type !== "directory";
  if (name.includes("/")) {
    const found = filesystem.resolve(joinPath(normalizeWorkingDir(workingDir), name));
    return isFile(found) ? found : undefined;
  }
  for (const directory of imagePath(env)) {
    const found = filesystem.resolve(joinPath(joinPath(normalizeWorkingDir(workingDir), directory), name));
    if (isFile(found)) return found;
  }
  return undefined;
}

/** Multiarch directory names Debian and Ubuntu use, by ELF machine. */
const MULTIARCH: Record<string, string> = { x86_64: "x86_64-linux-gnu", aarch64: "aarch64-linux-gnu", i386: "i386-linux-gnu", arm: "arm-linux-gnueabihf", ppc64: "powerpc64le-linux-gnu", s390: "s390x-linux-gnu", riscv: "riscv64-linux-gnu" };

/** The loader's default directories for an object of this class and machine. */
export function defaultLibraryDirs(elf: Pick<ElfInfo, "bits" | "machine">): string[] {
  const multiarch = MULTIARCH[elf.machine];
  const dirs = multiarch ? [`/lib/${multiarch}`, `/usr/lib/${multiarch}`] : [];
  if (elf.bits === 64) dirs.push("/lib64", "/usr/lib64");
  dirs.push("/lib", "/usr/lib");
  return dirs;
}

/** Directories from /etc/ld.so.conf, following `include` globs (a `*` or `?` in the last segment). */
export function ldSoConfDirs(filesystem: MergedFilesystem, file = "/etc/ld.so.conf", depth = 0): string[] {
  const text = filesystem.resolve(file)?.node.content?.text;
  if (text === undefined || depth > 8) return [];
  const dirs: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/(?<!#)#.*$/, "").trim();
    if (line === "") continue;
    const include = /^include\s+(?!\s)(.+)$/.exec(line);
    if (!include) {
      if (line.startsWith("/")) dirs.push(absolutePath(line));
      continue;
    }
    for (const pattern of (include[1] as string).split(/\s+/)) {
      const absolute = joinPath(parentOf(file), pattern);
      const name = baseName(absolute);
      if (!/[*?[]/.test(name)) {
        dirs.push(...ldSoConfDirs(filesystem, absolute, depth + 1));
        continue;
      }
      // A glob matcher, not a regular expression: `*a*a*b` as `.*a.*a.*b` backtracks polynomially.
      const matches = compileGlob(name);
      for (const entry of filesystem.list(parentOf(absolute))) {
        if (matches(entry)) dirs.push(...ldSoConfDirs(filesystem, joinPath(parentOf(absolute), entry), depth + 1));
      }
    }
  }
  return dirs;
}

export interface LibrarySearch {
  ldLibraryPath: string[];
  ldSoConf: string[];
}

function expandOrigin(entry: string, origin: string, elf: ElfInfo): string {
  return entry
    .replace(/\$\{ORIGIN\}|\$ORIGIN/g, origin)
    .replace(/\$\{LIB\}|\$LIB/g, elf.bits === 64 ? "lib64" : "lib")
    .replace(/\$\{PLATFORM\}|\$PLATFORM/g, elf.machine);
}

function compatible(candidate: Resolved, requester: ElfInfo): boolean {
  const elf = candidate.node.content?.elf;
  // Not parsed (e.g. too large to read): trust the name, as we cannot tell.
  if (!elf) return candidate.node.content?.elfError !== undefined || candidate.node.content === undefined;
  return elf.bits === requester.bits && elf.machine === requester.machine;
}

/** Where ld.so finds `needed` for `requester` (at `requesterPath`), or undefined. */
export function resolveLibrary(filesystem: MergedFilesystem, needed: string, requester: ElfInfo, requesterPath: string, search: LibrarySearch, executable?: ElfInfo): Resolved | undefined {
  const origin = parentOf(requesterPath);
  if (needed.includes("/")) {
    const found = filesystem.resolve(joinPath(origin, needed));
    return found && found.node.type !== "directory" ? found : undefined;
  }
  const dirs: string[] = [];
  if (requester.runpath.length === 0) {
    dirs.push(...requester.rpath.map((entry) => expandOrigin(entry, origin, requester)));
    if (executable && executable !== requester && executable.runpath.length === 0) dirs.push(...executable.rpath);
  }
  dirs.push(...search.ldLibraryPath);
  dirs.push(...requester.runpath.map((entry) => expandOrigin(entry, origin, requester)));
  dirs.push(...search.ldSoConf);
  dirs.push(...defaultLibraryDirs(requester));
  for (const dir of dirs) {
    if (!dir.startsWith("/")) continue;
    const found = filesystem.resolve(joinPath(dir, needed));
    if (found && found.node.type !== "directory" && compatible(found, requester)) return found;
  }
  return undefined;
}

export interface LoadProblem {
  /** The object that cannot be loaded or found. */
  name: string;
  /** The object that needs it (a resolved path), or the command. */
  neededBy: string;
  what: "interpreter" | "library";
}

export interface LoadReport {
  /** Resolved paths of everything loaded, in load order (program first). */
  loaded: string[];
  /** Where each library or interpreter name was found. */
  found: Map<string, string>;
  problems: LoadProblem[];
}

/** Follows a program's `#!` interpreter or ELF loader and libraries, transitively. */
export function loadClosure(filesystem: MergedFilesystem, program: Resolved, env: readonly string[], workingDir: string, depth = 0): LoadReport {
  const report: LoadReport = { loaded: [program.path], found: new Map(), problems: [] };
  const content = program.node.content;
  if (content?.shebang && depth < 4) {
    const { interpreter, argument } = content.shebang;
    const resolved = resolveProgram(filesystem, interpreter, env, "/");
    if (!resolved) {
      report.problems.push({ name: interpreter, neededBy: program.path, what: "interpreter" });
      return report;
    }
    report.found.set(interpreter, resolved.path);
    merge(report, loadClosure(filesystem, resolved, env, workingDir, depth + 1));
    // `#!/usr/bin/env node`: env looks the program up through PATH.
    if (baseName(interpreter) === "env" && argument !== undefined) {
      const target = argument.split(/\s+/).find((word) => !word.startsWith("-") && !word.includes("="));
      if (target !== undefined) {
        const found = resolveProgram(filesystem, target, env, workingDir);
        if (!found) report.problems.push({ name: target, neededBy: program.path, what: "interpreter" });
        else {
          report.found.set(target, found.path);
          merge(report, loadClosure(filesystem, found, env, workingDir, depth + 1));
        }
      }
    }
    return report;
  }
  const elf = content?.elf;
  if (!elf) return report;
  if (elf.interpreter !== undefined) {
    const loader = filesystem.resolve(elf.interpreter);
    if (!loader || loader.node.type === "directory") report.problems.push({ name: elf.interpreter, neededBy: program.path, what: "interpreter" });
    else {
      report.loaded.push(loader.path);
      report.found.set(elf.interpreter, loader.path);
    }
  }
  merge(report, libraryClosure(filesystem, program, elf, env));
  return report;
}

/** The DT_NEEDED closure of one ELF object (not including the object itself). */
export function libraryClosure(filesystem: MergedFilesystem, object: Resolved, elf: ElfInfo, env: readonly string[]): LoadReport {
  const search: LibrarySearch = {
    ldLibraryPath: (envMap(env).get("LD_LIBRARY_PATH") ?? "").split(":").filter((dir) => dir.startsWith("/")),
    ldSoConf: ldSoConfDirs(filesystem),
  };
  const report: LoadReport = { loaded: [], found: new Map(), problems: [] };
  const seen = new Set<string>([object.path]);
  const queue: { path: string; elf: ElfInfo }[] = [{ path: object.path, elf }];
  while (queue.length > 0) {
    const current = queue.shift() as { path: string; elf: ElfInfo };
    for (const needed of current.elf.needed) {
      const found = resolveLibrary(filesystem, needed, current.elf, current.path, search, elf);
      if (!found) {
        if (!report.problems.some((problem) => problem.name === needed)) report.problems.push({ name: needed, neededBy: current.path, what: "library" });
        continue;
      }
      if (!report.found.has(needed)) report.found.set(needed, found.path);
      if (seen.has(found.path)) continue;
      seen.add(found.path);
      report.loaded.push(found.path);
      const libraryElf = found.node.content?.elf;
      if (libraryElf) queue.push({ path: found.path, elf: libraryElf });
    }
  }
  return report;
}

function merge(into: LoadReport, from: LoadReport): void {
  for (const path of from.loaded) if (!into.loaded.includes(path)) into.loaded.push(path);
  for (const [name, path] of from.found) if (!into.found.has(name)) into.found.set(name, path);
  for (const problem of from.problems) if (!into.problems.some((known) => known.name === problem.name && known.what === problem.what)) into.problems.push(problem);
}

export interface ExecutablesResult {
  differences: Difference[];
  /** Whether every named command resolves to the same path in both images. */
  commandsResolveAlike: boolean;
  commands: number;
  /** Objects loaded in AFTER (programs, loaders, libraries). */
  loaded: number;
}

interface CommandOutcome {
  command: NamedCommand;
  before?: Resolved;
  after?: Resolved;
}

function describeProblem(problem: LoadProblem): string {
  return problem.what === "interpreter" ? `interpreter ${problem.name} (of ${problem.neededBy})` : `${problem.name} (needed by ${problem.neededBy})`;
}

/**
 * The commands AFTER runs must resolve and load in AFTER. A command or library that BEFORE could
 * not find either is a note (AFTER is no worse), anything else a difference.
 */
export function compareExecutables(before: ImageView, after: ImageView, override?: CommandOverride): ExecutablesResult {
  const differences: Difference[] = [];
  const outcomes: CommandOutcome[] = [];
  const names = new Map<string, NamedCommand>();
  for (const command of [...namedCommands(after.config, override), ...namedCommands(before.config, override)]) {
    if (!names.has(`${command.source}\u0000${command.name}`)) names.set(`${command.source}\u0000${command.name}`, command);
  }
  const afterCommands = new Set(namedCommands(after.config, override).map((command) => `${command.source}\u0000${command.name}`));
  let loaded = 0;
  // The override's commands run in its working directory, when it sets one.
  const workingDirOf = (config: RuntimeConfig, command: NamedCommand): string => (override?.workingDir !== undefined && command.source === override.source ? override.workingDir : config.workingDir);
  for (const [key, command] of names) {
    const outcome: CommandOutcome = { command };
    const beforeDir = workingDirOf(before.config, command);
    const afterDir = workingDirOf(after.config, command);
    const beforeFound = resolveProgram(before.filesystem, command.name, before.config.env, beforeDir);
    const afterFound = resolveProgram(after.filesystem, command.name, after.config.env, afterDir);
    if (beforeFound) outcome.before = beforeFound;
    if (afterFound) outcome.after = afterFound;
    outcomes.push(outcome);
    // Only what AFTER itself runs must work in AFTER; BEFORE's commands are compared for PATH's sake.
    if (!afterCommands.has(key)) continue;
    const where = command.name.includes("/") ? "" : " through PATH";
    if (!afterFound) {
      differences.push({
        kind: "executable",
        severity: beforeFound ? "difference" : "note",
        subject: command.name,
        before: beforeFound?.path ?? "(not found)",
        after: "(not found)",
        message: beforeFound ? `${command.source} runs ${command.name}, which AFTER does not have${where}.` : `${command.source} runs ${command.name}, which neither image has${where}.`,
      });
      continue;
    }
    if (beforeFound && beforeFound.path !== afterFound.path) {
      differences.push({ kind: "executable", severity: "difference", subject: command.name, before: beforeFound.path, after: afterFound.path, message: `${command.name} is a different file in AFTER.` });
    }
    if ((afterFound.node.mode & 0o111) === 0) {
      differences.push({ kind: "executable", severity: "difference", subject: command.name, after: afterFound.path, message: `${afterFound.path} is not executable in AFTER (permission denied).` });
    }
    const afterElf = afterFound.node.content?.elf;
    const beforeElf = beforeFound?.node.content?.elf;
    if (afterElf && beforeElf && (afterElf.machine !== beforeElf.machine || afterElf.bits !== beforeElf.bits)) {
      differences.push({ kind: "executable", severity: "difference", subject: command.name, before: `${beforeElf.machine} ${beforeElf.bits}-bit`, after: `${afterElf.machine} ${afterElf.bits}-bit`, message: "Built for a different machine (exec format error)." });
    }
    const afterReport = loadClosure(after.filesystem, afterFound, after.config.env, afterDir);
    loaded += afterReport.loaded.length;
    const beforeReport = beforeFound ? loadClosure(before.filesystem, beforeFound, before.config.env, beforeDir) : undefined;
    for (const problem of afterReport.problems) {
      const alsoBefore = beforeReport?.problems.some((known) => known.name === problem.name && known.what === problem.what) ?? false;
      const beforePath = beforeReport?.found.get(problem.name);
      differences.push({
        kind: problem.what === "library" ? "library" : "executable",
        severity: alsoBefore ? "note" : "difference",
        subject: problem.name,
        ...(beforePath !== undefined ? { before: beforePath } : {}),
        after: "(not found)",
        message: `${command.name} cannot start in AFTER: ${describeProblem(problem)} is missing${alsoBefore ? "; BEFORE is missing it too" : ""}.`,
      });
    }
  }
  const imageArgv = [...(after.config.entrypoint ?? []), ...(after.config.cmd ?? [])];
  differences.push(...argumentFiles(before, after, imageArgv, "Entrypoint/Cmd"));
  const overrideArgv = override !== undefined ? overriddenArgv(after.config, override) : imageArgv;
  if (override !== undefined && (overrideArgv.join("\u0000") !== imageArgv.join("\u0000") || override.workingDir !== undefined)) {
    const inDir = (view: ImageView): ImageView => (override.workingDir !== undefined ? { ...view, config: { ...view.config, workingDir: override.workingDir } } : view);
    differences.push(...argumentFiles(inDir(before), inDir(after), overrideArgv, override.source));
  }
  const commandsResolveAlike = outcomes.every((outcome) => outcome.before !== undefined && outcome.after !== undefined && outcome.before.path === outcome.after.path);
  return { differences, commandsResolveAlike, commands: afterCommands.size, loaded };
}

/**
 * Files named as arguments by a command AFTER runs, its Entrypoint + Cmd or compose's (`node dist/server.js`,
 * `sh /docker-entrypoint.sh`): an argument that is a file in BEFORE must be one in AFTER, each
 * resolved from its own working directory. Arguments that are not files in BEFORE (`serve`,
 * `--port`) say nothing.
 */
export function argumentFiles(before: ImageView, after: ImageView, command: readonly string[], source: NamedCommand["source"]): Difference[] {
  const differences: Difference[] = [];
  const argv = command.slice(1);
  const beforeDir = normalizeWorkingDir(before.config.workingDir);
  const afterDir = normalizeWorkingDir(after.config.workingDir);
  const isFile = (resolved: Resolved | undefined): boolean => resolved !== undefined && resolved.node.type !== "directory";
  for (const argument of new Set(argv)) {
    if (argument === "" || argument.startsWith("-") || argument.includes("\n") || argument.length > 4096) continue;
    if (!isFile(before.filesystem.resolve(joinPath(beforeDir, argument)))) continue;
    if (isFile(after.filesystem.resolve(joinPath(afterDir, argument)))) continue;
    differences.push({ kind: "file", severity: "difference", subject: argument, before: joinPath(beforeDir, argument), after: "(not found)", message: `${source} passes ${argument}, a file BEFORE has and AFTER does not.` });
  }
  return differences;
}

/**
 * Native Node addons (`*.node`) under AFTER's working directory: the libraries each needs must
 * resolve in AFTER. Addons that BEFORE could not load either are notes.
 */
export function compareNativeAddons(before: ImageView, after: ImageView): { differences: Difference[]; addons: number } {
  const differences: Difference[] = [];
  const afterDir = normalizeWorkingDir(after.config.workingDir);
  const beforeDir = normalizeWorkingDir(before.config.workingDir);
  if (afterDir === "/") return { differences, addons: 0 };
  let addons = 0;
  for (const node of after.filesystem.walk(afterDir)) {
    if (node.type !== "file" || !node.path.endsWith(".node")) continue;
    const elf = node.content?.elf;
    if (!elf) continue;
    addons++;
    const report = libraryClosure(after.filesystem, { path: node.path, node }, elf, after.config.env);
    if (report.problems.length === 0) continue;
    const beforePath = joinPath(beforeDir, node.path.slice(afterDir.length + 1));
    const beforeNode = before.filesystem.resolve(beforePath);
    const beforeElf = beforeNode?.node.content?.elf;
    const beforeReport = beforeNode && beforeElf ? libraryClosure(before.filesystem, beforeNode, beforeElf, before.config.env) : undefined;
    for (const problem of report.problems) {
      const alsoBefore = beforeReport?.problems.some((known) => known.name === problem.name) ?? false;
      const beforeLibrary = beforeReport?.found.get(problem.name);
      differences.push({
        kind: "library",
        severity: alsoBefore ? "note" : "difference",
        subject: problem.name,
        ...(beforeLibrary !== undefined ? { before: beforeLibrary } : {}),
        after: "(not found)",
        message: `The native addon ${node.path} cannot load in AFTER: ${describeProblem(problem)} is missing${alsoBefore ? "; BEFORE is missing it too" : ""}.`,
      });
    }
  }
  return { differences, addons };
}
