// Go: modules downloaded from go.mod/go.sum only, a static binary (CGO_ENABLED=0) built with the
// module and build caches mounted, and a distroless runtime that holds the binary and nothing else.
import path from "node:path";
import type { ShellCommand } from "../../dockerfile/model.ts";
import { parseShell } from "../../dockerfile/shell.ts";
import { subcommand } from "../../rules/queries.ts";
import { buildArgumentLines, dependencyEnvironmentLines } from "../original.ts";
import type { OriginalCommand } from "../original.ts";
import type { PlannedStages, PlannerInput } from "../plan-types.ts";
import { applicationDirectory, checkCopies } from "../plan-types.ts";
import { aptInstall, cachedRun, copyFrom, copyLine, plainWords, shellWord } from "../render.ts";
import { composeServicesNeedingShell } from "../compose-commands.ts";
import { metadataLines, startupFiles, startupLines, unrecognisedCommands, userLines } from "../runtime.ts";
import { isBuildOnlyPackage } from "../node/project.ts";

const MODULE_CACHE = "/go/pkg/mod";
const BUILD_CACHE = "/root/.cache/go-build";
export const GO_STATIC_RUNTIME = "gcr.io/distroless/static-debian12:nonroot";
export const GO_CGO_RUNTIME = "gcr.io/distroless/base-debian12:nonroot";
export const DEBIAN_RUNTIME = "debian:bookworm-slim";
/** distroless's `nonroot` user, by number so it works on any base. */
export const NONROOT = "65532:65532";

/** Modules that need cgo (C libraries): CGO_ENABLED=0 would fail or change behaviour. */
const CGO_MODULES = ["github.com/mattn/go-sqlite3", "github.com/confluentinc/confluent-kafka-go", "github.com/go-gl/", "github.com/google/gopacket/pcap", "github.com/miekg/pkcs11", "github.com/tecbot/gorocksdb", "github.com/linxGnu/grocksdb", "gopkg.in/gographics/imagick"];

export function isGoBuild(input: PlannerInput): boolean {
  const name = input.original.base.name.replace(/^library\//, "");
  return name === "golang" || input.original.commands.some(({ command }) => command.name === "go" && (subcommand(command) === "build" || subcommand(command) === "install"));
}

interface GoBinary {
  /** Where the original put the binary (absolute): the runtime puts it at the same path so CMD stays valid. */
  installPath: string;
  /** The build command for the rewrite, writing to /out/<name>. */
  command: string;
  name: string;
}

/** `go build [flags] [-o out] [packages]` -> the same build writing /out/<name>, installed where the original put it. */
function goBinary(command: ShellCommand, workdir: string, modulePath: string | undefined, cgo: boolean): GoBinary {
  const args = [...command.args];
  const isInstall = subcommand(command) === "install";
  args.splice(args.indexOf(isInstall ? "install" : "build"), 1);
  let output: string | undefined;
  const kept: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? "";
    if (arg === "-o") {
      output = args[++index];
      continue;
    }
    if (arg.startsWith("-o=")) {
      output = arg.slice(3);
      continue;
    }
    kept.push(arg);
  }
  const packages = kept.filter((arg, index) => !arg.startsWith("-") && !/^-(ldflags|tags|gcflags|mod|buildvcs)$/.test(kept[index - 1] ?? ""));
  const firstPackage = packages[0] ?? ".";
  const defaultName = firstPackage === "." || firstPackage === "./" ? path.posix.basename(modulePath ?? workdir) : path.posix.basename(firstPackage.replace(/\/\.\.\.$/, ""));
  let installPath: string;
  if (isInstall) installPath = `/go/bin/${defaultName}`;
  else if (output === undefined) installPath = path.posix.join(workdir, defaultName);
  else if (output.endsWith("/")) installPath = path.posix.join(output.startsWith("/") ? output : path.posix.join(workdir, output), defaultName);
  else installPath = output.startsWith("/") ? output : path.posix.join(workdir, output);
  const name = path.posix.basename(installPath);
  const flags = kept.filter((arg) => !packages.includes(arg));
  if (!flags.includes("-trimpath")) flags.unshift("-trimpath");
  if (!flags.some((flag) => flag.startsWith("-ldflags"))) flags.push('-ldflags="-s -w"');
  const environment = command.assignments.filter((assignment) => !assignment.startsWith("CGO_ENABLED="));
  const prefix = [cgo ? "CGO_ENABLED=1" : "CGO_ENABLED=0", ...environment].join(" ");
  const words = [...flags.map((flag) => (flag === '-ldflags="-s -w"' ? flag : shellWord(flag))), "-o", `/out/${name}`, ...(packages.length > 0 ? packages : ["."]).map(shellWord)];
  return { installPath, name, command: `${prefix} go build ${words.join(" ")}` };
}

/** `CMD go run . [args]` (no ENTRYPOINT): the package it runs, as a `go build` command, and the program's arguments. */
function goRunCommand(original: PlannerInput["original"]): { argv: string[]; build: ShellCommand; packageName: string; programArguments: string[] } | undefined {
  if (original.entrypoint !== undefined || original.cmd === undefined) return undefined;
  const argv = original.cmd.form === "exec" ? original.cmd.command : original.cmd.form === "shell" ? plainWords(original.cmd.argumentText) : undefined;
  if (argv === undefined || argv[0] !== "go" || argv[1] !== "run") return undefined;
  const rest = argv.slice(2);
  const packageIndex = rest.findIndex((word) => !word.startsWith("-"));
  if (packageIndex < 0) return undefined;
  const packageName = rest[packageIndex] as string;
  // Only a package path (`.`, `./cmd/web`): `go run main.go util.go` lists files, which a build of the folder may not equal.
  if (packageName.endsWith(".go")) return undefined;
  const build = parseShell(["go", "build", ...rest.slice(0, packageIndex), packageName].join(" ")).commands[0];
  if (build === undefined) return undefined;
  return { argv, build, packageName, programArguments: rest.slice(packageIndex + 1) };
}

function modulePathOf(goMod: string | undefined): string | undefined {
  return goMod === undefined ? undefined : /^module\s+(\S+)/m.exec(goMod)?.[1];
}

export function planGo(input: PlannerInput): PlannedStages | undefined {
  if (!isGoBuild(input)) return undefined;
  const { original, files, options, messages } = input;
  if (!files.has("go.mod")) {
    messages.review.push("No go.mod in the build context: the rewrite needs module mode to download dependencies separately.");
    return undefined;
  }
  const workdir = applicationDirectory(input);
  checkCopies(input, workdir);
  const goMod = files.text("go.mod");
  const modulePath = modulePathOf(goMod);
  const cgoModules = goMod === undefined ? [] : CGO_MODULES.filter((module) => goMod.includes(module));
  const cgoRequested = original.env.get("CGO_ENABLED") === "1" || original.commands.some(({ command }) => command.assignments.includes("CGO_ENABLED=1"));
  const cgo = cgoRequested || cgoModules.length > 0;
  if (cgoModules.length > 0) messages.review.push(`go.mod requires ${cgoModules.join(", ")}, which use cgo: the binary is built with CGO_ENABLED=1 and runs on ${GO_CGO_RUNTIME} (glibc); check the C libraries it links are there.`);

  const builds: OriginalCommand[] = [];
  const steps: OriginalCommand[] = [];
  const unknown: OriginalCommand[] = [];
  for (const entry of original.commands) {
    const { command } = entry;
    const sub = subcommand(command);
    if (command.name === "go" && (sub === "build" || sub === "install")) builds.push(entry);
    else if (command.name === "go" && sub === "mod") continue;
    else if (command.name === "go") steps.push(entry);
    else unknown.push(entry);
  }
  unrecognisedCommands(unknown, messages);
  // `CMD go run .`: the image compiles at every start, from the sources, with the toolchain. The
  // rewrite builds that package once; the original command stays as the dev target.
  const goRun = builds.length === 0 ? goRunCommand(original) : undefined;
  if (builds.length === 0 && goRun === undefined) {
    messages.review.push("The original never runs `go build`; there is no binary to ship.");
    return undefined;
  }
  const binaries = goRun === undefined ? builds.map(({ command }) => goBinary(command, workdir, modulePath, cgo)) : [goBinary(goRun.build, workdir, modulePath, cgo)];
  const runBinary = goRun === undefined ? undefined : binaries[0];
  if (goRun !== undefined && runBinary !== undefined) {
    messages.notes.push(`Development server replaced by a production server: the original compiles at every start (\`${goRun.argv.join(" ")}\`); the build stage compiles \`${goRun.packageName}\` once and the runtime runs ${runBinary.installPath}; \`${goRun.argv.join(" ")}\` stays available as the \`dev\` target. Verify with an HTTP probe (\`--verify\`).`);
  }

  // A startup command that needs a shell, or system packages, rule out distroless.
  const scripts = startupFiles(original, files).filter((file) => !binaries.some((binary) => binary.installPath.endsWith(`/${file}`)));
  const needsShell = [original.cmd, original.entrypoint, original.healthcheck].some((instruction) => instruction?.form === "shell" && plainWords(instruction.argumentText) === undefined) || scripts.some((file) => !file.includes(".") || /\.(sh|bash)$/.test(file));
  const composeShell = composeServicesNeedingShell(input);
  const runtimePackages = original.aptPackages.filter((name) => !isBuildOnlyPackage(name));
  const buildPackages = original.aptPackages.filter(isBuildOnlyPackage);
  let runtimeImage = cgo ? GO_CGO_RUNTIME : GO_STATIC_RUNTIME;
  if (needsShell || composeShell.length > 0 || runtimePackages.length > 0) {
    runtimeImage = DEBIAN_RUNTIME;
    const reason = needsShell ? "the startup command needs a shell" : composeShell.length > 0 ? `${composeShell.join(", ")} runs it through a shell` : `the original installs ${runtimePackages.join(", ")}`;
    messages.notes.push(`Runtime on ${DEBIAN_RUNTIME} rather than distroless: ${reason}.`);
  }

  const deps = [`WORKDIR ${workdir}`, ...dependencyEnvironmentLines(original)];
  if (buildPackages.length > 0) deps.unshift(aptInstall(buildPackages));
  deps.push(copyLine(["go.mod", "go.sum"].filter((file) => files.has(file)), "./"));
  deps.push(cachedRun([MODULE_CACHE], "go mod download"));
  const build = ["COPY . .", ...buildArgumentLines(original)];
  for (const { command } of steps) build.push(cachedRun([MODULE_CACHE, BUILD_CACHE], command.text));
  for (const binary of binaries) build.push(cachedRun([MODULE_CACHE, BUILD_CACHE], binary.command));

  const runtime: string[] = [];
  if (runtimePackages.length > 0) {
    runtime.push(aptInstall(runtimePackages));
    messages.notes.push(`The original installs ${runtimePackages.join(", ")} with apt; the runtime stage keeps them. Drop them if the binary does not use them.`);
  }
  runtime.push(`WORKDIR ${workdir}`);
  for (const binary of binaries) runtime.push(copyFrom("build", `/out/${binary.name}`, binary.installPath, options));
  const assets = ["templates", "static", "public", "migrations", "web", "assets", "config"].filter((directory) => files.paths.some((file) => file.startsWith(`${directory}/`)));
  if (goRun !== undefined && assets.length > 0) {
    // `go run` ran in the sources folder: paths like ./static resolved there, so the runtime keeps those folders next to the binary.
    for (const directory of assets) runtime.push(`COPY ${directory} ./${directory}`);
    messages.notes.push(`${assets.map((directory) => `${directory}/`).join(", ")} ship next to the binary: \`go run\` ran in the sources folder, where the program reads them.`);
  } else if (assets.length > 0) messages.review.push(`The runtime ships the binary only; the context also has ${assets.map((directory) => `${directory}/`).join(", ")}: copy them if the binary reads them at runtime (rather than embedding them).`);
  for (const file of scripts) {
    runtime.push(`COPY ${file} ./${file}`);
    messages.notes.push(`${file} (named by the startup command) is copied from the build context.`);
  }
  const hasShell = runtimeImage === DEBIAN_RUNTIME;
  runtime.push(...userLines(original, NONROOT, messages, hasShell));
  runtime.push(...metadataLines(original, messages, hasShell));
  const rewrite = goRun === undefined || runBinary === undefined ? undefined : (argv: string[]): string[] | undefined => (argv.join(" ") === goRun.argv.join(" ") ? [runBinary.installPath, ...goRun.programArguments] : undefined);
  runtime.push(...startupLines(original, { hasShell, ...(rewrite === undefined ? {} : { rewrite }) }, messages));

  messages.notes.push(`Stages: deps (go mod download, module cache mounted), build (${cgo ? "CGO_ENABLED=1" : "CGO_ENABLED=0 static"} ${binaries.map((binary) => binary.name).join(", ")}, build cache mounted, -trimpath, symbols stripped unless -ldflags was set), runtime on ${runtimeImage} with ${binaries.map((binary) => binary.installPath).join(", ")} only.`);
  return {
    ecosystem: "go",
    ...(goRun === undefined ? {} : { devServer: { command: goRun.argv, setup: [], nodeModulesMoved: false } }),
    stages: [
      { from: original.baseText, name: "deps", purpose: "Dependencies: go.mod and go.sum only, so modules are downloaded again only when they change.", lines: deps },
      { from: "deps", name: "build", purpose: "Build: compile the binary with the module and build caches mounted.", lines: build },
      { from: runtimeImage, purpose: `Runtime: ${runtimeImage}, the binary and nothing else.`, lines: runtime },
    ],
  };
}
