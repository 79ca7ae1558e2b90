// Builds a repository's images through an Engine, tagging and labelling each, and measures what
// the summary table shows (size and layers from the engine's inspect). Independent images build
// concurrently (`parallel`, schedule.ts), an image after the images it depends on; one image
// failing does not stop the others, only its dependents. With parallel > 1 the builds share the
// machine's CPUs, so one image's build time includes that contention: `parallel: 1` for
// per-image timings that mean something on their own.
import fs from "node:fs";
import path from "node:path";
import { EngineUnavailableError } from "../errors.ts";
import type { BuildEvent, BuildOptions, Engine } from "../engine/types.ts";
import type { ImageBuildReport } from "./summary.ts";
import { cacheStats } from "./summary.ts";
import type { BuildTarget } from "./targets.ts";
import { buildDependencies, fromImagesOf, runScheduled } from "./schedule.ts";

/** Every image `shipshape build` creates carries this label (and `shipshape.build.target`). */
export const BUILD_LABEL = "shipshape.build";
/** The project (repository directory name) an image `shipshape build` created belongs to: `shipshape clean` scopes by it. */
export const PROJECT_LABEL = "shipshape.project";

export interface BuildImageOptions {
  tag: string;
  /** More names for the same image (compose's `image:`). */
  extraTags?: string[];
  noCache?: boolean;
  /** Overrides the target's stage (`--target`). */
  stage?: string;
  /** Merged over the target's own build args (`--build-arg`). */
  buildArgs?: Record<string, string>;
  /** Extra labels (the build label is always set). */
  labels?: Record<string, string>;
  /** `--network`: "host", a network name; undefined is the engine's default. */
  network?: string;
  /** Skip inspecting the image afterwards (size and layers stay unknown). */
  skipInspect?: boolean;
  signal?: AbortSignal;
  onEvent?: (event: BuildEvent) => void;
}

/** Builds one target; a failed build is a report with `ok: false`, not an exception. */
export async function buildImage(engine: Engine, target: BuildTarget, options: BuildImageOptions): Promise<ImageBuildReport> {
  const buildOptions: BuildOptions = {
    contextDir: target.contextDir,
    dockerfile: target.dockerfile,
    buildArgs: { ...target.buildArgs, ...options.buildArgs },
    noCache: options.noCache ?? false,
    tags: [options.tag, ...(options.extraTags ?? []).filter((tag) => tag !== options.tag)],
    labels: { [BUILD_LABEL]: "1", [`${BUILD_LABEL}.target`]: target.name, ...options.labels },
  };
  const stage = options.stage ?? target.target;
  if (stage !== undefined) buildOptions.target = stage;
  if (options.signal) buildOptions.signal = options.signal;
  if (options.network !== undefined) buildOptions.networkMode = options.network;

  const startedAt = performance.now();
  let result;
  try {
    result = await engine.build(buildOptions, options.onEvent);
  } catch (error) {
    if (error instanceof EngineUnavailableError || options.signal?.aborted) throw error;
    // The context could not be read, the connection broke...: this image failed, others may not.
    const durationMs = Math.round(performance.now() - startedAt);
    return { name: target.name, tag: options.tag, origin: target.origin, ok: false, durationMs, steps: 0, cachedSteps: 0, cacheHitRatio: 0, error: { message: (error as Error).message, logTail: [] } };
  }
  const report: ImageBuildReport = { name: target.name, tag: options.tag, origin: target.origin, ok: result.ok, durationMs: result.durationMs, ...cacheStats(result.steps) };
  if (result.error) report.error = result.error;
  if (!result.ok || result.imageId === undefined) return report;
  report.imageId = result.imageId;
  if (options.skipInspect) return report;
  try {
    const image = await engine.inspectImage(result.imageId);
    report.sizeBytes = image.size;
    report.layers = image.layers.length;
  } catch (error) {
    if (error instanceof EngineUnavailableError) throw error;
    // Built but not inspectable (removed meanwhile): the row shows "-" for size and layers.
  }
  return report;
}

export interface RunBuildsOptions extends Omit<BuildImageOptions, "tag" | "onEvent"> {
  tagFor: (target: BuildTarget) => string;
  /** Builds at once (default 1: one after the other). */
  parallel?: number;
  onStart?: (target: BuildTarget) => void;
  onEvent?: (target: BuildTarget, event: BuildEvent) => void;
  onFinish?: (target: BuildTarget, report: ImageBuildReport) => void;
  /** A target not built because `dependency` (a target it depends on) did not build. */
  onNotBuilt?: (target: BuildTarget, dependency: string) => void;
}

/**
 * Builds every target, `parallel` at once, each after the targets it depends on (a FROM naming
 * another target's tag or compose `image:`, compose's depends_on and additional_contexts).
 * Reports come back in the targets' order; a target whose dependency failed is reported as
 * failed without being built.
 */
export async function runBuilds(engine: Engine, targets: readonly BuildTarget[], options: RunBuildsOptions): Promise<ImageBuildReport[]> {
  const { tagFor, parallel = 1, onStart, onEvent, onFinish, onNotBuilt, ...imageOptions } = options;
  const byName = new Map(targets.map((target) => [target.name, target]));
  const tags = new Map(targets.map((target) => [target.name, tagFor(target)]));
  const dependencies = buildDependencies(
    targets.map((target) => ({
      name: target.name,
      tags: [tags.get(target.name) as string, ...(target.image === undefined ? [] : [target.image])],
      fromImages: fromImagesOf(readDockerfile(target)),
      after: target.after ?? [],
    })),
  );
  return runScheduled(
    targets.map((target) => target.name),
    dependencies,
    async (name) => {
      const target = byName.get(name) as BuildTarget;
      onStart?.(target);
      const report = await buildImage(engine, target, {
        ...imageOptions,
        tag: tags.get(name) as string,
        ...(target.image === undefined ? {} : { extraTags: [target.image] }),
        onEvent: onEvent ? (event) => onEvent(target, event) : undefined,
      });
      onFinish?.(target, report);
      return report;
    },
    {
      parallel,
      succeeded: (report) => report.ok,
      notBuilt: (name, dependency) => {
        const target = byName.get(name) as BuildTarget;
        const message = `not built: ${dependency}, which it is built from or after, did not build`;
        const report: ImageBuildReport = { name, tag: tags.get(name) as string, origin: target.origin, ok: false, durationMs: 0, steps: 0, cachedSteps: 0, cacheHitRatio: 0, error: { message, logTail: [] } };
        onNotBuilt?.(target, dependency);
        return report;
      },
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
}

/** The target's Dockerfile text, or "" when it cannot be read (the build itself will say why). */
function readDockerfile(target: BuildTarget): string {
  try {
    return fs.readFileSync(path.resolve(target.contextDir, target.dockerfile), "utf8");
  } catch {
    return "";
  }
}
