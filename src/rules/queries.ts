// Questions many rules ask of the model: "which package-manager commands run here, under
// which cache mounts, in a stage that reaches the final image?" Answered once, here.
import type { DockerfileModel, Instruction, Mount, RunInstruction, ShellCommand, Stage } from "../dockerfile/model.ts";
import { isRun, isRuntimeStage } from "../dockerfile/model.ts";
import type { Ecosystem, PackageManager } from "../repo/snapshot.ts";

export interface LocatedCommand {
  command: ShellCommand;
  run: RunInstruction;
  stage: Stage;
}

/** Every simple command of every RUN, with its stage. */
export function allCommands(model: DockerfileModel): LocatedCommand[] {
  const result: LocatedCommand[] = [];
  for (const stage of model.stages) {
    for (const instruction of stage.instructions) {
      if (!isRun(instruction)) continue;
      for (const command of instruction.shell.commands) result.push({ command, run: instruction, stage });
    }
  }
  return result;
}

export function runsOf(stage: Stage): RunInstruction[] {
  return stage.instructions.filter(isRun);
}

export function stageOf(model: DockerfileModel, instruction: Instruction): Stage | undefined {
  return instruction.stageIndex >= 0 ? model.stages[instruction.stageIndex] : undefined;
}

/** The first non-option argument: `install` in `apt-get -y install curl`. */
export function subcommand(command: ShellCommand): string | undefined {
  for (let index = 0; index < command.args.length; index++) {
    const arg = command.args[index] ?? "";
    if (!arg.startsWith("-")) return arg;
    // Options that take a separate value: `pip --index-url X install`, `apt-get -o X install`.
    if (/^-(o|c|t)$/.test(arg) || /^--(index-url|prefix|cwd|dir|filter|config|registry)$/.test(arg)) index++;
  }
  return undefined;
}

/** Whether an option is present: long (`--no-cache-dir`, `--omit=dev`) or inside a short cluster (`-y` in `-qy`). */
export function hasOption(command: ShellCommand, ...names: string[]): boolean {
  return command.args.some((arg) =>
    names.some((name) => {
      if (name.startsWith("--")) return arg === name || arg.startsWith(`${name}=`);
      if (name.length === 2 && name.startsWith("-") && /^-[a-zA-Z]+$/.test(arg)) return arg.includes(name.slice(1));
      return arg === name;
    }),
  );
}

/** Value of `--name=value` or `--name value`. */
export function optionValue(command: ShellCommand, name: string): string | undefined {
  for (let index = 0; index < command.args.length; index++) {
    const arg = command.args[index] ?? "";
    if (arg === name) return command.args[index + 1];
    if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
  }
  return undefined;
}

export function isApt(command: ShellCommand): boolean {
  return command.name === "apt-get" || command.name === "apt" || command.name === "aptitude";
}

export function isAptInstall(command: ShellCommand): boolean {
  return isApt(command) && subcommand(command) === "install";
}

export function isAptUpdate(command: ShellCommand): boolean {
  return isApt(command) && subcommand(command) === "update";
}

export function isApkAdd(command: ShellCommand): boolean {
  return command.name === "apk" && subcommand(command) === "add";
}

/** `pip install`, `pip3 install`, `python -m pip install`, `uv pip install`. */
export function isPipInstall(command: ShellCommand): boolean {
  if (/^pip\d?(\.\d+)?$/.test(command.name)) return subcommand(command) === "install";
  if (/^python\d?(\.\d+)?$/.test(command.name)) {
    const moduleIndex = command.args.indexOf("-m");
    return moduleIndex >= 0 && command.args[moduleIndex + 1] === "pip" && command.args.slice(moduleIndex + 2).includes("install");
  }
  if (command.name === "uv") return command.args[0] === "pip" && command.args[1] === "install";
  return false;
}

export interface DependencyInstall {
  ecosystem: Ecosystem;
  manager: PackageManager;
  /** `install` downloads dependencies; `build` compiles and may also fetch them. */
  action: "install" | "build";
}

/**
 * Classifies a command that installs an ecosystem's dependencies from a manifest (npm ci,
 * pip install -r, go mod download, cargo build, mvn package...). System packages (apt, apk)
 * are not dependencies in this sense.
 */
export function dependencyInstall(command: ShellCommand): DependencyInstall | undefined {
  const sub = subcommand(command);
  switch (command.name) {
    case "npm":
      if (sub === "ci" || sub === "install" || sub === "i" || sub === "add") return { ecosystem: "node", manager: "npm", action: "install" };
      return undefined;
    case "yarn":
      if (sub === undefined || sub === "install") return { ecosystem: "node", manager: "yarn", action: "install" };
      return undefined;
    case "pnpm":
      if (sub === "install" || sub === "i" || sub === "fetch") return { ecosystem: "node", manager: "pnpm", action: "install" };
      return undefined;
    case "poetry":
      if (sub === "install") return { ecosystem: "python", manager: "poetry", action: "install" };
      return undefined;
    case "pipenv":
      if (sub === "install" || sub === "sync") return { ecosystem: "python", manager: "pipenv", action: "install" };
      return undefined;
    case "uv":
      if (sub === "sync" || (command.args[0] === "pip" && command.args[1] === "install")) return { ecosystem: "python", manager: "uv", action: "install" };
      return undefined;
    case "go":
      if (sub === "mod" && command.args.includes("download")) return { ecosystem: "go", manager: "go", action: "install" };
      if (sub === "build" || sub === "install") return { ecosystem: "go", manager: "go", action: "build" };
      return undefined;
    case "cargo":
      if (sub === "fetch") return { ecosystem: "rust", manager: "cargo", action: "install" };
      if (sub === "build" || sub === "install") return { ecosystem: "rust", manager: "cargo", action: "build" };
      return undefined;
    case "mvn":
    case "mvnw":
      return { ecosystem: "java", manager: "maven", action: command.args.some((arg) => /dependency:(go-offline|resolve)/.test(arg)) ? "install" : "build" };
    case "gradle":
    case "gradlew":
      return { ecosystem: "java", manager: "gradle", action: "build" };
    case "bundle":
      if (sub === "install") return { ecosystem: "ruby", manager: "bundler", action: "install" };
      return undefined;
    case "composer":
      if (sub === "install") return { ecosystem: "php", manager: "composer", action: "install" };
      return undefined;
    default:
      if (isPipInstall(command) && (hasOption(command, "-r", "--requirement") || command.args.includes(".") || command.args.some((arg) => arg.startsWith("-e")))) {
        return { ecosystem: "python", manager: command.name === "uv" ? "uv" : "pip", action: "install" };
      }
      return undefined;
  }
}

export function cacheMounts(run: RunInstruction): Mount[] {
  return run.mounts.filter((mount) => mount.type === "cache");
}

/** Whether a cache mount covers `path` (the mount target is the path or one of its parents). */
export function hasCacheMountFor(run: RunInstruction, ...paths: string[]): boolean {
  return cacheMounts(run).some((mount) => {
    const target = normalizeDir(mount.target ?? "");
    return paths.some((path) => {
      const wanted = normalizeDir(path);
      return wanted === target || wanted.startsWith(`${target}/`);
    });
  });
}

function normalizeDir(path: string): string {
  return path.replace(/(?<!\/)\/+$/, "").replace(/^~(?=\/|$)/, "/root") || "/";
}

/** Stages whose layers end up in the image (final stage and its FROM ancestors). */
export function isShippedStage(model: DockerfileModel, stage: Stage): boolean {
  return isRuntimeStage(model, stage);
}

/** A single-stage Dockerfile: one FROM, so every tool installed is shipped. */
export function isSingleStage(model: DockerfileModel): boolean {
  return model.stages.length === 1;
}

/** 1-based line of an instruction. */
export function lineOf(instruction: Instruction): number {
  return instruction.span.start.line;
}

/** Reports' endLine for multi-line instructions. */
export function endLineOf(instruction: Instruction): number {
  return instruction.span.end.line;
}
