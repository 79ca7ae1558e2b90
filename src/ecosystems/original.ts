// What a single-stage Dockerfile does, sorted into the parts a multi-stage rewrite keeps:
// image metadata (ENV, ARG, LABEL, EXPOSE, HEALTHCHECK...), the startup command, the system
// packages it installs, and the shell commands that install dependencies or build, which each
// ecosystem's planner recognises. Pure: reads only the model.
import type { CommandInstruction, CopyInstruction, DockerfileModel, ImageReference, Instruction, KeyValueInstruction, RunInstruction, ShellCommand, Stage } from "../dockerfile/model.ts";
import { isApt, subcommand } from "../rules/queries.ts";
import { systemPackageInstall } from "../rules/support/runtime-image.ts";

export interface OriginalCommand {
  run: RunInstruction;
  command: ShellCommand;
  /** Position of the RUN among the stage's instructions. */
  position: number;
}

export interface OriginalBuild {
  model: DockerfileModel;
  stage: Stage;
  base: ImageReference;
  /** The FROM image as written (ARG references kept): build stages start from it. */
  baseText: string;
  /** ARG instructions before the first FROM, as written. */
  globalArgs: string[];
  /** The final working directory ("/" when the Dockerfile sets none). */
  workdir: string;
  /** Whether the Dockerfile sets a WORKDIR at all. */
  hasWorkdir: boolean;
  /** ARG and ENV instructions placed before the last RUN: they may influence the build. */
  buildEnvironment: KeyValueInstruction[];
  /** ENV, ARG, LABEL, EXPOSE, HEALTHCHECK, STOPSIGNAL, VOLUME, SHELL in Dockerfile order. */
  metadata: Instruction[];
  env: Map<string, string>;
  exposedPorts: string[];
  user?: string;
  cmd?: CommandInstruction;
  entrypoint?: CommandInstruction;
  healthcheck?: CommandInstruction;
  copies: CopyInstruction[];
  /** Where each COPY of `copies` puts its files, resolved against the WORKDIR in force at that point (`COPY . .` before any WORKDIR: "/"). */
  copyDestinations: string[];
  /** Shell commands of every RUN except system package management. */
  commands: OriginalCommand[];
  /** useradd/adduser/groupadd commands: the runtime stage needs the user the original runs as. */
  userSetup: string[];
  /** Packages installed with apt-get/apt (the only system package manager the rewrite carries over). */
  aptPackages: string[];
  /** Problems found while reading (apk on a Debian-based rewrite, ADD, COPY --from...). */
  review: string[];
}

const USER_SETUP = new Set(["useradd", "adduser", "groupadd", "addgroup", "usermod"]);

const METADATA = new Set(["ENV", "ARG", "LABEL", "EXPOSE", "HEALTHCHECK", "STOPSIGNAL", "VOLUME", "SHELL"]);

/** Housekeeping around system package installs that the rewrite regenerates itself. */
function isSystemHousekeeping(command: ShellCommand): boolean {
  if (isApt(command)) return ["update", "clean", "autoclean", "autoremove"].includes(subcommand(command) ?? "");
  if (command.name === "rm") return command.args.some((arg) => arg.startsWith("/var/lib/apt/lists") || arg.startsWith("/var/cache/apt"));
  return false;
}

/** Undefined unless the Dockerfile has exactly one stage built FROM an image (not scratch, no ONBUILD, no COPY --from). */
export function readOriginal(model: DockerfileModel): OriginalBuild | undefined {
  if (model.stages.length !== 1) return undefined;
  const stage = model.stages[0] as Stage;
  if (stage.isScratch) return undefined;
  if (stage.instructions.some((instruction) => instruction.onbuild || instruction.keyword === "ONBUILD")) return undefined;

  const review: string[] = [];
  const metadata: Instruction[] = [];
  const copies: CopyInstruction[] = [];
  const copyDestinations: string[] = [];
  const commands: OriginalCommand[] = [];
  const aptPackages: string[] = [];
  const userSetup: string[] = [];
  const env = new Map<string, string>();
  const exposedPorts: string[] = [];
  const keyValues: { instruction: KeyValueInstruction; position: number }[] = [];
  let workdir = "/";
  let hasWorkdir = false;
  const workdirs: string[] = [];
  let user: string | undefined;
  let cmd: CommandInstruction | undefined;
  let entrypoint: CommandInstruction | undefined;
  let healthcheck: CommandInstruction | undefined;
  let lastRunPosition = -1;

  stage.instructions.forEach((instruction, position) => {
    switch (instruction.keyword) {
      case "WORKDIR": {
        const target = instruction.args[0] ?? "/";
        workdir = target.startsWith("/") ? target : `${workdir.replace(/\/$/, "")}/${target}`;
        hasWorkdir = true;
        workdirs.push(workdir);
        return;
      }
      case "USER":
        user = instruction.args[0];
        return;
      case "CMD":
        cmd = instruction as CommandInstruction;
        return;
      case "ENTRYPOINT":
        entrypoint = instruction as CommandInstruction;
        return;
      case "COPY":
      case "ADD": {
        const copy = instruction as CopyInstruction;
        if (copy.from !== undefined) review.push(`\`${instructionText(model, copy)}\` copies from another image; the rewrite does not carry it over.`);
        else if (copy.keyword === "ADD") review.push(`\`${instructionText(model, copy)}\` is an ADD; the rewrite copies the build context with COPY instead.`);
        copies.push(copy);
        copyDestinations.push(resolveAgainst(workdir, copy.destination));
        return;
      }
      case "RUN": {
        const run = instruction as RunInstruction;
        lastRunPosition = position;
        // Exec form (`RUN ["npm","install"]`) is read through its shell equivalent (quoted words, or the `sh -c` script), which runs the same program with the same arguments.
        if (run.shell.parseError !== undefined || run.heredocs.length > 0) {
          review.push(`\`${instructionText(model, run)}\` could not be read as shell commands; the rewrite does not carry it over.`);
          return;
        }
        for (const command of run.shell.commands) {
          if (command.name === "") continue;
          const install = systemPackageInstall(command);
          if (install) {
            if (install.manager === "apt") aptPackages.push(...install.packages.filter((name) => !aptPackages.includes(name)));
            else review.push(`\`${command.text}\` installs ${install.manager} packages; the rewrite carries over apt installs only.`);
            continue;
          }
          if (isSystemHousekeeping(command)) continue;
          if (USER_SETUP.has(command.name)) {
            userSetup.push(command.text);
            continue;
          }
          commands.push({ run, command, position });
        }
        return;
      }
      default:
        break;
    }
    if (!METADATA.has(instruction.keyword)) return;
    metadata.push(instruction);
    if (instruction.keyword === "ENV" || instruction.keyword === "ARG") {
      const keyValue = instruction as KeyValueInstruction;
      keyValues.push({ instruction: keyValue, position });
      if (instruction.keyword === "ENV") for (const pair of keyValue.pairs) env.set(pair.key, pair.value ?? "");
    }
    if (instruction.keyword === "EXPOSE") exposedPorts.push(...instruction.args.map((port) => port.replace(/\/tcp$/, "")));
    if (instruction.keyword === "HEALTHCHECK") healthcheck = instruction as CommandInstruction;
  });

  // `mkdir /app` before `WORKDIR /app`: WORKDIR creates the folder itself, so the rewrite needs no such step.
  const createsWorkdir = ({ command }: OriginalCommand): boolean => {
    if (command.name !== "mkdir") return false;
    const operands = command.args.filter((arg) => !arg.startsWith("-")).map((arg) => arg.replace(/(?<!\/)\/+$/, ""));
    return operands.length > 0 && operands.every((operand) => workdirs.some((directory) => directory === operand || directory.startsWith(`${operand}/`)));
  };
  const kept = commands.filter((entry) => !createsWorkdir(entry));
  commands.length = 0;
  commands.push(...kept);

  const globalArgs = model.instructions.filter((instruction) => instruction.stageIndex === -1 && instruction.keyword === "ARG").map((instruction) => instructionText(model, instruction));
  const original: OriginalBuild = {
    model,
    stage,
    base: stage.base,
    baseText: stage.base.raw,
    globalArgs,
    workdir,
    hasWorkdir,
    buildEnvironment: keyValues.filter((entry) => entry.position < lastRunPosition).map((entry) => entry.instruction),
    metadata,
    env,
    exposedPorts,
    copies,
    copyDestinations,
    commands,
    aptPackages,
    userSetup,
    review,
  };
  if (user !== undefined) original.user = user;
  if (cmd) original.cmd = cmd;
  if (entrypoint) original.entrypoint = entrypoint;
  if (healthcheck) original.healthcheck = healthcheck;
  return original;
}

/** A COPY destination as an absolute path: relative ones resolve against the WORKDIR in force (`.` before any WORKDIR is `/`). */
function resolveAgainst(workdir: string, destination: string): string {
  if (destination.startsWith("/")) return destination;
  const joined = `${workdir.replace(/(?<!\/)\/+$/, "")}/${destination}`.replace(/\/\.?(?=\/|$)/g, "");
  return joined === "" ? "/" : joined;
}

/** An instruction exactly as written (continuation lines included). */
export function instructionText(model: DockerfileModel, instruction: Instruction): string {
  return model.text.slice(instruction.span.start.offset, instruction.span.end.offset).trim();
}

/** Whether the user is root (or unset, which means root). */
export function isRootUser(user: string | undefined): boolean {
  if (user === undefined) return true;
  const name = user.split(":")[0] ?? "";
  return name === "" || name === "root" || name === "0";
}

/** Where a COPY of the whole context puts it (resolved against the WORKDIR at that point). */
export function copiesWholeContext(copy: CopyInstruction): boolean {
  return copy.from === undefined && copy.sources.some((source) => source === "." || source === "./" || source === "*");
}

/**
 * ENV instructions the dependency stages need (registry settings, GOFLAGS...). ENVs that expand
 * a variable may depend on an ARG, so they go with the ARGs to the build stage.
 */
export function dependencyEnvironmentLines(original: OriginalBuild): string[] {
  return original.buildEnvironment.filter((instruction) => instruction.keyword === "ENV" && !instruction.argumentText.includes("$")).map((instruction) => instructionText(original.model, instruction));
}

/**
 * ARGs (and ENVs built from variables) for the build stage. An ARG is scoped to the stage that
 * declares it, so a stage built FROM the dependency stage must declare it again; keeping ARGs out
 * of the dependency stage also keeps a changing value (a version, a commit) from re-running the install.
 */
export function buildArgumentLines(original: OriginalBuild): string[] {
  return original.buildEnvironment.filter((instruction) => instruction.keyword === "ARG" || instruction.argumentText.includes("$")).map((instruction) => instructionText(original.model, instruction));
}
