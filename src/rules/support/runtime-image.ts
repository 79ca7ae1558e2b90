// Shared by the rules about what the final image contains and runs (build tools, toolchain and
// full base images, dev servers, log shippers, browsers, root user, healthchecks): which system
// packages a command installs and whether the same RUN removes them again, which command the
// container starts with, what kind of base image a stage starts from, and whether a Dockerfile
// is meant for production at all.
import path from "node:path";
import type { CommandInstruction, DockerfileModel, ImageReference, RunInstruction, ShellCommand, Stage } from "../../dockerfile/model.ts";
import { runtimeStages } from "../../dockerfile/model.ts";
import { tagVariants } from "../../dockerfile/image-ref.ts";
import { parseShell, makeCommand } from "../../dockerfile/shell.ts";
import { subcommand } from "../queries.ts";
import { commandIndex, environmentAt, variableValue } from "./package-hygiene.ts";

// ---------------------------------------------------------------------------------------------
// System packages.

export type SystemPackageManager = "apt" | "apk" | "rpm" | "zypper";

export interface SystemPackageInstall {
  manager: SystemPackageManager;
  /** Package names as the manager sees them: versions (`=1.2`), architectures (`:amd64`) removed. */
  packages: string[];
  /** `apk add --virtual .build-deps ...`: the group name `apk del` can remove them by. */
  virtual?: string;
  /** `yum groupinstall "Development Tools"`, `dnf install @development-tools`. */
  groups: string[];
}

/** Options of the package managers that take a separate value (so the value is not a package). */
const VALUE_OPTIONS: Record<SystemPackageManager, string[]> = {
  apt: ["-o", "-t", "-c", "--option", "--target-release", "--default-release", "--config-file"],
  apk: ["-t", "--virtual", "-X", "--repository", "-p", "--root", "--arch", "--cache-dir", "--keys-dir", "--repositories-file"],
  rpm: ["-c", "--config", "--installroot", "--releasever", "--setopt", "--enablerepo", "--disablerepo", "--repo", "--repoid", "-x", "--exclude"],
  zypper: ["-r", "--repo", "--from", "-t", "--type"],
};

/**
 * What an `apt-get install` / `apk add` / `yum|dnf|microdnf install` / `zypper install`
 * installs. `resolve` expands `$VAR` words (build-dependency lists kept in a variable).
 */
export function systemPackageInstall(command: ShellCommand, resolve: (word: string) => string[] = (word) => [word]): SystemPackageInstall | undefined {
  const manager = packageManagerOf(command);
  if (!manager) return undefined;
  const sub = subcommand(command);
  const installs =
    (manager === "apt" && sub === "install") ||
    (manager === "apk" && sub === "add") ||
    (manager === "rpm" && (sub === "install" || sub === "groupinstall" || (sub === "group" && positionalAfter(command, manager, sub)[0] === "install"))) ||
    (manager === "zypper" && (sub === "install" || sub === "in"));
  if (!installs || sub === undefined) return undefined;
  let words = positionalAfter(command, manager, sub);
  const groups: string[] = [];
  if (manager === "rpm" && sub === "group") words = words.slice(1);
  if (manager === "rpm" && (sub === "groupinstall" || sub === "group")) {
    groups.push(...words);
    words = [];
  }
  const packages: string[] = [];
  for (const word of words.flatMap(resolve)) {
    if (word.startsWith("@")) groups.push(word.slice(1));
    else if (word !== "") packages.push(packageName(word, manager));
  }
  const install: SystemPackageInstall = { manager, packages, groups };
  const virtual = manager === "apk" ? (valueOf(command, "-t") ?? valueOf(command, "--virtual")) : undefined;
  if (virtual !== undefined) install.virtual = virtual;
  return install;
}

function packageManagerOf(command: ShellCommand): SystemPackageManager | undefined {
  if (command.name === "apt-get" || command.name === "apt" || command.name === "aptitude") return "apt";
  if (command.name === "apk") return "apk";
  if (command.name === "yum" || command.name === "dnf" || command.name === "microdnf" || command.name === "tdnf") return "rpm";
  if (command.name === "zypper") return "zypper";
  return undefined;
}

/** Non-option words after the subcommand. */
function positionalAfter(command: ShellCommand, manager: SystemPackageManager, sub: string): string[] {
  const result: string[] = [];
  const start = command.args.indexOf(sub) + 1;
  for (let index = start; index < command.args.length; index++) {
    const arg = command.args[index] ?? "";
    if (arg.startsWith("-")) {
      if (VALUE_OPTIONS[manager].includes(arg)) index++;
      continue;
    }
    result.push(arg);
  }
  return result;
}

function valueOf(command: ShellCommand, option: string): string | undefined {
  for (let index = 0; index < command.args.length; index++) {
    const arg = command.args[index] ?? "";
    if (arg === option) return command.args[index + 1];
    if (option.startsWith("--") && arg.startsWith(`${option}=`)) return arg.slice(option.length + 1);
  }
  return undefined;
}

/** `gcc=4:12.2.0-3` -> `gcc`, `libc6-dev:amd64` -> `libc6-dev`, `gcc~12` -> `gcc`; local `.deb` paths keep their file name. */
function packageName(word: string, manager: SystemPackageManager): string {
  if (word.includes("/")) return path.posix.basename(word);
  if (manager === "apt") return word.replace(/(?<![=:])[=:].*$/, "").toLowerCase();
  if (manager === "apk") return word.replace(/(?<![=~<>])[=~<>].*$/, "").toLowerCase();
  return word.replace(/(?<![<>=])[<>=].*$/, "").toLowerCase();
}

/**
 * Package names removed again by later commands of the same RUN (so they never reach the
 * layer): `apt-get purge`, `apk del` (names or the --virtual group), `yum remove`. `all` is
 * set by the official images' pattern `apt-mark auto '.*' ... apt-get purge --auto-remove`,
 * which removes everything the RUN installed.
 */
export function removedInSameRun(run: RunInstruction, install: ShellCommand, resolve: (word: string) => string[] = (word) => [word]): { names: Set<string>; all: boolean } {
  const names = new Set<string>();
  let marksAuto = false;
  let all = false;
  const after = commandIndex(run, install);
  for (const { command, index } of removalCandidates(run)) {
    if (index <= after) continue;
    const manager = packageManagerOf(command);
    const sub = subcommand(command);
    // Only an `apt-mark auto` after the install marks what it installed.
    if (command.name === "apt-mark" && sub === "auto") marksAuto = true;
    if (!manager || sub === undefined) continue;
    if (!removesPackages(manager, sub)) continue;
    const autoRemove = sub === "autoremove" || command.args.includes("--auto-remove") || command.args.includes("--autoremove");
    if (manager === "apt" && marksAuto && autoRemove) all = true;
    for (const word of positionalAfter(command, manager, sub).flatMap(resolve)) names.add(packageName(word, manager));
  }
  return { names, all };
}

/**
 * The commands of a RUN that removedInSameRun looks at (`apt-mark` and package-manager
 * commands), with their indexes, found once per RUN: asked for every install of a RUN, a scan of
 * all later commands each time was quadratic in a RUN of thousands of `&&` commands.
 */
function removalCandidates(run: RunInstruction): { command: ShellCommand; index: number }[] {
  let candidates = removalCandidatesByRun.get(run);
  if (candidates === undefined) {
    candidates = run.shell.commands.flatMap((command, index) => {
      const manager = packageManagerOf(command);
      const relevant = command.name === "apt-mark" || (manager !== undefined && removesPackages(manager, subcommand(command)));
      return relevant ? [{ command, index }] : [];
    });
    removalCandidatesByRun.set(run, candidates);
  }
  return candidates;
}

function removesPackages(manager: SystemPackageManager, sub: string | undefined): boolean {
  return (
    (manager === "apt" && (sub === "purge" || sub === "remove" || sub === "autoremove")) ||
    (manager === "apk" && (sub === "del" || sub === "delete")) ||
    (manager === "rpm" && (sub === "remove" || sub === "erase" || sub === "autoremove" || sub === "groupremove")) ||
    (manager === "zypper" && (sub === "remove" || sub === "rm"))
  );
}

const removalCandidatesByRun = new WeakMap<RunInstruction, { command: ShellCommand; index: number }[]>();

/**
 * Expands `$VAR` / `${VAR}` words of a command: from a plain assignment earlier in the same
 * RUN (`buildDeps='gcc make'; apt-get install $buildDeps`), an inline or exported value, or
 * ENV/ARG. Unknown variables expand to nothing; literal words stay as they are.
 */
export function wordResolver(model: DockerfileModel, stage: Stage, run: RunInstruction, command: ShellCommand): (word: string) => string[] {
  // Most words are literal: the environment and the earlier commands are only looked up for a variable.
  let env: Map<string, string> | undefined;
  let before: ShellCommand[] | undefined;
  return (word) => {
    const variable = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(word);
    if (!variable) return [word];
    env ??= environmentAt(model, stage, run);
    before ??= run.shell.commands.slice(0, Math.max(0, commandIndex(run, command)));
    const name = variable[1] ?? "";
    const assigned = before
      .flatMap((candidate) => (candidate.name === "" ? candidate.assignments : []))
      .filter((assignment) => assignment.startsWith(`${name}=`))
      .at(-1);
    const value = assigned !== undefined ? assigned.slice(name.length + 1).replace(/^(["'])([\s\S]*)\1$/, "$2") : variableValue(name, env, run, command);
    return (value ?? "").split(/\s+/).filter(Boolean);
  };
}

// ---------------------------------------------------------------------------------------------
// What the container runs.

export interface StartupInstructions {
  entrypoint?: CommandInstruction;
  cmd?: CommandInstruction;
}

/** The ENTRYPOINT and CMD in force in the final image (inherited through `FROM <stage>`), if the Dockerfile sets them. */
export function startupInstructions(model: DockerfileModel): StartupInstructions {
  const result: StartupInstructions = {};
  for (const stage of runtimeStages(model)) {
    for (const instruction of stage.instructions) {
      if (instruction.onbuild) continue;
      if (instruction.keyword === "ENTRYPOINT") result.entrypoint = instruction as CommandInstruction;
      if (instruction.keyword === "CMD") result.cmd = instruction as CommandInstruction;
    }
  }
  return result;
}

/** startupCommands per instruction: six rules ask for the same CMD/ENTRYPOINT's commands. */
const commandsByInstruction = new WeakMap<CommandInstruction, readonly ShellCommand[]>();

/**
 * The simple commands a CMD/ENTRYPOINT runs: the shell form's script, the script of an exec-form
 * `sh -c '...'`, or the exec-form argv as one command. Parsed once per instruction and shared by
 * every caller, hence read-only.
 */
export function startupCommands(instruction: CommandInstruction): readonly ShellCommand[] {
  let commands = commandsByInstruction.get(instruction);
  if (!commands) {
    commands = parseStartupCommands(instruction);
    commandsByInstruction.set(instruction, commands);
  }
  return commands;
}

function parseStartupCommands(instruction: CommandInstruction): ShellCommand[] {
  if (instruction.form === "none") return [];
  if (instruction.form === "shell") return parseShell(instruction.argumentText).commands;
  const [head = "", flag, script] = instruction.command;
  if (["sh", "bash", "ash", "dash"].includes(path.posix.basename(head)) && flag !== undefined && /^-[a-z]*c$/.test(flag) && script !== undefined) {
    return parseShell(script).commands;
  }
  const command = makeCommand(instruction.command, [], instruction.command.join(" "), false);
  // `["sh", "-c", ...]` aside, a wrapper's argument is itself a command line: `["bash", "start.sh"]` stays one command.
  return command.name === "" ? [] : [command];
}

// ---------------------------------------------------------------------------------------------
// Base images.

const DOCKER_HUB = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);

/**
 * The Docker Official Image name (`node`, `python`) of a reference, also through pull-through
 * mirrors (`public.ecr.aws/docker/library/node`, `mirror.gcr.io/library/node`); undefined for
 * other publishers' images (`bitnami/node`) and unresolved references.
 */
export function officialImage(base: ImageReference): string | undefined {
  if (base.unresolved) return undefined;
  const name = base.name.replace(/^library\//, "");
  if ((base.registry === undefined || DOCKER_HUB.has(base.registry)) && !name.includes("/")) return name;
  return /(?:^|\/)library\/([a-z0-9._-]+)$/.exec(base.name)?.[1];
}

/** The image a stage really starts from: the root of its `FROM <stage>` chain (undefined for scratch). */
export function rootImageStage(model: DockerfileModel, stage: Stage): Stage | undefined {
  let current: Stage | undefined = stage;
  const seen = new Set<number>();
  while (current && current.baseStage !== undefined && !seen.has(current.index)) {
    seen.add(current.index);
    current = model.stages[current.baseStage];
  }
  return current && !current.isScratch ? current : undefined;
}

/** Tag variants that already are the small flavour of an image, or not Linux at all. */
const SMALL_OR_OTHER_VARIANT = /^(slim|alpine.*|distroless|windowsservercore.*|nanoserver.*|ltsc\d+)$/;

export type BaseImageKind =
  /** A full (buildpack-deps based) runtime image with a `-slim` sibling: `node:22`, `python:3.11`, `debian:bookworm`. */
  | { kind: "full"; image: string; slimReference: string }
  /** A compiler/SDK image whose artifacts run on a much smaller runtime image. */
  | { kind: "toolchain"; image: string; runtime: string };

/**
 * Classifies a base image for final-stage-full-base and final-stage-toolchain-image. The two
 * kinds never overlap, so one FROM line is reported by one rule at most:
 *  - toolchain: golang, rust, gcc, maven, gradle, swift (not -slim), buildpack-deps (full),
 *    openjdk and eclipse-temurin JDK tags, mcr.microsoft.com/dotnet/sdk;
 *  - full: node, python, ruby, debian and openjdk JRE tags without -slim.
 */
export function classifyBaseImage(base: ImageReference): BaseImageKind | undefined {
  if (base.unresolved) return undefined;
  const tag = base.tag;
  const variants = tagVariants(tag).map((variant) => variant.toLowerCase());
  if (variants.some((variant) => /^(windowsservercore.*|nanoserver.*|ltsc\d+)$/.test(variant))) return undefined;
  if (base.registry === "mcr.microsoft.com" && /^dotnet\/(core\/)?sdk$/.test(base.name)) {
    return { kind: "toolchain", image: `${base.registry}/${base.name}`, runtime: `mcr.microsoft.com/dotnet/aspnet${tag ? `:${tag}` : ""} (or dotnet/runtime, runtime-deps for self-contained apps)` };
  }
  const official = officialImage(base);
  if (official === undefined) return undefined;
  const isJre = variants.some((variant) => variant.startsWith("jre"));
  switch (official) {
    case "golang":
      return { kind: "toolchain", image: official, runtime: "gcr.io/distroless/static-debian12 (with CGO_ENABLED=0) or gcr.io/distroless/base-debian12" };
    case "rust":
    case "gcc":
      return { kind: "toolchain", image: official, runtime: "gcr.io/distroless/cc-debian12 or debian:bookworm-slim" };
    case "maven":
    case "gradle":
      return { kind: "toolchain", image: official, runtime: "eclipse-temurin:<version>-jre" };
    case "swift":
      return variants.includes("slim") ? undefined : { kind: "toolchain", image: official, runtime: `swift:${swapTag(tag, "slim")}` };
    case "buildpack-deps":
      return variants.some((variant) => variant === "curl" || variant === "scm") ? undefined : { kind: "toolchain", image: official, runtime: "debian:bookworm-slim" };
    case "openjdk":
    case "eclipse-temurin":
      if (!isJre) return { kind: "toolchain", image: official, runtime: "eclipse-temurin:<version>-jre" };
      if (official === "openjdk" && !variants.some((variant) => SMALL_OR_OTHER_VARIANT.test(variant))) return { kind: "full", image: official, slimReference: withTag(base, `${tag}-slim`) };
      return undefined;
    case "node":
    case "python":
    case "ruby":
    case "debian": {
      if (variants.some((variant) => SMALL_OR_OTHER_VARIANT.test(variant))) return undefined;
      return { kind: "full", image: official, slimReference: withTag(base, slimTag(official, tag)) };
    }
    default:
      return undefined;
  }
}

/** The `-slim` tag of a full tag, in each image's naming scheme. */
function slimTag(image: string, tag: string | undefined): string {
  const floating = tag === undefined || tag === "latest";
  if (image === "debian") return floating ? "stable-slim" : `${tag}-slim`;
  if (floating) return "slim";
  // python and ruby put `slim` before the distribution (`3.12-slim-bookworm`); node after (`22-bookworm-slim`).
  if (image === "python" || image === "ruby") return swapTag(tag, "slim");
  return `${tag}-slim`;
}

/** Inserts `variant` after the version part of a tag: `3.12-bookworm` -> `3.12-slim-bookworm`. */
function swapTag(tag: string | undefined, variant: string): string {
  if (tag === undefined || tag === "latest") return variant;
  const parts = tag.split("-");
  if (!/^\d/.test(parts[0] ?? "")) return [variant, ...parts].join("-");
  return [parts[0], variant, ...parts.slice(1)].join("-");
}

/** The reference as written (registry and path kept) with another tag; a digest is dropped since it pinned the old tag. */
function withTag(base: ImageReference, tag: string): string {
  const withoutDigest = base.resolved.replace(/(?<!@)@.*$/, "");
  const lastSlash = withoutDigest.lastIndexOf("/");
  const colon = withoutDigest.lastIndexOf(":");
  const repository = colon > lastSlash ? withoutDigest.slice(0, colon) : withoutDigest;
  return `${repository}:${tag}`;
}

// ---------------------------------------------------------------------------------------------
// Dockerfiles that are not production images.

const NON_PRODUCTION_WORD = /(^|[._-])(dev|devel|develop|development|local|test|tests|testing|ci|e2e|debug|build|builder)([._-]|$)/i;
const NON_PRODUCTION_DIRECTORY = new Set([".devcontainer", "dev", "development", "local", "test", "tests", "testing", "ci", "e2e"]);
const NON_PRODUCTION_STAGE = /^(dev|devel|develop|development|local|test|tests|testing|ci|e2e|debug)$/i;

/**
 * A Dockerfile for development, tests or CI rather than for the image that ships: under
 * `.devcontainer/` or a dev/test/ci directory, named like `Dockerfile.dev`, `test.Dockerfile`,
 * `Dockerfile.build`, or whose final stage (the default target) is named dev/test/debug.
 * Toolchains, root, dev servers and missing healthchecks are what such images are for.
 */
export function isNonProductionDockerfile(model: DockerfileModel): boolean {
  const parts = model.path.split("/");
  const fileName = parts.at(-1) ?? "";
  if (parts.slice(0, -1).some((part) => NON_PRODUCTION_DIRECTORY.has(part.toLowerCase()))) return true;
  const nameWithoutDockerfile = fileName.replace(/dockerfile|containerfile/gi, "");
  if (NON_PRODUCTION_WORD.test(nameWithoutDockerfile)) return true;
  const final = model.stages.at(-1);
  return final?.name !== undefined && NON_PRODUCTION_STAGE.test(final.name);
}
