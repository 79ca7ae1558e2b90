// Builds a repository's images one after the other through an Engine, tagging and labelling
// each, and measures what the summary table shows (size and layers from the engine's inspect).
// One image failing does not stop the others. Images are built one at a time: parallel builds
// would compete for the same CPUs and make every build time meaningless.
import { EngineUnavailableError } from "../errors.ts";
import type { BuildEvent, BuildOptions, Engine } from "../engine/types.ts";
import type { ImageBuildReport } from "./summary.ts";
import { cacheStats } from "./summary.ts";
import type { BuildTarget } from "./targets.ts";

/** Every image `shipshape build` creates carries this label (and `shipshape.build.target`). */
export const BUILD_LABEL = "shipshape.build";
/** The project (repository directory name) an image `shipshape build` created belongs to: `shipshape clean` scopes by it. */
export const PROJECT_LABEL = "shipshape.project";

export interface BuildImageOptions {
  tag: string;
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
    tags: [options.tag],
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
  onStart?: (target: BuildTarget) => void;
  onEvent?: (target: BuildTarget, event: BuildEvent) => void;
  onFinish?: (target: BuildTarget, report: ImageBuildReport) => void;
}

export async function runBuilds(engine: Engine, targets: readonly BuildTarget[], options: RunBuildsOptions): Promise<ImageBuildReport[]> {
  const { tagFor, onStart, onEvent, onFinish, ...imageOptions } = options;
  const reports: ImageBuildReport[] = [];
  for (const target of targets) {
    if (options.signal?.aborted) break;
    onStart?.(target);
    const report = await buildImage(engine, target, { ...imageOptions, tag: tagFor(target), onEvent: onEvent ? (event) => onEvent(target, event) : undefined });
    reports.push(report);
    onFinish?.(target, report);
  }
  return reports;
}
