// What both Node planners (servers and static front ends) need to know about a Node project:
// its manifest, package manager, build commands and the scripts they run, and the stages that
// install dependencies from manifests only.
import { dependencyEnvironmentLines } from "../original.ts";
import type { CopyInstruction, ShellCommand } from "../../dockerfile/model.ts";
import type { OriginalBuild } from "../original.ts";
import type { ContextFiles } from "../context.ts";
import { aptInstall, cachedRun, copyLine } from "../render.ts";
import type { PlanMessages } from "../runtime.ts";
import { unrecognisedCommands } from "../runtime.ts";
import { scriptOf, splitNodeCommands } from "./detect.ts";
import { NATIVE_MODULES, nodePackageManager, parsePackageJson } from "./manifests.ts";
import type { NodeManagerPlan, PackageJson } from "./manifests.ts";

export interface NodeProject {
  manifest: PackageJson;
  manager: NodeManagerPlan;
  /** Commands run in the build stage, as written in the original (`npm run build`). */
  buildCommands: string[];
  /** Bodies of the npm scripts the build commands run, and the commands themselves (to recognise the build tool). */
  buildTexts: string[];
  /** `npm install -g pm2` style installs the runtime needs. */
  globalInstalls: string[];
  /** The packages each of `globalInstalls` names (`npm install -g @nestjs/cli` -> @nestjs/cli). */
  globalPackages: string[][];
  /** The original copies package.json without the lockfile before installing: the rewrite does too, and keeps the lockfile fixes off those lines. */
  lockfileLeftOut: boolean;
  /** `mv node_modules /node_modules` style moves: node_modules out of the app folder, so a compose bind mount of the sources does not hide it. */
  nodeModulesMoves: string[];
  /** `npm install -g yarn@1` style installs of the package manager itself: the dependency stages run them before the install (the base image may not have the manager). */
  managerInstalls: string[];
  /** apt packages only needed to compile native modules. */
  buildPackages: string[];
  /** apt packages the running application may need. */
  runtimePackages: string[];
  hasProductionDependencies: boolean;
  /** Workspace package.json files besides the root one. */
  workspaceManifests: string[];
}

/** apt packages that only compile things (node-gyp toolchains, headers); they stay in the build stages. */
export function isBuildOnlyPackage(name: string): boolean {
  return /^(build-essential|gcc|g\+\+|make|cmake|python3?|python3-dev|pkg-config|git|autoconf|automake|libtool|node-gyp)$/.test(name) || /-dev$/.test(name);
}

/** Reads package.json and the original's RUN commands; undefined when the context has no root package.json. */
export function readNodeProject(original: OriginalBuild, files: ContextFiles, messages: PlanMessages): NodeProject | undefined {
  if (!files.has("package.json")) return undefined;
  const text = files.text("package.json");
  const parsed = text === undefined ? undefined : parsePackageJson(text);
  if (!parsed) messages.review.push("package.json could not be read, so its scripts (build, start) and dependencies are unknown to the planner.");
  const manifest: PackageJson = parsed ?? {};
  const split = splitNodeCommands(original.commands);
  // The original installs from package.json alone: the rewrite does the same, so that both resolve the same versions.
  const lockfiles = LOCKFILES.filter((name) => files.has(name));
  const leftOut = lockfiles.length > 0 && lockfileLeftOut(original, split.install[0]?.position);
  const manager = nodePackageManager(leftOut ? withoutFiles(files, lockfiles) : files, manifest);
  if (leftOut) messages.notes.push(`The original copies package.json without ${lockfiles.join(", ")} before installing, so versions resolve at build time; the rewrite installs the same way. Copy the lockfile (and use a frozen install) for reproducible images.`);
  const nodeModulesMoves = split.unknown.filter(({ command }) => movesNodeModules(command)).map(({ command }) => command.text);
  unrecognisedCommands(split.unknown.filter(({ command }) => !movesNodeModules(command)), messages);

  const scripts = manifest.scripts ?? {};
  const buildCommands = split.build.map(({ command }) => command.text);
  const buildTexts: string[] = [];
  for (const { command } of split.build) {
    buildTexts.push(command.text);
    const script = scriptOf(command.argv);
    if (script !== undefined && scripts[script] !== undefined) buildTexts.push(scripts[script]);
    else if (script !== undefined && parsed) messages.review.push(`\`${command.text}\` runs the script "${script}", which package.json does not define.`);
  }

  // Without a build stage only one install runs (the production one): nothing can resolve differently from it.
  if (!manager.lockfile && !(leftOut && split.build.length === 0)) messages.review.push(`No lockfile in the build context: \`${manager.install}\` resolves versions at build time and the production install may resolve different ones than the build used. Commit a lockfile.`);
  if (manager.manager === "yarn-berry") messages.review.push("Yarn Berry: the production install uses `yarn workspaces focus --all --production` (built into Yarn 4; Yarn 3 needs the workspace-tools plugin).");
  const lifecycle = ["preinstall", "install", "postinstall", "prepare"].filter((name) => scripts[name] !== undefined);
  if (lifecycle.length > 0) {
    messages.review.push(`package.json has ${lifecycle.map((name) => `"${name}"`).join(", ")} script(s); the dependency stages run them with only the manifests copied, so a script that needs source files or dev tools will fail there (consider --ignore-scripts).`);
  }
  const allDependencies = { ...manifest.dependencies, ...manifest.optionalDependencies, ...manifest.devDependencies };
  const native = NATIVE_MODULES.filter((name) => allDependencies[name] !== undefined);
  if (native.length > 0) {
    messages.review.push(`${native.join(", ")} build native code or download platform binaries at install time: the production dependencies are installed on ${original.baseText} and copied to the slim image (same Debian release), check that the shared libraries they load are present at runtime.`);
  }

  const buildPackages = original.aptPackages.filter(isBuildOnlyPackage);
  const runtimePackages = original.aptPackages.filter((name) => !isBuildOnlyPackage(name));
  if (files.paths.some((file) => file.startsWith("node_modules/"))) {
    messages.review.push("The build context sends node_modules/: `COPY . .` would overwrite the installed dependencies with the host's. Add node_modules to .dockerignore.");
  }
  const workspaces = manifest.workspaces === undefined ? [] : Array.isArray(manifest.workspaces) ? manifest.workspaces : (manifest.workspaces.packages ?? []);
  const workspaceManifests = workspaces.length === 0 ? [] : files.named("package.json").filter((file) => file !== "package.json");
  const globals = split["global-install"].map(({ command }) => command);

  return {
    manifest,
    manager,
    buildCommands,
    buildTexts,
    globalInstalls: globals.filter((command) => !installsPackageManager(command)).map((command) => command.text),
    globalPackages: globals.filter((command) => !installsPackageManager(command)).map(globalPackageNames),
    nodeModulesMoves,
    lockfileLeftOut: leftOut,
    managerInstalls: globals.filter(installsPackageManager).map((command) => command.text),
    buildPackages,
    runtimePackages,
    hasProductionDependencies: Object.keys(manifest.dependencies ?? {}).length > 0 || Object.keys(manifest.optionalDependencies ?? {}).length > 0 || workspaceManifests.length > 0,
    workspaceManifests,
  };
}

const LOCKFILES = ["package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml"];

/** Whether every COPY before the first install names files that leave the lockfile out (`COPY package.json ./`). */
function lockfileLeftOut(original: OriginalBuild, installPosition: number | undefined): boolean {
  if (installPosition === undefined) return false;
  const copies = original.stage.instructions.slice(0, installPosition).filter((instruction): instruction is CopyInstruction => instruction.keyword === "COPY" || instruction.keyword === "ADD");
  if (copies.length === 0) return false;
  return copies.every((copy) => copy.from === undefined && copy.sources.every((source) => /^(\.\/)?package\.json$/.test(source)));
}

function withoutFiles(files: ContextFiles, hidden: readonly string[]): ContextFiles {
  return { ...files, has: (relative) => !hidden.includes(relative) && files.has(relative), paths: files.paths.filter((file) => !hidden.includes(file)) };
}

/** `mv node_modules /node_modules`, `mv ./node_modules ..`, `cp -a node_modules /`: the bind-mount convention of compose development setups. */
export function movesNodeModules(command: ShellCommand): boolean {
  if (command.name !== "mv" && command.name !== "cp") return false;
  const operands = command.args.filter((arg) => !arg.startsWith("-"));
  return operands.length === 2 && /(^|\/)node_modules\/?$/.test(operands[0] ?? "");
}

/** The package names a global install names: `npm install -g yarn@1.22.22 pm2` -> yarn, pm2. */
function globalPackageNames(command: ShellCommand): string[] {
  const operands = command.args.filter((arg) => !arg.startsWith("-")).slice(command.name === "yarn" ? 2 : 1);
  return operands.map((operand) => (operand.startsWith("@") ? `@${operand.slice(1).split("@")[0] ?? ""}` : (operand.split("@")[0] ?? operand)));
}

/** A global install of yarn or pnpm: the package manager the dependency install needs. */
export function installsPackageManager(command: ShellCommand): boolean {
  return globalPackageNames(command).some((name) => name === "yarn" || name === "pnpm");
}

/** `RUN npm install -g ...` with the download cache of the tool that runs it. */
export function globalInstallLine(command: string): string {
  return cachedRun([/^yarn\b/.test(command) ? "/usr/local/share/.cache/yarn" : "/root/.npm"], command);
}

/** Lines of a stage that installs dependencies from the manifests only. */
export function dependencyStageLines(original: OriginalBuild, project: NodeProject, workdir: string, install: string): string[] {
  const lines: string[] = [];
  if (project.buildPackages.length > 0) lines.push(aptInstall(project.buildPackages));
  for (const command of project.managerInstalls) lines.push(globalInstallLine(command));
  lines.push(`WORKDIR ${workdir}`);
  lines.push(...dependencyEnvironmentLines(original));
  // Copying the lockfile in changes which versions get installed: a change to make on purpose, not as part of the rewrite.
  const keepResolution = "# shipshape ignore=lockfile-not-copied,npm-install-with-lockfile (as the original: versions resolve from package.json; copy the lockfile on purpose)";
  if (project.lockfileLeftOut) lines.push(keepResolution);
  lines.push(copyLine(project.manager.manifestFiles, "./"));
  const byDirectory = new Map<string, string[]>();
  for (const manifest of project.workspaceManifests) {
    const directory = manifest.slice(0, manifest.lastIndexOf("/") + 1);
    byDirectory.set(directory, [...(byDirectory.get(directory) ?? []), manifest]);
  }
  for (const [directory, manifests] of byDirectory) lines.push(copyLine(manifests, directory));
  if (project.lockfileLeftOut) lines.push(keepResolution);
  lines.push(cachedRun([project.manager.cacheTarget], install));
  return lines;
}
