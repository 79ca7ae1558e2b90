// Shared by the build-cache rules (cache mounts for apt, npm, pip, go, cargo, maven/gradle; the
// order of COPY and dependency installs). They ask: which variables, user and WORKDIR does a
// RUN see (a tool's cache lives under $HOME or an ENV-configured directory), is that directory
// under a `RUN --mount=type=cache`, and how to add one without touching anything else.
//
// BuildKit's cache mounts (stable since Dockerfile syntax 1.2, so the frontend built into the
// Engine accepts them without a `# syntax=` line; checked against Engine 20.10) keep a directory
// between builds on the same builder without writing it into the layer: fast rebuilds and
// small images at once. BuildKit is the default builder since Engine 23 and in Docker Desktop.
import path from "node:path";
import type { DockerfileModel, Instruction, KeyValueInstruction, Mount, RunInstruction, ShellCommand, Stage } from "../../dockerfile/model.ts";
import { isRun } from "../../dockerfile/model.ts";
import { imageShortName, substituteVariables } from "../../dockerfile/image-ref.ts";
import { makeCommand } from "../../dockerfile/shell.ts";
import { dependencyInstall, hasOption, isApt, isShippedStage, subcommand } from "../queries.ts";
import type { DependencyInstall } from "../queries.ts";
import type { PackageManager } from "../../repo/snapshot.ts";
import type { RuleReport, TextEdit } from "../types.ts";
import { exportedValue, instructionsBefore, normalizePath, positionalArgs, removedPaths, stageChain } from "./package-hygiene.ts";
import { startupCommands, startupInstructions } from "./runtime-image.ts";

// ---------------------------------------------------------------------------------------------
// What a RUN sees: variables, user, working directory, base image.

export interface RunUser {
  /** As written in USER (a name or a uid); "root" when no USER applies. */
  name: string;
  isRoot: boolean;
  /** Home directory; undefined when it cannot be told (a bare uid nobody created). */
  home: string | undefined;
  /** `home` is the /home/<name> convention, not something the Dockerfile or the base image states. */
  homeGuessed: boolean;
  uid?: number;
  gid?: number;
}

export interface RunEnvironment {
  /** ENV values and the stage's ARGs; `undefined` = declared but value unknown (a build arg without default). */
  variables: ReadonlyMap<string, string | undefined>;
  user: RunUser;
  /** Absolute WORKDIR; undefined when it depends on an unknown variable. */
  workdir: string | undefined;
  /** Short name of the image the stage chain starts from (`node`, `golang`); "" when unresolved. */
  baseImage: string;
}

interface Account {
  uid?: number;
  gid?: number;
  group?: string;
  home?: string;
}

/** runEnvironment per instruction (and the stage it was asked for): each cache-mount rule asks for every RUN's. */
const environments = new WeakMap<Instruction, { stage: Stage; environment: RunEnvironment }>();

/**
 * The environment `instruction` runs in: everything before it in its stage and the stages it
 * builds FROM. Computed once per instruction and shared by every caller: do not modify it.
 */
export function runEnvironment(model: DockerfileModel, stage: Stage, instruction: Instruction): RunEnvironment {
  const cached = environments.get(instruction);
  if (cached?.stage === stage) return cached.environment;
  const environment = computeRunEnvironment(model, stage, instruction);
  environments.set(instruction, { stage, environment });
  return environment;
}

function computeRunEnvironment(model: DockerfileModel, stage: Stage, instruction: Instruction): RunEnvironment {
  const root = stageChain(model, stage)[0] ?? stage;
  const baseImage = root.base.unresolved ? "" : imageShortName(root.base);
  const variables = new Map<string, string | undefined>();
  const envNames = new Set<string>();
  const accounts = new Map<string, Account>();
  const groups = new Map<string, number>();
  let userSpec: string | undefined;
  let workdir: string | undefined = "/";
  let currentStage = -1;
  for (const earlier of instructionsBefore(model, stage, instruction)) {
    if (earlier.stageIndex !== currentStage) {
      // ARGs are scoped to their stage; ENV is inherited by stages built FROM it.
      for (const name of [...variables.keys()]) if (!envNames.has(name)) variables.delete(name);
      currentStage = earlier.stageIndex;
    }
    switch (earlier.keyword) {
      case "ENV":
        for (const pair of (earlier as KeyValueInstruction).pairs) {
          variables.set(pair.key, expand(pair.value ?? "", variables));
          envNames.add(pair.key);
        }
        break;
      case "ARG":
        for (const pair of (earlier as KeyValueInstruction).pairs) {
          if (envNames.has(pair.key)) continue; // ENV wins over ARG of the same name.
          variables.set(pair.key, pair.value !== undefined ? expand(pair.value, variables) : model.globalArgs.get(pair.key));
        }
        break;
      case "WORKDIR": {
        const target = expand(earlier.args[0] ?? "", variables);
        if (target === undefined) workdir = undefined;
        else if (target.startsWith("/")) workdir = normalizePath(target);
        else if (workdir !== undefined) workdir = normalizePath(`${workdir}/${target}`);
        break;
      }
      case "USER":
        userSpec = expand(earlier.args[0] ?? "", variables) ?? earlier.args[0];
        break;
      case "RUN":
        learnAccounts(earlier as RunInstruction, accounts, groups);
        break;
    }
  }
  return { variables, user: resolveUser(userSpec, variables, accounts, groups, baseImage), workdir, baseImage };
}

/** `$VAR` / `${VAR}` substitution; undefined when a variable has no known value. */
function expand(value: string, variables: ReadonlyMap<string, string | undefined>): string | undefined {
  if (!value.includes("$")) return value;
  const known = new Map<string, string>();
  for (const [name, text] of variables) if (text !== undefined) known.set(name, text);
  const { text, unresolved } = substituteVariables(value, known);
  return unresolved ? undefined : text;
}

/** Users known from the base image conventions: `node` in the node images, `gradle` in the gradle images. */
const IMAGE_USERS: Record<string, { image: string; account: Account }> = {
  node: { image: "node", account: { uid: 1000, gid: 1000, home: "/home/node" } },
  gradle: { image: "gradle", account: { uid: 1000, gid: 1000, home: "/home/gradle" } },
};

function resolveUser(spec: string | undefined, variables: ReadonlyMap<string, string | undefined>, accounts: Map<string, Account>, groups: Map<string, number>, baseImage: string): RunUser {
  const [name = "root", group] = (spec ?? "root").split(":");
  const explicitHome = variables.get("HOME");
  if (name === "root" || name === "0" || name === "") {
    return { name: "root", isRoot: true, home: explicitHome ?? "/root", homeGuessed: false, uid: 0, gid: 0 };
  }
  const numeric = /^\d+$/.test(name) ? Number(name) : undefined;
  const imageUser = Object.entries(IMAGE_USERS).find(([user, known]) => known.image === baseImage && (user === name || known.account.uid === numeric))?.[1].account;
  const account = accounts.get(name) ?? [...accounts.values()].find((candidate) => numeric !== undefined && candidate.uid === numeric) ?? imageUser;
  const user: RunUser = { name, isRoot: false, home: undefined, homeGuessed: false };
  const uid = numeric ?? account?.uid;
  if (uid !== undefined) user.uid = uid;
  const gid = group === undefined ? (account?.gid ?? (account?.group !== undefined ? groups.get(account.group) : undefined)) : /^\d+$/.test(group) ? Number(group) : groups.get(group);
  if (gid !== undefined) user.gid = gid;
  if (explicitHome !== undefined) user.home = explicitHome;
  else if (account?.home !== undefined) user.home = account.home;
  else if (numeric === undefined) {
    user.home = `/home/${name}`;
    user.homeGuessed = true;
  }
  return user;
}

const USERADD_VALUE_OPTIONS = new Set(["-b", "-c", "-d", "-e", "-f", "-g", "-G", "-k", "-K", "-p", "-R", "-P", "-s", "-u", "-Z", "--base-dir", "--comment", "--home-dir", "--home", "--expiredate", "--inactive", "--gid", "--groups", "--skel", "--key", "--password", "--root", "--prefix", "--shell", "--uid", "--selinux-user", "--ingroup", "--gecos", "--firstuid", "--lastuid", "--conf", "-h"]);
const GROUPADD_VALUE_OPTIONS = new Set(["-g", "-K", "-p", "-R", "-P", "--gid", "--key", "--password", "--root", "--prefix", "--conf", "--firstgid", "--lastgid"]);

/** Learns uid, gid and home of users and groups created by `useradd`/`adduser`/`groupadd`/`addgroup`. */
function learnAccounts(run: RunInstruction, accounts: Map<string, Account>, groups: Map<string, number>): void {
  for (const command of run.shell.commands) {
    const isUser = command.name === "useradd" || command.name === "adduser";
    const isGroup = command.name === "groupadd" || command.name === "addgroup";
    if (!isUser && !isGroup) continue;
    const options = new Map<string, string>();
    const positional: string[] = [];
    const valueOptions = isUser ? USERADD_VALUE_OPTIONS : GROUPADD_VALUE_OPTIONS;
    for (let index = 0; index < command.args.length; index++) {
      const arg = command.args[index] ?? "";
      const equals = arg.indexOf("=");
      if (arg.startsWith("--") && equals > 0) options.set(arg.slice(0, equals), arg.slice(equals + 1));
      else if (valueOptions.has(arg)) options.set(arg, command.args[++index] ?? "");
      else if (!arg.startsWith("-")) positional.push(arg);
    }
    const pick = (...names: string[]): string | undefined => names.map((name) => options.get(name)).find((value) => value !== undefined);
    const number = (value: string | undefined): number | undefined => (value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined);
    if (isGroup) {
      const gid = number(pick("-g", "--gid"));
      const name = positional[0];
      if (name !== undefined && gid !== undefined) groups.set(name, gid);
      continue;
    }
    // useradd takes the name last; adduser (Debian and BusyBox) first, optionally followed by a group.
    const name = command.name === "useradd" ? positional.at(-1) : positional[0];
    if (name === undefined) continue;
    const account: Account = {};
    const uid = number(pick("-u", "--uid"));
    if (uid !== undefined) account.uid = uid;
    // BusyBox adduser's -g is the GECOS field, not a group; its -G and Debian's --ingroup name the group.
    const groupOption = command.name === "useradd" ? pick("-g", "--gid") : (pick("--gid") ?? pick("-G", "--ingroup"));
    const gid = number(groupOption);
    if (gid !== undefined) account.gid = gid;
    else if (groupOption !== undefined) account.group = groupOption;
    else if (command.name === "adduser" && positional[1] !== undefined) account.group = positional[1];
    account.home = pick("-d", "--home-dir", "-h", "--home") ?? `/home/${name}`;
    accounts.set(name, account);
  }
}

/** A variable as a command sees it: `VAR=x cmd`, an `export VAR=x` in the same RUN, then ENV/ARG. */
export function commandVariable(name: string, env: RunEnvironment, run: RunInstruction, command: ShellCommand): string | undefined {
  const prefix = `${name}=`;
  const inline = command.assignments.find((assignment) => assignment.startsWith(prefix));
  if (inline !== undefined) return unquote(inline.slice(prefix.length));
  // mvdan/sh reports `export` as a declaration, not a command: read it from the script.
  return exportedValue(run.shell.source, name) ?? env.variables.get(name);
}

function unquote(value: string): string {
  return value.replace(/^(["'])(.*)\1$/, "$2");
}

/** An absolute path the RUN sees: `~`/`$HOME` are the user's home, other variables expanded, relative paths from WORKDIR. */
export function resolveRunPath(raw: string, env: RunEnvironment): string | undefined {
  let text = raw;
  if (/^(~|\$HOME|\$\{HOME\})(?=\/|$)/.test(text)) {
    if (env.user.home === undefined) return undefined;
    text = text.replace(/^(~|\$HOME|\$\{HOME\})/, env.user.home);
  }
  const expanded = expand(text, env.variables);
  // What is left of a command substitution (`$(mktemp -d)`), quotes, spaces or commas: not a path
  // known before the RUN runs, and nothing a `--mount=...,target=` could name.
  if (expanded === undefined || expanded === "" || /[$`\s,"'\\]/.test(expanded)) return undefined;
  if (expanded.startsWith("/")) return normalizePath(expanded);
  return env.workdir === undefined ? undefined : normalizePath(`${env.workdir}/${expanded}`);
}

// ---------------------------------------------------------------------------------------------
// Cache needs and cache mounts.

/** A directory a tool caches downloads or build results in, which a cache mount should cover. */
export interface CacheNeed {
  /** For messages: "npm cache". */
  label: string;
  /** The mount target to suggest; undefined when it cannot be told (unknown home, unresolved variable). */
  target: string | undefined;
  /** How to name it when `target` is unknown: `<home of 1001>/.npm`. */
  display: string;
  /** The directory that must be covered, when narrower than `target` (the Maven repository inside ~/.m2). */
  within?: string;
  /** Other directories that serve the same purpose. */
  alternatives?: string[];
  /** Any cache mount whose target ends with this counts (used when the home directory is a guess). */
  suffix?: string;
  /** Extra mount options for the suggestion, e.g. `sharing=locked`. */
  options?: string;
  /** The tool runs as root whatever USER says (apt under sudo): no uid/gid on the mount. */
  rootOwned?: boolean;
}

/** A directory under the user's home, honest about how well the home is known. */
export function homeNeed(label: string, env: RunEnvironment, relative: string): CacheNeed {
  const { home, homeGuessed, name } = env.user;
  if (home === undefined) return { label, target: undefined, display: `<home of ${name}>/${relative}`, suffix: `/${relative}` };
  const target = normalizePath(`${home}/${relative}`);
  return homeGuessed ? { label, target, display: target, suffix: `/${relative}` } : { label, target, display: target };
}

/** A directory given by configuration (an option or a variable), relative to the home directory otherwise. */
export function configuredNeed(label: string, env: RunEnvironment, configured: string | undefined, fallback: () => CacheNeed): CacheNeed {
  if (configured === undefined) return fallback();
  const target = resolveRunPath(configured, env);
  return { label, target, display: target ?? configured };
}

/** Cache mounts of a RUN with their targets resolved (undefined target: cannot be resolved). */
export function cacheMountTargets(run: RunInstruction, env: RunEnvironment): { mount: Mount; target: string | undefined; raw: string }[] {
  return run.mounts
    .filter((mount) => mount.type === "cache" && mount.target !== undefined)
    .map((mount) => ({ mount, target: resolveRunPath(mount.target ?? "", env), raw: mount.target ?? "" }));
}

/** Whether a cache mount of the RUN covers the need: its directory (or a parent), an alternative, or the suffix. */
function isCovered(need: CacheNeed, mounts: { target: string | undefined; raw: string }[]): boolean {
  const wanted = [need.within ?? need.target, ...(need.alternatives ?? [])].filter((path): path is string => path !== undefined);
  return mounts.some(({ target, raw }) => {
    if (target !== undefined && wanted.some((path) => path === target || path.startsWith(target === "/" ? "/" : `${target}/`))) return true;
    return need.suffix !== undefined && normalizePath(raw).endsWith(need.suffix);
  });
}

/** `--mount=type=cache,target=/root/.npm` (with uid/gid for a non-root user, who could not write a root-owned mount). */
function mountFlag(need: CacheNeed, env: RunEnvironment): string | undefined {
  // A target the flag cannot carry as one plain word would break the RUN or name another directory.
  if (need.target === undefined || /[\s,"'$`\\]/.test(need.target)) return undefined;
  let flag = `--mount=type=cache,target=${need.target}`;
  if (need.options) flag += `,${need.options}`;
  if (!env.user.isRoot && !need.rootOwned) {
    if (env.user.uid === undefined) return undefined;
    flag += `,uid=${env.user.uid}`;
    if (env.user.gid !== undefined) flag += `,gid=${env.user.gid}`;
  }
  return flag;
}

/** The flag as a message shows it: exact when known, with a placeholder otherwise. */
function describeMount(need: CacheNeed, env: RunEnvironment): string {
  const exact = mountFlag(need, env);
  if (exact !== undefined) return exact;
  let flag = `--mount=type=cache,target=${need.target ?? need.display}`;
  if (need.options) flag += `,${need.options}`;
  if (!env.user.isRoot && !need.rootOwned) {
    flag += `,uid=${env.user.uid ?? `<uid of ${env.user.name}>`}`;
    if (env.user.gid !== undefined) flag += `,gid=${env.user.gid}`;
  }
  return flag;
}

/** Edit inserting mount flags right after `RUN ` (existing flags stay after them). Shell form only. */
function insertMountsEdit(model: DockerfileModel, run: RunInstruction, flags: readonly string[]): TextEdit | undefined {
  if (run.form !== "shell" || run.onbuild || flags.length === 0) return undefined;
  const start = run.span.start.offset;
  if (model.text.slice(start, start + 3).toUpperCase() !== "RUN") return undefined;
  const spaces = /^[ \t]*/.exec(model.text.slice(start + 3, run.span.end.offset))?.[0] ?? "";
  if (spaces === "") return undefined;
  const offset = start + 3 + spaces.length;
  return { start: offset, end: offset, text: `${flags.join(" ")} ` };
}

/** What one command of a RUN needs, as a rule sees it. */
export interface CommandNeeds {
  /** The command as messages name it: `npm ci`, `go build`. */
  label: string;
  needs: CacheNeed[];
}

export interface CacheMountRuleSpec {
  /** The caches a command uses, or undefined when the rule does not care about this command. */
  needsOf(command: ShellCommand, env: RunEnvironment, run: RunInstruction): CommandNeeds | undefined;
  /** What the missing caches cost, completing "... so every rebuild ...". */
  consequence: string | ((missing: CacheNeed[]) => string);
  /** A sentence to add to the message for this RUN (e.g. about --no-cache-dir). */
  note?(run: RunInstruction, env: RunEnvironment, missing: CacheNeed[]): string | undefined;
  /** Whether the fix is safe for this RUN, and extra edits it needs. Undefined: no fix. */
  fixEdits?(run: RunInstruction, env: RunEnvironment, missing: CacheNeed[]): TextEdit[] | undefined;
  /**
   * The caches an offline command (`mvn -o`, `pnpm install --offline`) reads without
   * downloading. Such a command is not reported, and a RUN filling a cache it reads later from
   * the layer gets no fix: a mount would take the files out of the layer it reads.
   */
  offlineNeeds?(command: ShellCommand, env: RunEnvironment, run: RunInstruction): CacheNeed[] | undefined;
  /**
   * Whether a command empties the tool's cache (`npm cache clean --force`, `apt-get clean`,
   * `pip cache purge`). Under the new mount such a command would wipe what the mount keeps,
   * so the fix deletes it, as it deletes an `rm -rf` inside a mounted directory.
   */
  cleansCache?(command: ShellCommand): boolean;
  /**
   * Whether a command of the final image's CMD/ENTRYPOINT reads the tool's cache when the
   * container starts (`go run`, `cargo run`, `mvn spring-boot:run`). A mount keeps the cache out
   * of the image, so in a stage that ships the fix would make the container download at start:
   * a rewrite-level fix there (docs/fix.md, What safe means).
   */
  readAtStartup?(command: ShellCommand): boolean;
}

/** One report per RUN whose commands use caches that no cache mount covers; fix: add the mounts. */
export function checkCacheMounts(model: DockerfileModel, spec: CacheMountRuleSpec): RuleReport[] {
  const reports: RuleReport[] = [];
  const startup = startupInstructions(model);
  const readAtStartup = spec.readAtStartup !== undefined && [startup.entrypoint, startup.cmd].some((instruction) => instruction !== undefined && startupCommands(instruction).some((command) => spec.readAtStartup?.(command) ?? false));
  for (const stage of model.stages) {
    for (const run of stage.instructions.filter(isRun)) {
      if (run.onbuild) continue;
      let env: RunEnvironment | undefined;
      const labels: string[] = [];
      const missing: CacheNeed[] = [];
      for (const command of run.shell.commands) {
        env ??= runEnvironment(model, stage, run);
        const used = spec.needsOf(command, env, run);
        if (!used) continue;
        const mounts = cacheMountTargets(run, env);
        const uncovered = used.needs.filter((need) => !isCovered(need, mounts));
        for (const need of uncovered) if (!missing.some((known) => known.display === need.display)) missing.push(need);
        if (uncovered.length > 0 && !labels.includes(used.label)) labels.push(used.label);
      }
      if (!env || missing.length === 0) continue;
      const flags = missing.map((need) => describeMount(need, env as RunEnvironment));
      const where = missing.map((need) => need.display).join(" and ");
      let message = `${joinWithAnd(labels.map((label) => `\`${label}\``))} ${labels.length > 1 ? "run" : "runs"} without a cache mount on ${where}, so every rebuild ${typeof spec.consequence === "string" ? spec.consequence : spec.consequence(missing)}; add \`${flags.join(" ")}\` to this RUN (BuildKit)`;
      const note = spec.note?.(run, env, missing);
      if (note) message += `. ${note}`;
      const report: RuleReport = { message, line: run.span.start.line, endLine: run.span.end.line };
      const exact = missing.map((need) => mountFlag(need, env as RunEnvironment));
      const extra = spec.fixEdits ? spec.fixEdits(run, env, missing) : [];
      const insert = exact.every((flag): flag is string => flag !== undefined) ? insertMountsEdit(model, run, exact) : undefined;
      // Cleanups of the mounted directories are pointless under the mount and would empty it on every build.
      const targets = missing.map((need) => need.target).filter((target): target is string => target !== undefined);
      const cleanups = run.shell.commands.filter((command) => (spec.cleansCache?.(command) ?? false) || removesOnlyWithin(command, targets, env as RunEnvironment));
      const removals = cleanups.length === 0 ? [] : removeCommandsEdits(model, run, cleanups);
      if (insert && extra && removals && !readLaterOffline(model, spec, stage, run, missing)) {
        report.fix = [insert, ...extra, ...removals];
        if (readAtStartup && isShippedStage(model, stage)) report.fixLevel = "rewrite";
      }
      reports.push(report);
    }
  }
  return reports;
}

/** An `rm`/`find -delete` whose every path lies in one of the directories (`rm -rf /var/lib/apt/lists/*` under /var/lib/apt). */
function removesOnlyWithin(command: ShellCommand, directories: readonly string[], env: RunEnvironment): boolean {
  const removed = removedPaths(command);
  if (removed.length === 0 || directories.length === 0) return false;
  return removed.every((raw) => {
    const stripped = raw.replace(/\/(\*|\.\*|\*\*)$/, "");
    if (/[*?[]/.test(stripped)) return false;
    const resolved = resolveRunPath(stripped, env);
    return resolved !== undefined && directories.some((directory) => resolved === directory || resolved.startsWith(`${directory}/`));
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
}

/**
 * The RUN's text with the lines Docker drops inside a continued instruction (comment lines and
 * blank lines after the first line) turned into spaces, line break included: same length, so
 * offsets still point into the real text, and a deletion across them takes them along. Without
 * this, deleting `\\ # comment \n && rm -rf ...` at the end of a RUN would stop at the comment
 * and leave the `\\` before it, and the next instruction would become part of the RUN.
 */
function maskDroppedLines(raw: string): string {
  let masked = "";
  let position = 0;
  let first = true;
  while (position < raw.length) {
    const newline = raw.indexOf("\n", position);
    const end = newline < 0 ? raw.length : newline + 1;
    const line = raw.slice(position, end);
    masked += !first && /^[ \t]*(?:#[^\n]*)?\n?$/.test(line.replace(/\r(?=\n$)/, "")) ? " ".repeat(line.length) : line;
    first = false;
    position = end;
  }
  return masked;
}

/**
 * Edits deleting whole commands from a `&&`/`;` chain of a shell-form RUN, with the operator
 * that joins them (`\\` continuations included, in either style, and the comment lines between
 * the operator and the command). Undefined when a command cannot be found exactly once in the
 * text (quotes, variables, pipelines): no fix rather than a wrong one.
 */
export function removeCommandsEdits(model: DockerfileModel, run: RunInstruction, commands: readonly ShellCommand[]): TextEdit[] | undefined {
  if (run.form !== "shell" || run.heredocs.length > 0 || run.shell.parseError !== undefined) return undefined;
  const start = run.span.start.offset;
  const raw = maskDroppedLines(model.text.slice(start, run.span.end.offset));
  // Docker reads an escape followed by spaces or tabs up to the line break as a continuation too.
  const gap = `(?:[ \\t]|${escapeRegExp(model.escapeChar)}[ \\t]*\\r?\\n)`;
  const commandEnd = `(?=[ \\t]*(?:${escapeRegExp(model.escapeChar)}[ \\t]*\\r?\\n|\\r?\\n|&&|;|$))`;
  const edits: TextEdit[] = [];
  for (const command of commands) {
    if (command.pipelineLength > 1 || command.viaShellString || command.assignments.length > 0 || command.argv.length === 0) return undefined;
    if (command.argv.some((word) => word === "" || /[\s$`"'\\]/.test(word))) return undefined;
    const words = command.argv.map(escapeRegExp).join(`${gap}+`);
    const occurrences = [...raw.matchAll(new RegExp(`(^|[\\s;&|(])${words}${commandEnd}`, "g"))];
    if (occurrences.length !== 1) return undefined;
    // A match starts where a run of blanks and continuations starts (`(?<!gap)`): tried from every
    // position inside a long run, `gap*` made the search quadratic (20,000 blanks: 4 s).
    const joinedBefore = [...raw.matchAll(new RegExp(`(?<!${gap})${gap}*(?:&&|;)${gap}*${words}${commandEnd}`, "g"))];
    if (joinedBefore.length === 1 && joinedBefore[0]?.index !== undefined) {
      edits.push({ start: start + joinedBefore[0].index, end: start + joinedBefore[0].index + joinedBefore[0][0].length, text: "" });
      continue;
    }
    // The first command of the RUN goes with the operator after it.
    if (run.shell.commands[0] !== command) return undefined;
    const joinedAfter = [...raw.matchAll(new RegExp(`${words}${gap}*(?:&&|;)${gap}*`, "g"))];
    if (joinedAfter.length !== 1 || joinedAfter[0]?.index === undefined) return undefined;
    edits.push({ start: start + joinedAfter[0].index, end: start + joinedAfter[0].index + joinedAfter[0][0].length, text: "" });
  }
  return edits;
}

/** Whether a later RUN of this image (or one built FROM it) reads one of these caches offline from the layer. */
function readLaterOffline(model: DockerfileModel, spec: CacheMountRuleSpec, stage: Stage, run: RunInstruction, missing: CacheNeed[]): boolean {
  if (!spec.offlineNeeds) return false;
  const targets = new Set(missing.map((need) => need.within ?? need.target));
  for (const other of model.stages) {
    if (!stageChain(model, other).includes(stage)) continue;
    for (const later of other.instructions.filter(isRun)) {
      if (later.index <= run.index || later.onbuild) continue;
      const env = runEnvironment(model, other, later);
      const mounts = cacheMountTargets(later, env);
      for (const command of later.shell.commands) {
        const needs = spec.offlineNeeds(command, env, later) ?? [];
        if (needs.some((need) => !isCovered(need, mounts) && targets.has(need.within ?? need.target))) return true;
      }
    }
  }
  return false;
}

export function joinWithAnd(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1) ?? ""}`;
}

/** `install` for `npm ci`-style labels: the command name and its subcommand. */
export function commandLabel(command: ShellCommand): string {
  if (/^python\d?(\.\d+)?$/.test(command.name) && command.args[0] === "-m") return `${command.name} -m ${command.args.slice(1, 3).join(" ")}`;
  const sub = subcommand(command);
  return sub === undefined ? command.name : `${command.name} ${sub}`;
}

// ---------------------------------------------------------------------------------------------
// apt.

/** `xargs apt-get install -y < packages.txt` runs apt-get too: the command xargs starts. */
export function unwrapXargs(command: ShellCommand): ShellCommand {
  if (command.name !== "xargs") return command;
  let index = 0;
  while (index < command.args.length && (command.args[index] ?? "").startsWith("-")) {
    if (/^-[IEdLnPsa]$/.test(command.args[index] ?? "")) index++;
    index++;
  }
  const inner = makeCommand(command.args.slice(index), [], command.text, command.viaShellString);
  return { ...inner, pipeline: command.pipeline, pipelineIndex: command.pipelineIndex, pipelineLength: command.pipelineLength };
}

/** apt subcommands that download and install packages into /var/cache/apt/archives. */
const APT_DOWNLOADS = new Set(["install", "reinstall", "upgrade", "dist-upgrade", "full-upgrade", "build-dep"]);

export function isAptDownload(command: ShellCommand): boolean {
  const inner = unwrapXargs(command);
  return isApt(inner) && APT_DOWNLOADS.has(subcommand(inner) ?? "");
}

/** apt's two directories worth caching: downloaded .deb files and the package lists. */
export const APT_ARCHIVES = "/var/cache/apt/archives";
export const APT_LISTS = "/var/lib/apt/lists";

/** Whether a path is one of apt's cache directories, inside one, or a parent of one. */
export function touchesAptCache(target: string): boolean {
  return [APT_ARCHIVES, APT_LISTS].some((apt) => {
    const base = path.posix.dirname(apt);
    return target === base || target.startsWith(`${base}/`) || apt.startsWith(`${target}/`);
  });
}

/** The Debian/Ubuntu base images' hook that deletes downloaded packages after every apt run. */
const DOCKER_CLEAN = "/etc/apt/apt.conf.d/docker-clean";

/**
 * Whether an instruction removes or neutralises docker-clean: `rm`/`mv`/`unlink` of it (or of
 * the whole apt.conf.d), a redirect or `sed -i` that rewrites it, or a COPY over it.
 */
export function disablesDockerClean(instruction: Instruction): boolean {
  if (instruction.keyword === "COPY" || instruction.keyword === "ADD") {
    const destination = instruction.args.at(-1) ?? "";
    return normalizePath(destination) === DOCKER_CLEAN;
  }
  if (!isRun(instruction)) return false;
  const names = /(^|\/)apt\.conf\.d\/(docker-clean|\*)$/;
  for (const command of instruction.shell.commands) {
    if (["rm", "mv", "unlink", "truncate"].includes(command.name) && command.args.some((arg) => names.test(arg))) return true;
    if (command.name === "sed" && command.args.some((arg) => /^-[a-zA-Z]*i/.test(arg) || arg.startsWith("--in-place")) && command.args.some((arg) => names.test(arg))) return true;
  }
  return />\s*["']?\/etc\/apt\/apt\.conf\.d\/docker-clean\b/.test(instruction.shell.source);
}

/** Whether an instruction configures `apt` (the CLI, which deletes packages by default) to keep them. */
export function keepsDownloadedPackages(instruction: Instruction): boolean {
  const text = isRun(instruction) ? instruction.shell.source : instruction.keyword === "COPY" ? (instruction as { heredocs?: { content: string }[] }).heredocs?.map((heredoc) => heredoc.content).join("\n") ?? "" : "";
  return /Keep-Downloaded-Packages\s*"?(true|1|yes)"?/i.test(text);
}

/** Instructions before `run` in its image (its stage and the stages it builds FROM), and the RUN itself. */
export function instructionsUpTo(model: DockerfileModel, stage: Stage, run: Instruction): Instruction[] {
  return [...instructionsBefore(model, stage, run), run];
}

// ---------------------------------------------------------------------------------------------
// Dependency manifests, lockfiles and the installs that read them.

/**
 * An install driven by the project's manifest and lockfile (`npm ci`, `pip install -r`,
 * `go mod download`...), the step worth running before the sources are copied. Not: adding
 * named packages (`npm install -g pnpm`), installing the project itself (`pip install .`), or
 * builds (`go build`, `cargo build`, `mvn package`), which need the sources.
 */
export function manifestInstall(command: ShellCommand): DependencyInstall | undefined {
  const install = dependencyInstall(command);
  if (install?.action !== "install") {
    // `gradle dependencies` / `gradlew dependencies` only resolves the dependency graph.
    if ((command.name === "gradle" || command.name === "gradlew") && command.args.includes("dependencies")) return { ecosystem: "java", manager: "gradle", action: "install" };
    return undefined;
  }
  const sub = subcommand(command);
  switch (install.manager) {
    case "npm":
    case "pnpm":
    case "yarn":
      if (sub === "add" || hasOption(command, "-g", "--global") || positionalArgs(command, ["--cwd", "--prefix", "--registry", "--cache", "--store-dir", "--filter", "-C", "--dir", "--omit", "--include", "--only", "--loglevel", "-w", "--workspace", "--network-timeout", "--modules-folder", "--cache-folder"]).length > 0) return undefined;
      return install;
    case "pip":
    case "uv":
      if (command.name === "uv" && sub === "sync") return install;
      return hasOption(command, "-r", "--requirement") && !command.args.includes(".") && !command.args.some((arg) => arg.startsWith("-e")) ? install : undefined;
    case "pipenv":
      return positionalArgs(command).length === 0 ? install : undefined;
    default:
      return install;
  }
}

/** Lockfile names per package manager (what `DependencyFile.packageManager` says for them). */
export const LOCKFILES: Partial<Record<PackageManager, string[]>> = {
  npm: ["package-lock.json", "npm-shrinkwrap.json"],
  yarn: ["yarn.lock"],
  pnpm: ["pnpm-lock.yaml"],
  poetry: ["poetry.lock"],
  uv: ["uv.lock"],
  pipenv: ["Pipfile.lock"],
  go: ["go.sum"],
  cargo: ["Cargo.lock"],
  gradle: ["gradle.lockfile"],
  bundler: ["Gemfile.lock"],
  composer: ["composer.lock"],
};

/** The manifest each lockfile belongs to. */
export const MANIFESTS: Partial<Record<PackageManager, string[]>> = {
  npm: ["package.json"],
  yarn: ["package.json"],
  pnpm: ["package.json"],
  poetry: ["pyproject.toml"],
  uv: ["pyproject.toml"],
  pipenv: ["Pipfile"],
  go: ["go.mod"],
  cargo: ["Cargo.toml"],
  gradle: ["build.gradle", "build.gradle.kts"],
  bundler: ["Gemfile"],
  composer: ["composer.json"],
};

/** The commands of a manager that resolve dependencies from its lockfile. */
export function readsLockfile(command: ShellCommand, manager: PackageManager): boolean {
  const install = dependencyInstall(command) ?? manifestInstall(command);
  if (!install || install.manager !== manager) return false;
  if (manager === "uv") return subcommand(command) === "sync";
  if (manager === "npm" || manager === "yarn" || manager === "pnpm") return manifestInstall(command) !== undefined;
  return true;
}
