// `shipshape fix --verify` for a whole repository: every Dockerfile the fix would change (or whose
// build context gets a new .dockerignore) is built before and after, per build target that uses it (compose services, else the Dockerfile with its
// directory as context), and the two images are verified (verify-rewrite.ts). The files the fix
// creates in the target's context (a .dockerignore) shape the AFTER build. Probes come from the
// config (`verify.services.<target name or Dockerfile path>`) unless given on the command line.
import fs from "node:fs";
import path from "node:path";
import type { VerifyProbesConfig } from "../audit/config.ts";
import { discoverBuildTargets } from "../build/targets.ts";
import type { BuildTarget } from "../build/targets.ts";
import type { Engine } from "../engine/types.ts";
import { isDockerfileName, isDockerignoreName } from "../repo/kinds.ts";
import { parseHttpTarget, splitArguments } from "../verify/outputs.ts";
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
  /** `--smoke` / `--http` / `--smoke-ignore`: for every target, over the config. */
  commandLine?: RewriteProbes;
  /** rewriteIntent() of each rewritten Dockerfile, by repository path. */
  intents?: Readonly<Record<string, RewriteIntent>>;
}

export interface VerifiedChange {
  /** Repository path of the Dockerfile. */
  dockerfile: string;
  results: VerifyRewriteResult[];
  probed: boolean;
  ok: boolean;
}

/** The probes of the config entry, converted to what verifyRewrite takes; throws on a malformed `http`. */
export function probesFromConfig(entry: VerifyProbesConfig | undefined): RewriteProbes {
  const probes: RewriteProbes = {};
  if (entry === undefined) return probes;
  if (entry.smoke !== undefined) {
    probes.smoke = Array.isArray(entry.smoke) ? entry.smoke : [entry.smoke];
    for (const args of probes.smoke) splitArguments(args);
  }
  if (entry.http !== undefined) probes.http = parseHttpTarget(entry.http);
  if (entry.smokeIgnore !== undefined) probes.smokeIgnore = entry.smokeIgnore;
  return probes;
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
export async function verifyChanges(engine: Engine, input: VerifyChangesInput, options: { onProgress?: (message: string) => void; keepImages?: boolean } = {}): Promise<VerifiedChange[]> {
  const isDockerfile = (file: string): boolean => input.dockerfiles.includes(file) || isDockerfileName(path.posix.basename(file));
  const changedIgnoreFiles = input.changes.some((change) => isDockerignoreName(path.posix.basename(change.path)));
  const changedDockerfiles = input.changes.filter((change) => change.before !== undefined && isDockerfile(change.path));
  if (changedDockerfiles.length === 0 && !changedIgnoreFiles) return [];
  const allTargets = discoverBuildTargets(input.target);
  const candidates = changedIgnoreFiles ? input.dockerfiles : changedDockerfiles.map((change) => change.path);
  const verified: VerifiedChange[] = [];
  for (const dockerfile of candidates) {
    const changed = changedDockerfiles.find((change) => change.path === dockerfile);
    const results: VerifyRewriteResult[] = [];
    let probed = false;
    for (const target of targetsFor(dockerfile, input.root, allTargets)) {
      const createdFiles = contextFiles(input.root, target, input.changes);
      if (changed === undefined && Object.keys(createdFiles).length === 0) continue;
      const current = changed?.before ?? fs.readFileSync(path.join(input.root, ...dockerfile.split("/")), "utf8");
      const configured = input.configured?.[target.name] ?? input.configured?.[dockerfile];
      const probes: RewriteProbes = { ...probesFromConfig(configured), ...input.commandLine };
      if (hasRuntimeProbe(probes)) probed = true;
      results.push(
        await verifyRewrite(
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
          },
          { ...(options.onProgress ? { onProgress: options.onProgress } : {}), ...(options.keepImages !== undefined ? { keepImages: options.keepImages } : {}) },
        ),
      );
    }
    if (results.length > 0) verified.push({ dockerfile, results, probed, ok: results.every((result) => result.ok) });
  }
  return verified;
}
