// Rust: dependencies compiled in a layer keyed only by the manifests and Cargo.lock (cargo-chef's
// recipe idea without the cargo-chef binary: every Cargo.toml plus stub target roots, then
// `cargo build` of the dependencies), then the real sources built with the target directory in a
// cache mount seeded from that layer, the binary copied out, on distroless/cc or Debian slim.
//
// Why both a layer and a cache mount: a layer is what `--cache-from` brings to a fresh CI runner,
// so the dependencies must be compiled into one; a cache mount is what keeps the workspace
// members' own artifacts between builds on one builder, so a change in one member recompiles that
// member and what depends on it. The build step copies the layer's target directory into the
// mount whenever the mount was not seeded from this very layer (an empty mount on a fresh runner,
// or one left by other manifests), so it never mixes dependency builds.
import path from "node:path";
import { hasOption, optionValue, subcommand } from "../../rules/queries.ts";
import { buildArgumentLines, dependencyEnvironmentLines } from "../original.ts";
import type { OriginalCommand } from "../original.ts";
import type { PlannedStages, PlannerInput } from "../plan-types.ts";
import { applicationDirectory, checkCopies } from "../plan-types.ts";
import { aptInstall, cachedRun, copyFrom, copyLine, plainWords, shellWord } from "../render.ts";
import { composeServicesNeedingShell } from "../compose-commands.ts";
import { metadataLines, startupFiles, startupLines, unrecognisedCommands, userLines } from "../runtime.ts";
import { DEBIAN_RUNTIME, NONROOT } from "../go/plan.ts";
import { isBuildOnlyPackage } from "../node/project.ts";
import type { CargoManifest } from "./manifests.ts";
import { parseCargoToml, SYSTEM_LIBRARY_CRATES, targetRoots } from "./manifests.ts";

export const RUST_RUNTIME = "gcr.io/distroless/cc-debian12:nonroot";
/** CARGO_HOME of the official rust images. */
const CARGO_HOME = "/usr/local/cargo";
const INSTALL_DIRECTORY = "/usr/local/bin";
/** Where the dependency stage keeps its compiled target directory, outside the cache mount. */
export const DEPENDENCY_TARGET = "/cargo-deps-target";
/** The file in a target directory naming the dependency build it was seeded from. */
const SEED_ID = ".shipshape-deps-id";
/** The checksums of the context's files at the last build in a target cache. */
const SOURCE_SUMS = ".shipshape-sources.sha256";

export function isRustBuild(input: PlannerInput): boolean {
  const name = input.original.base.name.replace(/^library\//, "");
  return name === "rust" || input.original.commands.some(({ command }) => command.name === "cargo" && ["build", "install"].includes(subcommand(command) ?? ""));
}

/** A package of the context: the directory of its Cargo.toml ("" for the root) and what it declares. */
interface ContextPackage {
  directory: string;
  manifestPath: string;
  manifest: CargoManifest;
}

/** `cargo run [options] [-- args]`: the binary it names (--bin) and the program's arguments; undefined for any other command. */
export function cargoRunCommand(argv: readonly string[]): { bin?: string; release: boolean; profile?: string; args: string[] } | undefined {
  if (path.posix.basename(argv[0] ?? "") !== "cargo" || argv[1] !== "run") return undefined;
  const separator = argv.indexOf("--");
  const options = separator < 0 ? argv.slice(2) : argv.slice(2, separator);
  const args = separator < 0 ? [] : argv.slice(separator + 1);
  const valueOf = (...names: string[]): string | undefined => {
    for (let index = 0; index < options.length; index++) {
      const option = options[index] as string;
      for (const name of names) {
        if (option === name) return options[index + 1];
        if (option.startsWith(`${name}=`)) return option.slice(name.length + 1);
      }
    }
    return undefined;
  };
  const bin = valueOf("--bin");
  const profile = valueOf("--profile");
  return { ...(bin !== undefined ? { bin } : {}), release: options.includes("--release") || options.includes("-r"), ...(profile !== undefined ? { profile } : {}), args };
}

export function planRust(input: PlannerInput): PlannedStages | undefined {
  if (!isRustBuild(input)) return undefined;
  const { original, files, options, messages } = input;
  if (!files.has("Cargo.toml")) return undefined;
  const workdir = applicationDirectory(input);
  checkCopies(input, workdir);
  const manifestText = files.text("Cargo.toml");
  if (manifestText === undefined) messages.review.push("Cargo.toml could not be read: the binary name is taken from the startup command.");
  const manifest = parseCargoToml(manifestText ?? "");
  // Every package of the context (workspace members, path dependencies): their manifests key the dependency layer.
  const packages: ContextPackage[] = files
    .named("Cargo.toml")
    .map((manifestPath) => {
      const directory = path.posix.dirname(manifestPath) === "." ? "" : path.posix.dirname(manifestPath);
      return { directory, manifestPath, manifest: manifestPath === "Cargo.toml" ? manifest : parseCargoToml(files.text(manifestPath) ?? "") };
    })
    .sort((a, b) => (a.manifestPath === "Cargo.toml" ? -1 : b.manifestPath === "Cargo.toml" ? 1 : a.manifestPath < b.manifestPath ? -1 : 1));
  if (original.base.name.replace(/^library\//, "") !== "rust") messages.review.push(`${original.base.raw} is not an official rust image: the rewrite assumes CARGO_HOME=${CARGO_HOME} and GNU coreutils.`);

  const builds: OriginalCommand[] = [];
  const toolchainSteps: OriginalCommand[] = [];
  const steps: OriginalCommand[] = [];
  const unknown: OriginalCommand[] = [];
  for (const entry of original.commands) {
    const { command } = entry;
    const sub = subcommand(command);
    if (command.name === "cargo" && (sub === "build" || sub === "install")) builds.push(entry);
    else if (command.name === "cargo" && sub === "fetch") continue;
    else if (command.name === "rustup") toolchainSteps.push(entry);
    else if (command.name === "cargo") steps.push(entry);
    else unknown.push(entry);
  }
  unrecognisedCommands(unknown, messages);
  const buildEntry = builds[0];
  if (!buildEntry) {
    messages.review.push("The original never runs `cargo build`; there is no binary to ship.");
    return undefined;
  }
  if (builds.length > 1) messages.review.push("The original runs cargo build more than once; the rewrite ships the binary of the first.");
  const buildCommand = buildEntry.command;
  const isInstall = subcommand(buildCommand) === "install";
  const release = isInstall ? !hasOption(buildCommand, "--debug") : hasOption(buildCommand, "--release", "-r");
  const profile = optionValue(buildCommand, "--profile") ?? (release ? "release" : "debug");
  const profileDirectory = profile === "dev" ? "debug" : profile;
  if (!release && optionValue(buildCommand, "--profile") === undefined) messages.review.push("The original builds a debug binary (no --release); the rewrite keeps that. Consider --release: smaller and faster.");
  const crossTarget = optionValue(buildCommand, "--target");
  if (crossTarget !== undefined) messages.review.push(`The original builds for --target ${crossTarget}: the binary is taken from target/${profileDirectory}; check the path (Cargo puts it under target/${crossTarget}/).`);

  // The binary: --bin X, the one the startup command names (or `cargo run --bin X` runs), the only binary of the context's packages, or the root package's name.
  const startup = original.entrypoint ?? original.cmd;
  const startupArgv = startup ? (startup.form === "exec" ? startup.command : (plainWords(startup.argumentText) ?? [])) : [];
  const cargoRun = cargoRunCommand([...(original.entrypoint?.form === "exec" ? original.entrypoint.command : []), ...(original.cmd?.form === "exec" ? original.cmd.command : original.cmd ? (plainWords(original.cmd.argumentText) ?? []) : [])]);
  const startupName = cargoRun !== undefined ? cargoRun.bin : startupArgv[0] === undefined ? undefined : path.posix.basename(startupArgv[0]);
  const binNames = [...new Set(packages.flatMap(({ directory, manifest: packageManifest }) => [
    ...packageManifest.bins.map((bin) => bin.name).filter((name): name is string => name !== undefined),
    ...(packageManifest.packageName !== undefined && files.has(path.posix.join(directory, "src/main.rs")) && !packageManifest.bins.some((bin) => bin.path !== undefined && path.posix.normalize(bin.path) === "src/main.rs") ? [packageManifest.packageName] : []),
  ]))];
  const explicitBin = optionValue(buildCommand, "--bin");
  let binary = explicitBin;
  if (binary === undefined && startupName !== undefined && (binNames.includes(startupName) || startupName === manifest.packageName)) binary = startupName;
  binary ??= binNames.length === 1 ? binNames[0] : manifest.packageName;
  if (binary === undefined) binary = startupName;
  if (binary === undefined) {
    messages.review.push("Could not tell which binary to ship (no [package] name, [[bin]] or startup command).");
    return undefined;
  }
  if (binNames.length > 1 && explicitBin === undefined && !binNames.includes(startupName ?? "")) messages.review.push(`The packages declare several binaries (${binNames.join(", ")}); the rewrite ships ${binary}.`);

  const systemCrates = [...new Set(packages.flatMap((entry) => entry.manifest.dependencies))].filter((name) => SYSTEM_LIBRARY_CRATES[name] !== undefined);
  const runtimePackages = original.aptPackages.filter((name) => !isBuildOnlyPackage(name));
  const buildPackages = original.aptPackages.filter(isBuildOnlyPackage);
  const scripts = startupFiles(original, files).filter((file) => !file.startsWith("target/"));
  const needsShell = [original.cmd, original.entrypoint, original.healthcheck].some((instruction) => instruction?.form === "shell" && plainWords(instruction.argumentText) === undefined) || scripts.some((file) => !file.includes(".") || /\.(sh|bash)$/.test(file));
  const composeShell = composeServicesNeedingShell(input);
  let runtimeImage = RUST_RUNTIME;
  if (needsShell || composeShell.length > 0 || runtimePackages.length > 0 || systemCrates.length > 0) {
    runtimeImage = DEBIAN_RUNTIME;
    const reason = needsShell ? "the startup command needs a shell" : composeShell.length > 0 ? `${composeShell.join(", ")} runs it through a shell` : runtimePackages.length > 0 ? `the original installs ${runtimePackages.join(", ")}` : `${systemCrates.join(", ")} link system libraries`;
    messages.notes.push(`Runtime on ${DEBIAN_RUNTIME} rather than distroless: ${reason}.`);
  }
  if (systemCrates.length > 0) {
    messages.review.push(`${systemCrates.map((name) => `${name} needs ${SYSTEM_LIBRARY_CRATES[name] ?? "a system library"}`).join("; ")} at runtime: add the package to the runtime stage.`);
  }

  const root = workdir.replace(/(?<!^)\/$/, "");
  const targetDirectory = `${root === "/" ? "" : root}/target`;
  // One cache per binary: two projects that share a WORKDIR do not take turns re-seeding one mount.
  const targetMount = `--mount=type=cache,id=cargo-target-${binary},target=${targetDirectory},sharing=locked`;
  const locked = hasOption(buildCommand, "--locked", "--frozen") && files.has("Cargo.lock") ? " --locked" : "";
  // The downloaded crates: a cache mount in both steps. On a fresh runner they download again
  // (seconds); what must not happen again there, compiling them, is in the dependency layer.
  const registryMounts = [`${CARGO_HOME}/registry`, `${CARGO_HOME}/git`];

  // deps: the manifests and the lockfile, stub target roots, the dependencies compiled.
  const deps = [`WORKDIR ${workdir}`, ...dependencyEnvironmentLines(original)];
  if (buildPackages.length > 0) deps.unshift(aptInstall(buildPackages));
  for (const { command } of toolchainSteps) deps.push(`RUN ${command.text}`);
  for (const { directory, manifestPath } of packages) {
    const sources = directory === "" ? ["Cargo.toml", ...(files.has("Cargo.lock") ? ["Cargo.lock"] : [])] : [manifestPath];
    deps.push(copyLine(sources, directory === "" ? "./" : `${directory}/`));
  }
  const roots = packages.flatMap(({ directory, manifest: packageManifest }) => targetRoots(directory, packageManifest, files.paths));
  const stubDirectories = [...new Set(roots.map((entry) => path.posix.dirname(entry.path)).filter((directory) => directory !== "."))];
  const mains = roots.filter((entry) => entry.kind === "main").map((entry) => shellWord(entry.path));
  const libraries = roots.filter((entry) => entry.kind === "lib").map((entry) => shellWord(entry.path));
  const stubCommands = [
    ...(stubDirectories.length > 0 ? [`mkdir -p ${stubDirectories.map(shellWord).join(" ")}`] : []),
    ...(mains.length > 0 ? [`for main in ${mains.join(" ")}; do echo 'fn main() {}' > "$main"; done`] : []),
    ...(libraries.length > 0 ? [`touch ${libraries.join(" ")}`] : []),
  ];
  if (stubCommands.length > 0) deps.push(`RUN ${stubCommands.join(" \\\n    && ")}`);
  const buildArgs = buildCommand.args.filter((arg) => arg !== "build" && arg !== "install");
  const dependencyBuild = isInstall ? ["cargo", "build", ...(release ? ["--release"] : []), ...(locked === "" ? [] : ["--locked"])] : ["cargo", "build", ...buildArgs.map(shellWord)];
  // The stubs' fingerprints go, so the real sources always compile in the build stage (whatever their timestamps).
  const localPackages = [...new Set(packages.map((entry) => entry.manifest.packageName).filter((name): name is string => name !== undefined))];
  const forgetStubs = localPackages.length > 0 ? [`rm -rf ${localPackages.map((name) => `target/${profileDirectory}/.fingerprint/${shellWord(name)}-*`).join(" ")}`] : [];
  deps.push(
    cachedRun(
      registryMounts,
      [dependencyBuild.join(" "), ...forgetStubs, `cat /proc/sys/kernel/random/uuid > target/${SEED_ID}`, `rm -rf ${DEPENDENCY_TARGET}`, `cp -a target ${DEPENDENCY_TARGET}`].join(" \\\n    && "),
      [targetMount],
    ),
  );

  // build: the real sources over the stubs, compiled in the seeded target cache.
  const build = ["COPY . .", ...buildArgumentLines(original)];
  // Seed the cache from the dependency layer unless it already was; then mark the files whose
  // content changed since the last build in this cache as new: Cargo compares timestamps only,
  // and COPY keeps the context's, which need not be newer than the last build's artifacts.
  const seed = [
    `if [ "$(cat target/${SEED_ID} 2>/dev/null)" != "$(cat ${DEPENDENCY_TARGET}/${SEED_ID})" ]; then find target -mindepth 1 -delete && cp -a ${DEPENDENCY_TARGET}/. target/; fi`,
    `{ sha256sum --quiet -c target/${SOURCE_SUMS} 2>/dev/null | sed -n 's/: FAILED$//p' | xargs -r -d '\\n' touch; true; }`,
  ].join(" \\\n    && ");
  const recordSources = `find . -path ./target -prune -o -type f -print0 | xargs -0 sha256sum > target/${SOURCE_SUMS}`;
  for (const { command } of steps) build.push(cachedRun(registryMounts, `${seed} \\\n    && ${command.text}`, [targetMount]));
  let compile: string;
  if (isInstall) {
    compile = `CARGO_TARGET_DIR=target cargo install --path . --root /out${locked}${release ? "" : " --debug"} && mv /out/bin/${binary} /out/${binary}`;
  } else {
    compile = `${["cargo", "build", ...buildArgs.map(shellWord)].join(" ")} \\\n    && mkdir -p /out && cp target/${profileDirectory}/${binary} /out/${binary}`;
  }
  compile = `${compile} \\\n    && ${recordSources}`;
  build.push(cachedRun(registryMounts, `${seed} \\\n    && ${compile}`, [targetMount]));

  const installPath = `${INSTALL_DIRECTORY}/${binary}`;
  const runtime: string[] = [];
  if (runtimePackages.length > 0) {
    runtime.push(aptInstall(runtimePackages));
    messages.notes.push(`The original installs ${runtimePackages.join(", ")} with apt; the runtime stage keeps them. Drop them if the binary does not use them.`);
  }
  runtime.push(`WORKDIR ${workdir}`);
  runtime.push(copyFrom("build", `/out/${binary}`, installPath, options));
  for (const file of scripts) {
    runtime.push(`COPY ${file} ./${file}`);
    messages.notes.push(`${file} (named by the startup command) is copied from the build context.`);
  }
  const hasShell = runtimeImage === DEBIAN_RUNTIME;
  runtime.push(...userLines(original, NONROOT, messages, hasShell));
  runtime.push(...metadataLines(original, messages, hasShell));
  const targetPath = new RegExp(`(^|/)target/${profileDirectory}/${binary}$`);
  runtime.push(
    ...startupLines(
      original,
      {
        hasShell,
        rewrite: (argv) => {
          const run = cargoRunCommand(argv);
          if (run !== undefined) {
            if ((run.bin ?? binary) !== binary) return undefined;
            const runProfile = run.profile ?? (run.release ? "release" : "dev");
            if ((runProfile === "dev" ? "debug" : runProfile) !== profileDirectory) messages.review.push(`\`cargo run\` starts the ${runProfile} profile while the image builds ${profile}: the rewrite runs the ${profile} binary.`);
            messages.notes.push(`\`${argv.join(" ")}\` becomes ${installPath}: the binary cargo would run, without a compiler in the runtime image.`);
            return [installPath, ...run.args];
          }
          if (!targetPath.test(argv[0] ?? "")) return undefined;
          messages.notes.push(`The binary moves from target/${profileDirectory}/${binary} to ${installPath}; the startup command points there.`);
          return [installPath, ...argv.slice(1)];
        },
      },
      messages,
    ),
  );

  const members = packages.length > 1 ? ` (${packages.length} manifests)` : "";
  messages.notes.push(`Stages: deps (dependencies compiled from the manifests${members}, Cargo.lock and stub targets: a layer only a manifest or lockfile change rebuilds, which --cache-from brings to a fresh CI runner), build (${profileDirectory} profile; the target directory in a cache mount seeded from that layer, so a code change recompiles only the packages it touches; the binary copied out), runtime on ${runtimeImage} with ${installPath} only.`);
  return {
    ecosystem: "rust",
    stages: [
      { from: original.baseText, name: "deps", purpose: "Dependencies: the manifests and Cargo.lock with stub targets, compiled into a layer that only a manifest or lockfile change rebuilds.", lines: deps },
      { from: "deps", name: "build", purpose: "Build: the sources compiled in a target cache seeded from the dependency layer; the binary copied out of the cache mount.", lines: build },
      { from: runtimeImage, purpose: `Runtime: ${runtimeImage}, the binary and nothing else.`, lines: runtime },
    ],
  };
}
