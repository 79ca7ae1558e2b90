// Shared by the package-manager and layer-hygiene rules (apt lists, pip/npm/yarn caches, dev
// dependencies, removed files...). They all ask the same questions: what does a stage inherit
// (ENV, WORKDIR, SHELL) from the stages it builds FROM, which commands of a RUN come after a
// given one, which mounts keep a path out of the layer, and where in the file a command's
// words are, so a fix can edit exactly those bytes and nothing else.
import type { DockerfileModel, Instruction, KeyValueInstruction, MountType, RunInstruction, ShellCommand, Stage } from "../../dockerfile/model.ts";
import type { BuildContext } from "../../repo/snapshot.ts";
import type { TextEdit } from "../types.ts";
import { compileGlob } from "../../repo/glob.ts";

/** The stage and the stages it builds FROM, outermost ancestor first. */
export function stageChain(model: DockerfileModel, stage: Stage): Stage[] {
  const chain: Stage[] = [];
  const seen = new Set<number>();
  let current: Stage | undefined = stage;
  while (current && !seen.has(current.index)) {
    seen.add(current.index);
    chain.unshift(current);
    current = current.baseStage === undefined ? undefined : model.stages[current.baseStage];
  }
  return chain;
}

/** Instructions that ran before `instruction` in its image: the ancestors' and the stage's own. */
export function instructionsBefore(model: DockerfileModel, stage: Stage, instruction: Instruction): Instruction[] {
  const result: Instruction[] = [];
  for (const member of stageChain(model, stage)) {
    for (const candidate of member.instructions) {
      if (candidate === instruction) return result;
      if (!candidate.onbuild) result.push(candidate);
    }
  }
  return result;
}

/**
 * Variables a RUN sees: ENV set before it (inherited across FROM <stage>) and ARG defaults of
 * the stage (build args are exported to RUN). Later assignments win.
 */
export function environmentAt(model: DockerfileModel, stage: Stage, instruction: Instruction): Map<string, string> {
  const env = new Map<string, string>();
  const chain = stageChain(model, stage);
  for (const candidate of instructionsBefore(model, stage, instruction)) {
    if (candidate.keyword !== "ENV" && candidate.keyword !== "ARG") continue;
    // ARGs are scoped to their own stage; ENV is inherited.
    if (candidate.keyword === "ARG" && candidate.stageIndex !== chain.at(-1)?.index) continue;
    for (const pair of (candidate as KeyValueInstruction).pairs) {
      if (pair.value !== undefined) env.set(pair.key, pair.value);
      else if (candidate.keyword === "ARG" && model.globalArgs.get(pair.key) !== undefined) env.set(pair.key, model.globalArgs.get(pair.key) ?? "");
    }
  }
  return env;
}

/** The variables a RUN sees in one build, with the build args each value comes from. */
export interface BuildEnvironment {
  values: Map<string, string>;
  /** Per variable: the ARGs its value was taken from (itself for an ARG; `ENV A=$B` with ARG B: B). */
  argSources: Map<string, Set<string>>;
  /** ARGs in scope at the instruction (declared in its stage), with their default when they have one. */
  args: Map<string, string | undefined>;
}

const REFERENCE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/**
 * What a RUN sees in a build with these build args (`--build-arg`, compose `build.args`):
 * ENV and ARG of its stage and ENV inherited across `FROM <stage>`, with `$VAR`, `${VAR}`,
 * `${VAR:-default}` and `${VAR:+alt}` expanded as the builder does. A build arg overrides an
 * ARG's default; an ARG without a default and without a build arg is unset.
 */
export function buildEnvironmentAt(model: DockerfileModel, stage: Stage, instruction: Instruction, buildArgs: ReadonlyMap<string, string> = new Map()): BuildEnvironment {
  const env = new Map<string, { value: string; sources: Set<string> }>();
  let args = new Map<string, { value: string | undefined; defaultValue: string | undefined; sources: Set<string> }>();
  let stageIndex: number | undefined;
  const lookup = (name: string): { value: string | undefined; sources: Set<string> } | undefined => env.get(name) ?? args.get(name);
  const expand = (text: string): { value: string; sources: Set<string> } => {
    const sources = new Set<string>();
    const value = text.replace(REFERENCE, (_whole, braced: string | undefined, operator: string | undefined, word: string | undefined, bare: string | undefined) => {
      const found = lookup(braced ?? bare ?? "");
      for (const source of found?.sources ?? []) sources.add(source);
      const current = found?.value;
      const set = operator?.startsWith(":") ? current !== undefined && current !== "" : current !== undefined;
      if (operator?.endsWith("+")) return set ? (word ?? "") : "";
      if (operator?.endsWith("-")) return set ? (current ?? "") : (word ?? "");
      return current ?? "";
    });
    return { value, sources };
  };
  for (const candidate of instructionsBefore(model, stage, instruction)) {
    // ARGs are scoped to their stage; ENV carries over to the stages built FROM it.
    if (candidate.stageIndex !== stageIndex) {
      stageIndex = candidate.stageIndex;
      args = new Map();
    }
    if (candidate.keyword === "ARG") {
      for (const pair of (candidate as KeyValueInstruction).pairs) {
        const override = buildArgs.get(pair.key);
        const fallback = pair.value !== undefined ? expand(pair.value).value : model.globalArgs.get(pair.key);
        args.set(pair.key, { value: override ?? fallback, defaultValue: fallback, sources: new Set([pair.key]) });
      }
    } else if (candidate.keyword === "ENV") {
      for (const pair of (candidate as KeyValueInstruction).pairs) env.set(pair.key, expand(pair.value ?? ""));
    }
  }
  const values = new Map<string, string>();
  const argSources = new Map<string, Set<string>>();
  for (const [name, arg] of args) {
    argSources.set(name, arg.sources);
    if (arg.value !== undefined) values.set(name, arg.value);
  }
  for (const [name, variable] of env) {
    values.set(name, variable.value);
    argSources.set(name, variable.sources);
  }
  return { values, argSources, args: new Map([...args].map(([name, arg]) => [name, arg.defaultValue])) };
}

/** The working directory of an instruction, or undefined when a WORKDIR uses variables. */
export function workdirAt(model: DockerfileModel, stage: Stage, instruction: Instruction): string | undefined {
  let workdir: string | undefined = "/";
  for (const candidate of instructionsBefore(model, stage, instruction)) {
    if (candidate.keyword !== "WORKDIR") continue;
    const target = candidate.args[0] ?? "";
    if (target.includes("$")) workdir = undefined;
    else if (target.startsWith("/")) workdir = normalizePath(target);
    else if (workdir !== undefined) workdir = normalizePath(`${workdir}/${target}`);
  }
  return workdir;
}

/** The SHELL instruction in force for an instruction (inherited across FROM <stage>), if any. */
export function shellAt(model: DockerfileModel, stage: Stage, instruction: Instruction): Instruction | undefined {
  return instructionsBefore(model, stage, instruction).filter((candidate) => candidate.keyword === "SHELL").at(-1);
}

/** Collapses `//`, `.` and `..`; keeps a leading `/`; no trailing `/` (except the root). */
export function normalizePath(path: string): string {
  const absolute = path.startsWith("/");
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  const joined = parts.join("/");
  return absolute ? `/${joined}` : joined || ".";
}

/** Absolute path of `path` as seen from `workdir`; `~` is root's home (RUN runs as root unless USER says otherwise). */
export function resolvePath(path: string, workdir: string | undefined): string | undefined {
  const expanded = path.replace(/^(~|\$HOME|\$\{HOME\})(?=\/|$)/, "/root");
  if (expanded.startsWith("/")) return normalizePath(expanded);
  if (workdir === undefined) return undefined;
  return normalizePath(`${workdir}/${expanded}`);
}

export function commandIndex(run: RunInstruction, command: ShellCommand): number {
  // Rules ask this for every command of a RUN: an index per command list, built once, keeps a RUN
  // of 20,000 `&&` commands linear (indexOf made it quadratic).
  const commands = run.shell.commands;
  let indexes = commandIndexes.get(commands);
  if (indexes === undefined) {
    indexes = new Map(commands.map((each, index) => [each, index]));
    commandIndexes.set(commands, indexes);
  }
  return indexes.get(command) ?? -1;
}

const commandIndexes = new WeakMap<readonly ShellCommand[], Map<ShellCommand, number>>();

/** The commands of the same RUN that come after `command`. */
export function commandsAfter(run: RunInstruction, command: ShellCommand): ShellCommand[] {
  return run.shell.commands.slice(commandIndex(run, command) + 1);
}

/** A cache or tmpfs mount of this RUN whose target is `path` or one of its parents: nothing written there reaches the layer. */
export function hasMountFor(run: RunInstruction, path: string, types: readonly MountType[] = ["cache", "tmpfs"]): boolean {
  const wanted = normalizePath(path.replace(/^~(?=\/|$)/, "/root"));
  return run.mounts.some((mount) => {
    if (!types.includes(mount.type) || mount.target === undefined) return false;
    const target = normalizePath(mount.target.replace(/^~(?=\/|$)/, "/root"));
    return wanted === target || wanted.startsWith(`${target}/`) || target === "/";
  });
}

/** A cache or tmpfs mount whose target satisfies `test` (for caches whose location depends on the user). */
export function hasMountWhere(run: RunInstruction, test: (target: string) => boolean): boolean {
  return run.mounts.some((mount) => (mount.type === "cache" || mount.type === "tmpfs") && mount.target !== undefined && test(normalizePath(mount.target)));
}

/** The paths an `rm` (or `find <path> -delete`) command removes, as written. */
export function removedPaths(command: ShellCommand): string[] {
  if (command.name === "rm") {
    const paths: string[] = [];
    let afterDoubleDash = false;
    for (const arg of command.args) {
      if (!afterDoubleDash && arg === "--") afterDoubleDash = true;
      else if (afterDoubleDash || !arg.startsWith("-")) paths.push(arg);
    }
    return paths;
  }
  if (command.name === "find" && command.args.includes("-delete") && command.args[0] && !command.args[0].startsWith("-")) return [command.args[0]];
  return [];
}

/**
 * Whether removing `removed` (a path as written: maybe a glob, maybe `dir/*`) deletes `path`
 * (absolute): the same path, one of its parents, or a glob matching it or a parent.
 */
export function removalCovers(removed: string, path: string): boolean {
  const target = normalizePath(path);
  const pattern = normalizePath(removed.replace(/\/(\*|\.\*)?$/, "").replace(/\/\*\*$/, "")) || "/";
  if (!/[*?[]/.test(pattern)) return target === pattern || target.startsWith(pattern === "/" ? "/" : `${pattern}/`);
  const matches = globMatcher(pattern);
  const parts = target.split("/");
  for (let length = parts.length; length > 1; length--) {
    if (matches(parts.slice(0, length).join("/"))) return true;
  }
  return false;
}

/**
 * Shell glob (`*`, `?`, `[...]`) as a matcher of whole paths; `*` (and `**`) does not cross `/`.
 * Matched by src/repo/glob.ts, not a regular expression: `*a*a*a*b` would backtrack polynomially.
 */
export function globMatcher(glob: string): (path: string) => boolean {
  return compileGlob(glob);
}

/**
 * Arguments after the subcommand that are not options nor option values: the packages of
 * `npm install express`, empty for `npm ci --omit dev`.
 */
export function positionalArgs(command: ShellCommand, valueOptions: readonly string[] = []): string[] {
  const result: string[] = [];
  let seenSubcommand = false;
  for (let index = 0; index < command.args.length; index++) {
    const arg = command.args[index] ?? "";
    if (arg.startsWith("-")) {
      if (valueOptions.includes(arg)) index++;
      continue;
    }
    if (!seenSubcommand) seenSubcommand = true;
    else result.push(arg);
  }
  return result;
}

/**
 * The value of variable `name` for a command: a `VAR=value` prefix of the command, an `export`
 * in the same RUN (mvdan/sh sees `export` as a declaration, not a command, so it is read from
 * the script text), or ENV/ARG.
 */
export function variableValue(name: string, env: ReadonlyMap<string, string>, run: RunInstruction, command: ShellCommand): string | undefined {
  const prefix = `${name}=`;
  const inline = command.assignments.find((assignment) => assignment.startsWith(prefix));
  if (inline !== undefined) return unquote(inline.slice(prefix.length));
  return exportedValue(run.shell.source, name) ?? env.get(name);
}

/**
 * The value the first `export ... NAME=value` of a script gives NAME. Every rule asks this for
 * every command of a RUN, so a script's exports are read once (one pass over its words) and kept
 * for the last few scripts: reading the script per question was quadratic in a RUN of 20,000
 * `&&` commands.
 */
export function exportedValue(script: string, name: string): string | undefined {
  let exports = exportsCache.get(script);
  if (exports === undefined) {
    exports = scriptExports(script);
    if (exportsCache.size >= EXPORTS_CACHE_SIZE) exportsCache.delete(exportsCache.keys().next().value as string);
    exportsCache.set(script, exports);
  }
  return exports.get(name);
}

const EXPORTS_CACHE_SIZE = 16;
const exportsCache = new Map<string, ReadonlyMap<string, string>>();

/**
 * The first value each `export` of a script gives each name, in one pass over its words (a
 * regular expression searching from every `export` took quadratic time on a long run of blanks
 * or exports). An export lasts to the end of its command: `;`, `&`, `|` or a line end that is
 * not a continuation. A quoted value is taken up to its closing quote.
 */
function scriptExports(script: string): ReadonlyMap<string, string> {
  const values = new Map<string, string>();
  let exporting = false;
  for (const token of script.matchAll(/\\\r?\n|[;&|\n]|(?:[^\s;&|\\]|\\[^\r\n])+/g)) {
    const word = token[0];
    if (word.startsWith("\\") && word.endsWith("\n")) continue;
    if (word.length === 1 && ";&|\n".includes(word)) {
      exporting = false;
      continue;
    }
    if (!exporting) {
      exporting = word === "export" || word === "(export";
      continue;
    }
    const equals = word.indexOf("=");
    if (equals <= 0) continue;
    const name = word.slice(0, equals);
    if (values.has(name)) continue;
    const valueStart = token.index + equals + 1;
    const quote = script[valueStart];
    if (quote === '"' || quote === "'") {
      const end = script.indexOf(quote, valueStart + 1);
      values.set(name, end < 0 ? word.slice(equals + 1) : script.slice(valueStart + 1, end));
    } else values.set(name, unquote(word.slice(equals + 1)));
  }
  return values;
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
}

function unquote(value: string): string {
  return value.replace(/^(["'])(.*)\1$/, "$2");
}

/**
 * File offset just after argv word `argvIndex` of `command` inside the RUN, found by matching
 * the command's first words in the raw text (continuations allowed between them). Undefined
 * when the words cannot be found unambiguously (quotes, variables, exec form), so no fix is
 * offered rather than a wrong one.
 */
export function wordEndOffset(model: DockerfileModel, run: RunInstruction, command: ShellCommand, argvIndex: number): number | undefined {
  const words = command.argv.slice(0, argvIndex + 1);
  if (words.length !== argvIndex + 1 || words.some((word) => word === "" || /[\s$`"'\\]/.test(word))) return undefined;
  const escape = escapeRegExp(model.escapeChar);
  // One blank or one continuation (with the comment lines it skips) per repetition: a `[ \t]+`
  // inside the `+` could split a run of blanks in exponentially many ways, and `[^\n]*\r?\n`
  // could end a CRLF comment line in two, so a near miss backtracked for as long as one let it.
  const separator = `(?:[ \\t]|${escape}\\r?\\n(?:[ \\t]*#[^\\n]*\\n)*)+`;
  const pattern = new RegExp(`(^|[\\s;&|(\`'"])${words.map(escapeRegExp).join(separator)}(?=$|[\\s;&|)\`'"])`, "g");
  const start = run.span.start.offset;
  const raw = model.text.slice(start, run.span.end.offset);
  const matches = [...raw.matchAll(pattern)];
  const sameStart = run.shell.commands.filter((other) => other.argv.length > argvIndex && words.every((word, index) => other.argv[index] === word));
  const occurrence = sameStart.indexOf(command);
  if (occurrence < 0 || matches.length !== sameStart.length) return undefined;
  const match = matches[occurrence];
  if (!match || match.index === undefined) return undefined;
  return start + match.index + match[0].length;
}

/** Edit inserting ` <text>` right after argv word `argvIndex` (e.g. after `install`). */
export function insertAfterWord(model: DockerfileModel, run: RunInstruction, command: ShellCommand, argvIndex: number, text: string): TextEdit | undefined {
  const offset = wordEndOffset(model, run, command, argvIndex);
  return offset === undefined ? undefined : { start: offset, end: offset, text: ` ${text}` };
}

/** argv index of the command's subcommand (first non-option argument after the name). */
export function subcommandArgvIndex(command: ShellCommand, subcommand: string): number | undefined {
  const nameIndex = command.argv.length - command.args.length - 1;
  const argIndex = command.args.indexOf(subcommand);
  return argIndex < 0 ? undefined : nameIndex + 1 + argIndex;
}

/** argv index of the command name itself (after sudo/env wrappers). */
export function nameArgvIndex(command: ShellCommand): number {
  return command.argv.length - command.args.length - 1;
}

/**
 * Edit appending `&& <command>` at the end of a shell-form RUN, continued on a new line in
 * the style of the instruction (`&&` leading or trailing, same indentation). Undefined when
 * the end of the RUN is not a plain command end (trailing comment, operator, heredoc).
 */
export function appendCommandToRun(model: DockerfileModel, run: RunInstruction, command: string): TextEdit | undefined {
  if (run.form !== "shell" || run.heredocs.length > 0 || run.shell.parseError !== undefined) return undefined;
  const raw = model.text.slice(run.span.start.offset, run.span.end.offset);
  const body = raw.trimEnd();
  const end = run.span.start.offset + body.length;
  const lines = body.split(/\r?\n/);
  const lastLine = lines.at(-1) ?? "";
  if (/(^|\s)#/.test(lastLine) || /[;&|\\({]$/.test(body) || /\b(then|do|else)$/.test(body) || body.endsWith(model.escapeChar)) return undefined;
  const continuation = lines.slice(1).filter((line) => line.trim() !== "" && !/^\s*#/.test(line));
  const indent = continuation.length > 0 ? (/^[ \t]*/.exec(continuation.at(-1) ?? "")?.[0] ?? "    ") : "    ";
  const newline = raw.includes("\r\n") ? "\r\n" : "\n";
  const trailingStyle = lines.slice(0, -1).some((line) => new RegExp(`&&\\s*${escapeRegExp(model.escapeChar)}\\s*$`).test(line));
  const text = trailingStyle ? ` && ${model.escapeChar}${newline}${indent}${command}` : ` ${model.escapeChar}${newline}${indent}&& ${command}`;
  return { start: end, end, text };
}

/** Texts of the files named `basename` in the build context that the audit read (package.json, pyproject.toml...). */
export function contextManifests(context: BuildContext | undefined, texts: ReadonlyMap<string, string>, basename: string): string[] {
  if (!context) return [];
  const result: string[] = [];
  for (const file of context.dependencyFiles) {
    if (file.path !== basename && !file.path.endsWith(`/${basename}`)) continue;
    const text = texts.get(context.root === "" ? file.path : `${context.root}/${file.path}`);
    if (text !== undefined) result.push(text);
  }
  return result;
}

/** Yarn 2+ projects carry .yarnrc.yml or declare `"packageManager": "yarn@2+"` in package.json. */
export function isYarnBerry(context: BuildContext | undefined, texts: ReadonlyMap<string, string>): boolean {
  if (!context) return false;
  if (context.entries.some((entry) => !entry.excluded && (entry.path === ".yarnrc.yml" || entry.path.endsWith("/.yarnrc.yml")))) return true;
  return contextManifests(context, texts, "package.json").some((manifest) => /"packageManager"\s*:\s*"yarn@([2-9]|\d\d)/.test(manifest));
}

/**
 * What an ADD source is: a remote URL (http/https), a git repository, a local tar archive (which
 * ADD extracts), a local file that may or may not be a tar (`.gz`, `.xz`: ADD looks at the
 * content), a plain local path (ADD copies it like COPY), or unknown (variables).
 */
export type AddSourceKind = "url" | "git" | "tar" | "maybe-archive" | "plain" | "unknown";

export function addSourceKind(source: string): AddSourceKind {
  if (source.includes("$")) return "unknown";
  if (/^git@|^ssh:\/\/|^git:\/\//i.test(source) || (/^https?:\/\//i.test(source) && /\.git(#.*)?$|\.git\?/.test(source))) return "git";
  if (/^https?:\/\//i.test(source)) return "url";
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) return "unknown";
  if (/\.(tar|tar\.(gz|bz2|xz|zst)|tgz|tbz2?|txz|tzst)$/i.test(source)) return "tar";
  if (/\.(gz|bz2|xz|zst)$/i.test(source)) return "maybe-archive";
  return "plain";
}
