// Which images a repository builds. Compose services with `build:` when the repository has a
// compose file that builds something (what `docker compose build` would build), otherwise each
// Dockerfile with its directory as context. The decision is pure (from a RepositoryView); only
// discoverBuildTargets reads the disk.
import fs from "node:fs";
import path from "node:path";
import { UsageError } from "../errors.ts";
import type { ComposeModel, ComposeService } from "../repo/compose.ts";
import { interpolate, parseDotenv } from "../repo/compose-environment.ts";
import { scanDirectory, scanFile } from "../repo/scan.ts";
import type { RepositoryView } from "../repo/snapshot.ts";
import { buildRepositoryView } from "../repo/view.ts";

export interface BuildTarget {
  /** Service name (compose) or a name derived from the Dockerfile path (e.g. "api" for services/api/Dockerfile, "api-prod" for services/api/Dockerfile.prod). */
  name: string;
  /** Absolute context directory. */
  contextDir: string;
  /** Dockerfile path relative to contextDir (or absolute when outside it). */
  dockerfile: string;
  target?: string;
  buildArgs: Record<string, string>;
  /** Where it came from, for messages: "docker-compose.yml service api" or the Dockerfile path. */
  origin: string;
  /** For a compose service: how compose runs its container (merged over override files). */
  compose?: ComposeRun;
  /** Compose's `image:` for a service that builds: compose tags the built image with this name too. */
  image?: string;
  /**
   * Targets (by name) of the same compose project to build before this one, as compose orders
   * them: services it names in `depends_on` and in `additional_contexts` as `service:NAME`, when
   * those services build. (FROM of another target's image is found at build time: run-builds.ts.)
   */
  after?: string[];
}

/** How compose runs a service's container, for verifying its image as it is used. */
export interface ComposeRun {
  /** `environment:`; null: a variable named without a value, taken from the shell. */
  environment: Record<string, string | null>;
  envFiles: { path: string; required: boolean }[];
  /** `command:` / `entrypoint:` as argv (an entrypoint set without a command clears the image's Cmd). */
  command?: string[];
  entrypoint?: string[];
  /** `user:` and `working_dir:`, as written. */
  user?: string;
  workingDir?: string;
  /** The compose file's directory, where compose reads `.env`. */
  projectDirectory: string;
  /** That `.env` file's variables (read once, at discovery), which `${VAR}` falls back to when the shell does not set it. */
  dotenv: Record<string, string>;
}

export interface TargetOptions {
  /** Only these targets (by name); an unknown name is a UsageError. */
  services?: string[];
  /** The shell's environment: compose build args written without a value (`- KEY`) are taken from it, and `${VAR}` in build settings is interpolated from it over the project's `.env`, as Compose does. */
  env?: NodeJS.ProcessEnv;
  /**
   * An environment's compose file set (repository-relative paths, in order): read exactly these,
   * merged as `docker compose -f a -f b` merges them, instead of each directory's primary file
   * and its override.
   */
  composeFiles?: string[];
}

/** Every image a repository builds: compose services with build:, else each Dockerfile. */
export function discoverBuildTargets(root: string, options: TargetOptions = {}): BuildTarget[] {
  const absolute = path.resolve(root);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(absolute);
  } catch {
    throw new UsageError(`no such file or directory: ${root}`);
  }
  if (stat.isDirectory()) {
    const view = buildRepositoryView(scanDirectory(absolute));
    return buildTargetsFromView(view, { ...options, rootDir: absolute, dotenv: readDotenv });
  }
  // A file given explicitly: one Dockerfile, built with its directory as context.
  const { snapshot, target } = scanFile(absolute);
  const view = buildRepositoryView(snapshot, { targets: [target] });
  const targets = buildTargetsFromView(view, { ...options, rootDir: path.dirname(absolute), dockerfilesOnly: true });
  return targets.map((buildTarget) => ({ ...buildTarget, origin: root }));
}

export interface ViewTargetOptions extends TargetOptions {
  /** Absolute directory the view's paths are relative to. */
  rootDir: string;
  /** Ignore compose files (a single Dockerfile was named). */
  dockerfilesOnly?: boolean;
  /** The `.env` file of a compose project directory (absolute), if any: what `${VAR}` falls back to when the shell does not set it. */
  dotenv?: (directory: string) => Record<string, string>;
}

/** `<directory>/.env` as compose reads it; empty when there is none. */
export function readDotenv(directory: string): Record<string, string> {
  const read = readEnvFile(path.join(directory, ".env"));
  return typeof read === "string" ? {} : read;
}

/** The variables of a dotenv file (`.env`, an `env_file:`), or why it could not be read. */
export function readEnvFile(file: string): Record<string, string> | string {
  try {
    return parseDotenv(fs.readFileSync(file, "utf8"));
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  }
}

/** The pure part of discoverBuildTargets. */
export function buildTargetsFromView(view: RepositoryView, options: ViewTargetOptions): BuildTarget[] {
  const composeTargets = options.dockerfilesOnly ? [] : targetsFromCompose(view, options);
  const targets = composeTargets.length > 0 ? composeTargets : targetsFromDockerfiles(view, options.rootDir);
  return selectTargets(targets, options.services);
}

/** The tag shipshape gives a target's image: `<prefix>/<repository>-<name>:latest`. */
export function imageTagFor(repositoryName: string, targetName: string, tagPrefix = "shipshape"): string {
  const repository = `${tagComponent(repositoryName)}-${tagComponent(targetName)}`;
  const prefix = tagPrefix.replace(/(?<!\/)\/+$/, "");
  return `${prefix === "" ? "" : `${prefix}/`}${repository}:latest`;
}

/** The repository name used in tags: the directory's name (a Dockerfile's directory for a file). */
export function repositoryNameOf(root: string): string {
  const absolute = path.resolve(root);
  const isFile = fs.existsSync(absolute) && fs.statSync(absolute).isFile();
  return path.basename(isFile ? path.dirname(absolute) : absolute) || "root";
}

function selectTargets(targets: BuildTarget[], services: string[] | undefined): BuildTarget[] {
  if (!services || services.length === 0) return targets;
  const known = new Set(targets.map((target) => target.name));
  const unknown = services.filter((service) => !known.has(service));
  if (unknown.length > 0) {
    const available = targets.length > 0 ? targets.map((target) => target.name).join(", ") : "none";
    throw new UsageError(`unknown service ${unknown.map((name) => `"${name}"`).join(", ")}: this repository builds ${available}`);
  }
  const wanted = new Set(services);
  return targets.filter((target) => wanted.has(target.name));
}

// Compose's own lookup order for the file `docker compose` reads without -f.
const PRIMARY_COMPOSE_NAMES = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"];

/**
 * The compose files `docker compose build` would read in a directory: the primary file and its
 * override file. Other compose files (compose.dev.yml, ...) are only read with -f, so they count
 * only when a directory has no primary file.
 */
function composeFilesToUse(view: RepositoryView): { directory: string; models: ComposeModel[] }[] {
  const byDirectory = new Map<string, ComposeModel[]>();
  for (const compose of view.composes) {
    const directory = path.posix.dirname(compose.path);
    byDirectory.set(directory, [...(byDirectory.get(directory) ?? []), compose]);
  }
  for (const composePath of view.composeFiles) {
    const error = view.errors.get(composePath);
    if (error !== undefined && PRIMARY_COMPOSE_NAMES.includes(path.posix.basename(composePath))) {
      throw new UsageError(`${composePath}: ${error}`);
    }
  }
  const result: { directory: string; models: ComposeModel[] }[] = [];
  for (const [directory, models] of [...byDirectory].sort(([a], [b]) => depth(a) - depth(b) || (a < b ? -1 : a > b ? 1 : 0))) {
    const name = (model: ComposeModel): string => path.posix.basename(model.path);
    const primary = PRIMARY_COMPOSE_NAMES.map((candidate) => models.find((model) => name(model) === candidate)).find((model) => model !== undefined);
    if (!primary) {
      result.push({ directory, models: [...models].sort((a, b) => (a.path < b.path ? -1 : 1)) });
      continue;
    }
    const overrideName = name(primary).replace(/\.ya?ml$/, ".override");
    const overrides = models.filter((model) => name(model).startsWith(`${overrideName}.`));
    result.push({ directory, models: [primary, ...overrides] });
  }
  return result;
}

function depth(directory: string): number {
  return directory === "." ? 0 : directory.split("/").length;
}

interface MergedService extends Omit<ComposeRun, "projectDirectory" | "dotenv"> {
  composePath: string;
  build?: NonNullable<ComposeService["build"]>;
  image?: string;
  dependsOn: string[];
}

/** The models of an environment's files, in the order given; the project directory is the first file's, as compose's. */
function environmentComposeFiles(view: RepositoryView, files: readonly string[]): { directory: string; models: ComposeModel[] }[] {
  const models = files.map((file) => {
    const wanted = path.posix.normalize(file.split(path.sep).join("/")).replace(/^\.\//, "");
    const error = view.errors.get(wanted);
    if (error !== undefined) throw new UsageError(`${wanted}: ${error}`);
    const model = view.composes.find((compose) => compose.path === wanted);
    if (model === undefined) throw new UsageError(`compose file ${wanted} of the environment is not in the repository (or is not a compose file name: compose*.yaml, docker-compose*.yml)`);
    return model;
  });
  const first = models[0];
  return first === undefined ? [] : [{ directory: path.posix.dirname(first.path), models }];
}

function targetsFromCompose(view: RepositoryView, options: ViewTargetOptions): BuildTarget[] {
  const env = options.env ?? {};
  const targets: BuildTarget[] = [];
  const usedNames = new Set<string>();
  const sets = options.composeFiles !== undefined ? environmentComposeFiles(view, options.composeFiles) : composeFilesToUse(view);
  for (const { directory, models } of sets) {
    // Later files (overrides) refine the build of a service named in an earlier one.
    const services = new Map<string, MergedService>();
    // An override may set only the environment of a service the primary file builds.
    for (const model of models) {
      for (const service of model.services) {
        const earlier = services.get(service.name);
        const environment = { ...earlier?.environment, ...service.environment };
        const envFiles = [...(earlier?.envFiles ?? []), ...service.envFiles];
        const build =
          earlier?.build && service.build
            ? { ...earlier.build, ...service.build, context: service.build.contextOmitted ? earlier.build.context : service.build.context, args: { ...earlier.build.args, ...service.build.args } }
            : (service.build ?? earlier?.build);
        // Messages name the file that first gave the service its build.
        const composePath = earlier?.build || !service.build ? (earlier?.composePath ?? model.path) : model.path;
        const dependsOn = [...new Set([...(earlier?.dependsOn ?? []), ...service.dependsOn.map((dependency) => dependency.service)])];
        const merged: MergedService = { composePath, environment, envFiles, dependsOn, ...(build ? { build: { ...build } } : {}) };
        const image = service.image ?? earlier?.image;
        if (image !== undefined) merged.image = image;
        const command = service.commandArgv ?? earlier?.command;
        const entrypoint = service.entrypointArgv ?? earlier?.entrypoint;
        if (command !== undefined) merged.command = command;
        if (entrypoint !== undefined) merged.entrypoint = entrypoint;
        const user = service.user ?? earlier?.user;
        const workingDir = service.workingDir ?? earlier?.workingDir;
        if (user !== undefined) merged.user = user;
        if (workingDir !== undefined) merged.workingDir = workingDir;
        services.set(service.name, merged);
      }
    }
    const composeDir = path.resolve(options.rootDir, directory);
    const dotenv = options.dotenv?.(composeDir) ?? {};
    const project = { ...dotenv, ...env };
    // Service name -> target, and the services each target waits for, to resolve `after` below.
    const projectTargets = new Map<string, BuildTarget>();
    const waitsFor = new Map<BuildTarget, string[]>();
    for (const [serviceName, { composePath, build, image, dependsOn, ...run }] of services) {
      if (!build) continue;
      // Compose interpolates every value of the file; these are the ones a build uses.
      const value = (text: string, what: string): string => {
        const result = interpolate(text, project);
        if ("error" in result) throw new UsageError(`${composePath} service ${serviceName}: ${what}: ${result.error}`);
        return result.value;
      };
      const contextDir = path.resolve(composeDir, value(build.context, "build.context"));
      const dockerfile = dockerfileRelativeTo(contextDir, path.resolve(contextDir, value(build.dockerfile ?? "Dockerfile", "build.dockerfile")));
      const buildArgs: Record<string, string> = {};
      for (const [key, raw] of Object.entries(build.args ?? {})) {
        const resolved = raw === null ? project[key] : value(raw, `build.args.${key}`);
        if (resolved !== undefined) buildArgs[key] = resolved;
      }
      // Two compose projects in one repository may both have an "api": keep names unique.
      const name = uniqueName(usedNames.has(serviceName) ? `${path.posix.basename(directory)}-${serviceName}` : serviceName, usedNames);
      const target: BuildTarget = { name, contextDir, dockerfile, buildArgs, origin: `${composePath} service ${serviceName}`, compose: { ...run, projectDirectory: composeDir, dotenv } };
      if (build.target !== undefined) target.target = value(build.target, "build.target");
      if (image !== undefined) target.image = value(image, "image");
      const contextServices = Object.values(build.additionalContexts ?? {})
        .map((source) => /^service:(.+)$/.exec(value(source, "build.additional_contexts"))?.[1])
        .filter((name): name is string => name !== undefined);
      waitsFor.set(target, [...new Set([...dependsOn, ...contextServices])]);
      projectTargets.set(serviceName, target);
      targets.push(target);
    }
    for (const [target, names] of waitsFor) {
      const after = names.map((name) => projectTargets.get(name)?.name).filter((name): name is string => name !== undefined && name !== target.name);
      if (after.length > 0) target.after = after;
    }
  }
  return targets;
}

function targetsFromDockerfiles(view: RepositoryView, rootDir: string): BuildTarget[] {
  const usedNames = new Set<string>();
  return view.dockerfiles.map((dockerfilePath) => {
    const contextRoot = path.posix.dirname(dockerfilePath);
    const contextDir = path.resolve(rootDir, contextRoot);
    const name = uniqueName(dockerfileTargetName(dockerfilePath, path.basename(rootDir)), usedNames);
    return { name, contextDir, dockerfile: path.posix.basename(dockerfilePath), buildArgs: {}, origin: dockerfilePath };
  });
}

/**
 * "api" for services/api/Dockerfile, "api-prod" for services/api/Dockerfile.prod and for
 * services/api/prod.Dockerfile; a Dockerfile at the root is named after the root directory.
 */
export function dockerfileTargetName(dockerfilePath: string, rootName: string): string {
  const directory = path.posix.dirname(dockerfilePath);
  const base = directory === "." || directory === "" ? rootName : path.posix.basename(directory);
  const fileName = path.posix.basename(dockerfilePath);
  const variant = /^(?:Dockerfile|Containerfile)\.(.+)$/i.exec(fileName)?.[1] ?? /^(.+)\.(?:Dockerfile|Containerfile)$/i.exec(fileName)?.[1];
  return tagComponent(variant === undefined ? base : `${base}-${variant}`);
}

function uniqueName(candidate: string, used: Set<string>): string {
  let name = candidate;
  for (let counter = 2; used.has(name); counter++) name = `${candidate}-${counter}`;
  used.add(name);
  return name;
}

/** A string made valid as part of an image repository name (lowercase, [a-z0-9._-]). */
function tagComponent(value: string): string {
  const cleaned = value
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/[._-]{2,}/g, (run) => (/^-+$/.test(run) ? run : "-"))
    .replace(/^[^a-z0-9]+|(?<![^a-z0-9])[^a-z0-9]+$/g, "");
  return cleaned === "" ? "image" : cleaned;
}

function dockerfileRelativeTo(contextDir: string, dockerfile: string): string {
  const relative = path.relative(contextDir, dockerfile);
  return relative.startsWith("..") || path.isAbsolute(relative) ? dockerfile : relative.split(path.sep).join("/");
}
