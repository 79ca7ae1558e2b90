// `shipshape cache warm`: builds the dependency stage of every service (the named stage holding
// its last dependency-install step; the whole image when that stage has no name), so the first
// real build after a clean, or on a fresh CI runner, finds its dependency layers in the cache.
// With --cache-to/--cache-from the cache also goes to (comes from) a local directory or a registry
// (buildx). The warm-up image's tag is removed afterwards; its cache records stay.
import fs from "node:fs";
import path from "node:path";
import type { BuildTarget } from "../builds/targets.ts";
import { parseDockerfile } from "../dockerfile/parse.ts";
import type { BuildOptions, Engine } from "../engine/types.ts";
import { dependencySteps } from "./status.ts";

export interface WarmResult {
  service: string;
  /** The stage built (undefined: the whole image). */
  stage?: string;
  ok: boolean;
  durationMs: number;
  steps: number;
  cachedSteps: number;
  error?: string;
}

export interface WarmOptions {
  cacheFrom?: string[];
  cacheTo?: string[];
  network?: string;
  tagFor: (target: BuildTarget) => string;
  onStart?: (target: BuildTarget, stage: string | undefined) => void;
}

/** The named stage holding the target's last dependency step, or undefined (build the whole image). */
export function dependencyStage(dockerfileText: string, dockerfilePath: string): string | undefined {
  const steps = dependencySteps(dockerfileText, dockerfilePath);
  const last = steps.at(-1);
  if (last === undefined) return undefined;
  const model = parseDockerfile(dockerfileText, dockerfilePath);
  return model.stages.find((stage) => stage.name === last.stage)?.name;
}

export async function warmTargets(engine: Engine, targets: readonly BuildTarget[], options: WarmOptions): Promise<WarmResult[]> {
  const results: WarmResult[] = [];
  for (const target of targets) {
    const dockerfilePath = path.resolve(target.contextDir, target.dockerfile);
    let stage: string | undefined;
    try {
      stage = dependencyStage(fs.readFileSync(dockerfilePath, "utf8"), dockerfilePath);
    } catch {
      stage = undefined;
    }
    options.onStart?.(target, stage);
    const tag = options.tagFor(target);
    const build: BuildOptions = { contextDir: target.contextDir, dockerfile: target.dockerfile, buildArgs: target.buildArgs, tags: [tag], labels: { "shipshape.warm": "1" } };
    const buildStage = stage ?? target.target;
    if (buildStage !== undefined) build.target = buildStage;
    if (options.network !== undefined) build.networkMode = options.network;
    if (options.cacheFrom !== undefined && options.cacheFrom.length > 0) build.cacheFrom = options.cacheFrom;
    if (options.cacheTo !== undefined && options.cacheTo.length > 0) build.cacheTo = options.cacheTo;
    const result = await engine.build(build);
    const steps = result.steps.filter((step) => !step.internal);
    const entry: WarmResult = { service: target.name, ok: result.ok, durationMs: result.durationMs, steps: steps.length, cachedSteps: steps.filter((step) => step.cached).length };
    if (stage !== undefined) entry.stage = stage;
    if (result.error) entry.error = result.error.message;
    if (result.ok) await engine.removeImage(tag).catch(() => undefined);
    results.push(entry);
  }
  return results;
}
