// `shipshape fix --verify` for a whole repository: every Dockerfile the fix would change (or whose
// build context gets a new .dockerignore) is built before and after, per build target that uses it (compose services, else the Dockerfile with its
// directory as context), and the two images are verified (verify-rewrite.ts). The files the fix
// creates in the target's context (a .dockerignore) shape the AFTER build. Probes come from the
// config (`verify.services.<target name or Dockerfile path>`) unless given on the command line.
import fs from "node:fs";
import path from "node:path";
import type { VerifyProbesConfig } from "../audit/config.ts";
import { ConfigError } from "../errors.ts";
import { discoverBuildTargets, readEnvFile } from "../builds/targets.ts";
import type { BuildTarget } from "../builds/targets.ts";
import type { Engine } from "../engine/types.ts";
import { interpolate, resolveServiceEnvironment } from "../repo/compose-environment.ts";
import { isDockerfileName, isDockerignoreName } from "../repo/kinds.ts";
import { splitArguments } from "../repo/shell-words.ts";
import { AllowClassError, parseAllowClass } from "../verify/allow.ts";
import type { AllowClass } from "../verify/allow.ts";
import type { CommandOverride } from "../verify/executables.ts";
import { parseHttpTarget } from "../verify/outputs.ts";
import type { FileChange } from "./run-fixes.ts";
import type { RewriteIntent } from "./expected-differences.ts";
import type { RewriteProbes, VerifyRewriteResult } from "./verify-rewrite.ts";
import { verifyRewrite } from "./verify-rewrite.ts";

export interface VerifyChangesInput {
  /** Absolute repository root the change paths are relative to. */
  root: string;
  /** What was given on the command line (a directory or a Dockerfile), for discovering build targets. */
  target: string;
  changes: readonly FileChange[];
  /** Repository paths of the Dockerfiles (the view's), so that explicitly named files count too. */
  dockerfiles: readonly string[];
  /** `verify.services` from the config. */
  configured?: Record<string, VerifyProbesConfig>;
  /** The config's `verify.allow` (configuredAllow()): accepted on every target, with the target's own `allow`. */
  allow?: readonly AllowClass[];
  /** `--smoke` / `--http` / `--smoke-ignore`: for every target, over the config. */
  commandLine?: RewriteProbes;
  /** rewriteIntent() of each rewritten Dockerfile, by repository path. */
  intents?: Readonly<Record<string, RewriteIntent>>;
  /** The shell's environment, which compose interpolates `environment:` values from (over the project's `.env`). */
  shellEnv?: Readonly<Record<string, string | undefined>>;
}

export interface VerifiedChange {
  /** Repository path of the Dockerfile. */
  dockerfile: string;
  results: VerifyRewriteResult[];
  probed: boolean;
  ok: boolean;
}

/** The probes of the config entry, converted to what verifyRewrite takes; throws on a malformed `http`, ConfigError on an unknown `allow` class. */
export function probesFromConfig(entry: VerifyProbesConfig | undefined, key = "<name>"): RewriteProbes {
  const probes: RewriteProbes = {};
  if (entry === undefined) return probes;
  if (entry.smoke !== undefined) {
    probes.smoke = Array.isArray(entry.smoke) ? entry.smoke : [entry.smoke];
    for (const args of probes.smoke) splitArguments(args);
  }
  if (entry.http !== undefined) probes.http = parseHttpTarget(entry.http);
  if (entry.smokeIgnore !== undefined) probes.smokeIgnore = entry.smokeIgnore;
  if (entry.env !== undefined) probes.env = entry.env;
  if (entry.allow !== undefined) {
    probes.allow = entry.allow.map((text) => {
      try {
        return parseAllowClass(text);
      } catch (error) {
        if (error instanceof AllowClassError) throw new ConfigError(`config verify.services.${key}.allow: ${error.message}`);
        throw error;
      }
    });
  }
  return probes;
}

/** The config's global `verify.allow`, parsed; an unknown class is a ConfigError naming its place. */
export function configuredAllow(texts: readonly string[] | undefined): AllowClass[] {
  return (texts ?? []).map((text, index) => {
    try {
      return parseAllowClass(text);
    } catch (error) {
      if (error instanceof AllowClassError) throw new ConfigError(`config verify.allow.${index}: ${error.message}`);
      throw error;
    }
  });
}

/**
 * The probes of one target: its config entry, with the config's global `verify.allow` added to
 * the entry's own `allow` (as `shipshape verify` adds it to `--allow`), then the command line's
 * probes over both, and the environment worked out for the target.
 */
export function targetProbes(configured: RewriteProbes, globalAllow: readonly AllowClass[], commandLine: RewriteProbes | undefined, env: Record<string, string>): RewriteProbes {
  const allow = [...globalAllow, ...(configured.allow ?? [])];
  return { ...configured, ...commandLine, ...(allow.length > 0 ? { allow } : {}), env };
}

export interface ProbeEnvironment {
  env: Record<string, string>;
  /** Where the variables came from, lowest precedence first. */
  sources: string[];
  notes: string[];
}

/** What the probes' environment is made of (see probeEnvironment). */
export interface EnvironmentInputs {
  /** What compose interpolates from: the shell over the project's `.env`. */
  project: Readonly<Record<string, string | undefined>>;
  /** The service's `env_file:` contents, merged in order, with notes on files that could not be read. */
  envFiles?: { values: Record<string, string>; notes: string[] };
  /** The config's `verify.services.<name>.env`. */
  configured?: Record<string, string> | undefined;
  /** `--env`. */
  commandLine?: Record<string, string> | undefined;
}

/**
 * The environment the probes give both images: the compose service's `env_file:` and
 * `environment:` resolved as `docker compose up` would, then the config's `env`, then `--env`.
 * The app then starts as it does under compose, not bare.
 */
export function probeEnvironment(target: BuildTarget, inputs: EnvironmentInputs): ProbeEnvironment {
  const result: ProbeEnvironment = { env: {}, sources: [], notes: [...(inputs.envFiles?.notes ?? [])] };
  if (target.compose !== undefined) {
    const resolved = resolveServiceEnvironment(target.compose.environment, inputs.project);
    Object.assign(result.env, inputs.envFiles?.values, resolved.env);
    if (Object.keys(result.env).length > 0) result.sources.push(target.origin);
    result.notes.push(...resolved.notes);
  }
  for (const [source, env] of [["config verify.services", inputs.configured], ["--env", inputs.commandLine]] as const) {
    if (env === undefined || Object.keys(env).length === 0) continue;
    Object.assign(result.env, env);
    result.sources.push(source);
  }
  return result;
}

/** What compose interpolates from: the project directory's `.env` file, overridden by the shell. */
function projectEnvironment(target: BuildTarget, shellEnv: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  return { ...target.compose?.dotenv, ...shellEnv };
}

/** A compose service's `env_file:` files, read in order (later ones win), relative to the compose file's directory; values taken as written. */
function serviceEnvFiles(target: BuildTarget): { values: Record<string, string>; notes: string[] } {
  const values: Record<string, string> = {};
  const notes: string[] = [];
  for (const file of target.compose?.envFiles ?? []) {
    const read = readEnvFile(path.resolve(target.compose?.projectDirectory ?? ".", file.path));
    if (typeof read === "string") {
      if (file.required) notes.push(`env_file ${file.path} cannot be read (${read}): its variables are left out, where compose would refuse to start`);
      continue;
    }
    Object.assign(values, read);
  }
  return { values, notes };
}

/**
 * How compose runs a service's container when it differs from the image's config (`command:`,
 * `entrypoint:`, `working_dir:`, `user:`), interpolated as compose does; a word that does not
 * resolve stays as written, with a note.
 */
export function composeRun(target: BuildTarget, project: Readonly<Record<string, string | undefined>>, notes: string[]): CommandOverride | undefined {
  const { command, entrypoint, workingDir, user } = target.compose ?? {};
  if (command === undefined && entrypoint === undefined && workingDir === undefined && user === undefined) return undefined;
  const word = (text: string, what: string): string => {
    const result = interpolate(text, project);
    if (!("error" in result)) return result.value;
    notes.push(`compose's ${what} keeps ${JSON.stringify(text)} as written: ${result.error}`);
    return text;
  };
  return {
    source: "Compose's command",
    ...(command !== undefined ? { command: command.map((text) => word(text, "command")) } : {}),
    ...(entrypoint !== undefined ? { entrypoint: entrypoint.map((text) => word(text, "entrypoint")) } : {}),
    ...(workingDir !== undefined ? { workingDir: word(workingDir, "working_dir") } : {}),
    ...(user !== undefined ? { user: word(user, "user") } : {}),
  };
}

export function hasRuntimeProbe(probes: RewriteProbes): boolean {
  return (probes.smoke !== undefined && probes.smoke.length > 0) || probes.http !== undefined;
}

/** Build targets built from a repository Dockerfile; one built from its directory when nothing names it. */
export function targetsFor(dockerfile: string, root: string, targets: readonly BuildTarget[]): BuildTarget[] {
  const absolute = path.join(root, ...dockerfile.split("/"));
  const matching = targets.filter((target) => path.resolve(target.contextDir, target.dockerfile) === absolute);
  if (matching.length > 0) return matching;
  const directory = path.dirname(absolute);
  const base = path.basename(directory) || "image";
  const suffix = path.basename(absolute).replace(/^(Dockerfile|Containerfile)\.?/, "");
  return [{ name: suffix === "" ? base : `${base}-${suffix}`, contextDir: directory, dockerfile: path.basename(absolute), buildArgs: {}, origin: dockerfile }];
}

/** Created or changed ignore files inside the target's context, keyed by context-relative path. */
function contextFiles(root: string, target: BuildTarget, changes: readonly FileChange[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const change of changes) {
    if (!isDockerignoreName(path.posix.basename(change.path))) continue;
    const relative = path.relative(target.contextDir, path.join(root, ...change.path.split("/")));
    if (relative.startsWith("..") || path.isAbsolute(relative)) continue;
    files[relative.split(path.sep).join("/")] = change.after;
  }
  return files;
}

/**
 * Verifies every build target whose Dockerfile changes, or whose context gets a new or changed
 * ignore file (a .dockerignore that hid a file the build needs would break the image too).
 */
export async function verifyChanges(engine: Engine, input: VerifyChangesInput, options: { onProgress?: (message: string) => void; keepImages?: boolean; network?: string; signal?: AbortSignal } = {}): Promise<VerifiedChange[]> {
  const isDockerfile = (file: string): boolean => input.dockerfiles.includes(file) || isDockerfileName(path.posix.basename(file));
  const changedIgnoreFiles = input.changes.some((change) => isDockerignoreName(path.posix.basename(change.path)));
  const changedDockerfiles = input.changes.filter((change) => change.before !== undefined && isDockerfile(change.path));
  if (changedDockerfiles.length === 0 && !changedIgnoreFiles) return [];
  const allTargets = discoverBuildTargets(input.target, { env: { ...input.shellEnv } });
  const candidates = changedIgnoreFiles ? input.dockerfiles : changedDockerfiles.map((change) => change.path);
  const verified: VerifiedChange[] = [];
  for (const dockerfile of candidates) {
    options.signal?.throwIfAborted();
    const changed = changedDockerfiles.find((change) => change.path === dockerfile);
    const results: VerifyRewriteResult[] = [];
    let probed = false;
    for (const target of targetsFor(dockerfile, input.root, allTargets)) {
      const createdFiles = contextFiles(input.root, target, input.changes);
      if (changed === undefined && Object.keys(createdFiles).length === 0) continue;
      const current = changed?.before ?? fs.readFileSync(path.join(input.root, ...dockerfile.split("/")), "utf8");
      const key = input.configured?.[target.name] !== undefined ? target.name : dockerfile;
      const configured = probesFromConfig(input.configured?.[key], key);
      const project = projectEnvironment(target, input.shellEnv ?? {});
      const environment = probeEnvironment(target, { project, envFiles: serviceEnvFiles(target), configured: configured.env, commandLine: input.commandLine?.env });
      const commandOverride = composeRun(target, project, environment.notes);
      const probes = targetProbes(configured, input.allow ?? [], input.commandLine, environment.env);
      if (hasRuntimeProbe(probes)) probed = true;
      const result = await verifyRewrite(
        engine,
        {
          contextDir: target.contextDir,
          dockerfile: target.dockerfile,
          before: current,
          after: changed?.after ?? current,
          createdFiles,
          name: target.name,
          ...(target.target !== undefined ? { target: target.target } : {}),
          buildArgs: target.buildArgs,
          probes,
          ...(input.intents?.[dockerfile] !== undefined ? { intent: input.intents[dockerfile] } : {}),
          ...(commandOverride !== undefined ? { commandOverride } : {}),
        },
        { ...(options.onProgress ? { onProgress: options.onProgress } : {}), ...(options.keepImages !== undefined ? { keepImages: options.keepImages } : {}), ...(options.network !== undefined ? { network: options.network } : {}), ...(options.signal ? { signal: options.signal } : {}) },
      );
      if (hasRuntimeProbe(probes) && (environment.sources.length > 0 || environment.notes.length > 0)) {
        result.environment = { names: Object.keys(environment.env), sources: environment.sources, notes: environment.notes };
      }
      results.push(result);
    }
    if (results.length > 0) verified.push({ dockerfile, results, probed, ok: results.every((result) => result.ok) });
  }
  return verified;
}
