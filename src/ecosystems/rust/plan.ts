// Rust: crates fetched from Cargo.toml/Cargo.lock only, the release binary built with the
// registry and target directories cache-mounted (and copied out of the cache in the same RUN,
// since a cache mount is not part of the image), on distroless/cc or Debian slim.
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
import { parseCargoToml, SYSTEM_LIBRARY_CRATES } from "./manifests.ts";

export const RUST_RUNTIME = "gcr.io/distroless/cc-debian12:nonroot";
/** CARGO_HOME of the official rust images. */
const CARGO_HOME = "/usr/local/cargo";
const INSTALL_DIRECTORY = "/usr/local/bin";

export function isRustBuild(input: PlannerInput): boolean {
  const name = input.original.base.name.replace(/^library\//, "");
  return name === "rust" || input.original.commands.some(({ command }) => command.name === "cargo" && ["build", "install"].includes(subcommand(command) ?? ""));
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
  if (manifest.workspace) messages.review.push("Cargo workspace: the dependency stage fetches with stub sources only for a single package; check the member that builds the binary.");
  if (original.base.name.replace(/^library\//, "") !== "rust") messages.review.push(`${original.base.raw} is not an official rust image: the cache mounts assume CARGO_HOME=${CARGO_HOME}.`);

  const builds: OriginalCommand[] = [];
  const steps: OriginalCommand[] = [];
  const unknown: OriginalCommand[] = [];
  for (const entry of original.commands) {
    const { command } = entry;
    const sub = subcommand(command);
    if (command.name === "cargo" && (sub === "build" || sub === "install")) builds.push(entry);
    else if (command.name === "cargo" && sub === "fetch") continue;
    else if (command.name === "cargo" || command.name === "rustup") steps.push(entry);
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

  // The binary: --bin X, the one the startup command names, the only [[bin]], or the package name.
  const startup = original.entrypoint ?? original.cmd;
  const startupArgv = startup ? (startup.form === "exec" ? startup.command : (plainWords(startup.argumentText) ?? [])) : [];
  const startupName = startupArgv[0] === undefined ? undefined : path.posix.basename(startupArgv[0]);
  const binNames = manifest.bins.map((bin) => bin.name).filter((name): name is string => name !== undefined);
  const explicitBin = optionValue(buildCommand, "--bin");
  let binary = explicitBin;
  if (binary === undefined && startupName !== undefined && (binNames.includes(startupName) || startupName === manifest.packageName)) binary = startupName;
  binary ??= binNames.length === 1 ? binNames[0] : manifest.packageName;
  if (binary === undefined) binary = startupName;
  if (binary === undefined) {
    messages.review.push("Could not tell which binary to ship (no [package] name, [[bin]] or startup command).");
    return undefined;
  }
  if (binNames.length > 1 && explicitBin === undefined && !binNames.includes(startupName ?? "")) messages.review.push(`Cargo.toml declares several binaries (${binNames.join(", ")}); the rewrite ships ${binary}.`);

  const systemCrates = manifest.dependencies.filter((name) => SYSTEM_LIBRARY_CRATES[name] !== undefined);
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

  const registryMounts = [`${CARGO_HOME}/registry`, `${CARGO_HOME}/git`];
  const locked = hasOption(buildCommand, "--locked", "--frozen") && files.has("Cargo.lock") ? " --locked" : "";
  const deps = [`WORKDIR ${workdir}`, ...dependencyEnvironmentLines(original)];
  if (buildPackages.length > 0) deps.unshift(aptInstall(buildPackages));
  deps.push(copyLine(["Cargo.toml", "Cargo.lock"].filter((file) => files.has(file)), "./"));
  const defaultLayout = manifest.bins.every((bin) => bin.path === undefined) && !manifest.workspace;
  // Stub sources so Cargo can load the manifest; removed again so they never shadow the real ones.
  const stubBins = manifest.bins.map((bin) => bin.name).filter((name): name is string => name !== undefined).map((name) => ` src/bin/${name}.rs`);
  const stub = defaultLayout ? `mkdir -p src/bin && touch src/main.rs src/lib.rs${stubBins.join("")} && ` : "";
  if (!defaultLayout) messages.review.push("Cargo.toml sets target paths: `cargo fetch` in the dependency stage may need those files; check it.");
  deps.push(cachedRun(registryMounts, `${stub}cargo fetch${locked}${stub === "" ? "" : " && rm -rf src"}`));

  const targetMount = `${workdir.replace(/\/$/, "")}/target`;
  const build = ["COPY . .", ...buildArgumentLines(original)];
  for (const { command } of steps) build.push(cachedRun([...registryMounts, targetMount], command.text));
  let compile: string;
  if (isInstall) {
    compile = `cargo install --path . --root /out${locked}${release ? "" : " --debug"} && mv /out/bin/${binary} /out/${binary}`;
  } else {
    const args = buildCommand.args.filter((arg) => arg !== "build");
    compile = `${["cargo", "build", ...args.map(shellWord)].join(" ")} && mkdir -p /out && cp target/${profileDirectory}/${binary} /out/${binary}`;
  }
  build.push(cachedRun([...registryMounts, targetMount], compile));

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
          if (!targetPath.test(argv[0] ?? "")) return undefined;
          messages.notes.push(`The binary moves from target/${profileDirectory}/${binary} to ${installPath}; the startup command points there.`);
          return [installPath, ...argv.slice(1)];
        },
      },
      messages,
    ),
  );

  messages.notes.push(`Stages: deps (cargo fetch with the registry cached), build (${profileDirectory} profile; registry and target/ cache-mounted, the binary copied out in the same RUN), runtime on ${runtimeImage} with ${installPath} only.`);
  return {
    ecosystem: "rust",
    stages: [
      { from: original.baseText, name: "deps", purpose: "Dependencies: Cargo.toml and Cargo.lock only (stub sources), so crates are fetched again only when they change.", lines: deps },
      { from: "deps", name: "build", purpose: "Build: compile with the registry and target directory cached; copy the binary out of the cache mount.", lines: build },
      { from: runtimeImage, purpose: `Runtime: ${runtimeImage}, the binary and nothing else.`, lines: runtime },
    ],
  };
}
