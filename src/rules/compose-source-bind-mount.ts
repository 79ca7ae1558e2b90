import path from "node:path";
import type { DockerfileModel, Stage } from "../dockerfile/model.ts";
import { isCopyOrAdd } from "../dockerfile/model.ts";
import type { ComposeVolume } from "../repo/compose.ts";
import { isDevelopmentCommand } from "../repo/compose.ts";
import type { RepoSnapshot } from "../repo/snapshot.ts";
import { composeBuildDockerfile, composeDirectory, normalizeRepoPath } from "../repo/compose-service.ts";
import { filesUnder, snapshotFile } from "../repo/snapshot.ts";
import type { ComposeRule, RuleReport } from "./types.ts";

/** Program source; config (.conf, .yml, .json, .env), data and certificates are not. */
const SOURCE_FILE = /\.(js|jsx|mjs|cjs|ts|tsx|mts|cts|vue|svelte|py|rb|php|go|rs|java|kt|kts|scala|groovy|cs|fs|vb|ex|exs|erl|clj|cljs|dart|swift|lua|pl|pm|r|jl|c|cc|cpp|cxx|h|hpp|sh|bash)$/i;
const MANIFESTS = new Set(["package.json", "go.mod", "Cargo.toml", "pyproject.toml", "requirements.txt", "Gemfile", "composer.json", "pom.xml", "build.gradle", "build.gradle.kts", "mix.exs"]);
/** How many files of a mounted directory to look at before deciding it holds no source. */
const DIRECTORY_SCAN_LIMIT = 20_000;

// A bind mount of the source tree over the image's code means the container runs whatever is
// on the host's disk: not the code that was built, tested and scanned in the image. Fine for
// a development override with hot reload; in the compose file that runs the stack it hides
// a broken image until the day it runs without the mount.
export const rule: ComposeRule = {
  meta: {
    id: "compose-source-bind-mount",
    description: "A non-development compose service bind-mounts source code over the image's application directory.",
    impact: "high",
    category: "compose",
    scope: "compose",
    hadolint: [],
    fixable: false,
  },
  check({ compose, repository, dockerfiles }) {
    const reports: RuleReport[] = [];
    const composeDir = composeDirectory(compose);
    for (const service of compose.services) {
      // Only images built from this repository have code to shadow; mounting into a stock image is how that image is meant to be used.
      if (service.isDevelopment || !service.build) continue;
      const dockerfilePath = composeBuildDockerfile(compose, service);
      const model = dockerfilePath === undefined ? undefined : dockerfiles.get(dockerfilePath);
      // A service that runs a watcher or dev server from its image (CMD nodemon) is a development service too.
      if (model && service.command === undefined && startsDevelopmentCommand(model, service.build.target)) continue;
      const imageDirectories = model ? applicationDirectories(model, service.build.target) : undefined;
      for (const volume of service.volumes) {
        const mounted = hostPath(volume, composeDir);
        if (mounted === undefined || volume.target === undefined || !volume.target.startsWith("/")) continue;
        const target = normalizeRepoPath(volume.target) || "/";
        if (!holdsSource(repository.snapshot, mounted)) continue;
        if (imageDirectories && imageDirectories.length > 0 && !imageDirectories.some((directory) => overlaps(directory, target))) continue;
        reports.push({
          line: volume.line,
          message:
            `Service ${service.name} bind-mounts ${volume.source} over ${volume.target}${imageDirectories ? " where the image has its code" : ""}: ` +
            `the container runs the host's files, not what was built and tested; keep source mounts in a development override (compose.override.yml or a dev profile)`,
        });
      }
    }
    return reports;
  },
};

/** Repository path of a bind mount's host side, for relative paths (`./src`, `.`, `${PWD}/src`); undefined otherwise. */
function hostPath(volume: ComposeVolume, composeDir: string): string | undefined {
  if (volume.type !== "bind" || volume.source === undefined) return undefined;
  const source = volume.source.replace(/^\$\{?PWD\}?(?=\/|$)/, ".");
  if (!source.startsWith(".")) return undefined;
  const resolved = normalizeRepoPath(path.posix.join(composeDir, source));
  return resolved.startsWith("..") ? undefined : resolved;
}

/** A source file, or a directory with source files or a project manifest in it. */
function holdsSource(snapshot: RepoSnapshot, repoPath: string): boolean {
  if (repoPath !== "" && snapshotFile(snapshot, repoPath)) return SOURCE_FILE.test(repoPath);
  let seen = 0;
  for (const file of filesUnder(snapshot, repoPath)) {
    if (SOURCE_FILE.test(file.path) || MANIFESTS.has(path.posix.basename(file.path))) return true;
    if (++seen >= DIRECTORY_SCAN_LIMIT) return false;
  }
  // Not in the snapshot (created at run time, or outside what was scanned): decide by the name.
  return seen === 0 && SOURCE_FILE.test(repoPath);
}

/** The built stage and the stages it builds FROM, oldest first. */
function builtChain(model: DockerfileModel, target: string | undefined): Stage[] {
  const wanted = target?.toLowerCase();
  const built = wanted === undefined ? model.stages.at(-1) : model.stages.find((stage) => stage.name === wanted);
  const chain: Stage[] = [];
  for (let stage: Stage | undefined = built; stage; stage = stage.baseStage === undefined ? undefined : model.stages[stage.baseStage]) chain.unshift(stage);
  return chain;
}

/** The built stage's last ENTRYPOINT and CMD run a watcher, debugger or dev server. */
function startsDevelopmentCommand(model: DockerfileModel, target: string | undefined): boolean {
  const instructions = builtChain(model, target).flatMap((stage) => stage.instructions);
  const last = (keyword: string): string => instructions.findLast((instruction) => instruction.keyword === keyword)?.argumentText ?? "";
  return isDevelopmentCommand(`${last("ENTRYPOINT")} ${last("CMD")}`);
}

/** Absolute directories the built stage fills with the application: WORKDIR and COPY/ADD destinations. */
function applicationDirectories(model: DockerfileModel, target: string | undefined): string[] {
  // WORKDIR carries over from the stages it builds FROM.
  const chain = builtChain(model, target);
  const directories: string[] = [];
  let workdir = "/";
  for (const stage of chain) {
    for (const instruction of stage.instructions) {
      if (instruction.keyword === "WORKDIR" && !instruction.argumentText.includes("$")) {
        workdir = path.posix.resolve(workdir, instruction.argumentText.trim());
        directories.push(workdir);
      }
      if (isCopyOrAdd(instruction) && !instruction.destination.includes("$")) directories.push(path.posix.resolve(workdir, instruction.destination));
    }
  }
  return directories.filter((directory) => directory !== "/");
}

/** The mount hides `directory` or part of it: same path, inside it, or a parent of it. */
function overlaps(directory: string, target: string): boolean {
  return directory === target || target.startsWith(`${directory}/`) || directory.startsWith(`${target === "/" ? "" : target}/`);
}
