// What `shipshape ci` generates, decided from the repository's images and their measurements.
// Pure: images, measurements and settings in; a plan (bake targets, the cache choice and why) out.
import type { CiConfig } from "../audit/config.ts";
import type { ImageMeasurements } from "../metrics/latest.ts";

/** One image the repository builds, as the CI sees it. */
export interface CiImage {
  /** Build target name (compose service or Dockerfile-derived name). */
  name: string;
  /** Context directory relative to the repository root, "/"-separated ("." for the root). */
  context: string;
  /** Dockerfile relative to the context, as bake reads it. */
  dockerfile: string;
  /** The stage compose builds (`build.target`), if any. */
  target?: string;
  /** Named stages of the Dockerfile, in order (lower-cased). */
  stages: string[];
  /** How many stages the Dockerfile has (named or not). */
  stageCount: number;
  /** `RUN --mount=type=cache` targets (with their ids), for persisting them between runs. */
  cacheMounts: { id: string; target: string }[];
  /** The tag its measurements are recorded under in the metrics history. */
  historyImage: string;
}

/** One entry of the CI matrix: one bake target. */
export interface CiBuild {
  /** The bake target name. */
  bakeTarget: string;
  image: string;
  /** The stage built: development, test, production, or the image's own target / final stage (undefined). */
  stage?: string;
  /** BuildKit cache-dance map (`{"id-or-target": "target"}`) for this build's cache mounts. */
  cacheMap?: Record<string, { target: string; id: string }>;
}

export type CacheMode = "gha-max" | "gha-min" | "registry";

export interface CacheDecision {
  mode: CacheMode;
  /** Whether the choice came from measurements (false: forced in the config, or nothing measured). */
  measured: boolean;
  reason: string;
  quotaBytes: number;
  /** quota x cacheShare: what the plan may use. */
  allowedBytes: number;
  /** Estimated bytes with mode=max on the default branch plus mode=min per open pull request; undefined when an image has no measured size. */
  estimateMaxBytes?: number;
  estimateMinBytes?: number;
  /** Images without a measured size. */
  unmeasured: string[];
}

/** The stages a CI builds when a Dockerfile names them, in this order. */
export const CI_STAGES = ["development", "test", "production"] as const;

/** One bake target per image, plus one per development/test stage the Dockerfile names. */
export function planBuilds(images: readonly CiImage[]): CiBuild[] {
  const builds: CiBuild[] = [];
  for (const image of images) {
    const cacheMap = image.cacheMounts.length === 0 ? undefined : Object.fromEntries(image.cacheMounts.map((mount) => [mount.id, { target: mount.target, id: mount.id }]));
    const extra = image.target === undefined ? CI_STAGES.filter((stage) => stage !== "production" && image.stages.includes(stage)) : [];
    const base = bakeName(image.name);
    const main: CiBuild = { bakeTarget: base, image: image.name };
    const mainStage = image.target ?? (image.stages.includes("production") ? "production" : undefined);
    if (mainStage !== undefined) main.stage = mainStage;
    if (cacheMap !== undefined) main.cacheMap = cacheMap;
    builds.push(main);
    for (const stage of extra) {
      const build: CiBuild = { bakeTarget: `${base}-${stage}`, image: image.name, stage };
      if (cacheMap !== undefined) build.cacheMap = cacheMap;
      builds.push(build);
    }
  }
  return builds;
}

/** Bake accepts target names of letters, digits, `_` and `-` only (compose service names may have dots). */
export function bakeName(name: string): string {
  return name.replace(/[^\w-]/g, "-");
}

/**
 * The cache exporter, from measured image sizes against the GitHub cache quota:
 * - mode=max keeps every stage's layers: estimated as the measured image size per stage of its
 *   Dockerfile (each stage counted as large as the image: an estimate, labelled as one);
 * - mode=min keeps the final image's layers: the measured image size (uncompressed, so an upper
 *   bound of the compressed blobs the cache stores);
 * - pull requests write mode=min caches of their own: openPullRequests of them at once.
 * gha mode=max when default-branch max + PR min caches fit in quota x cacheShare, else gha
 * mode=min when default-branch min + PR min caches fit, else a registry cache (no quota).
 */
export function chooseCache(images: readonly CiImage[], measurements: ReadonlyMap<string, ImageMeasurements>, config: CiConfig, provider: "github" | "gitlab"): CacheDecision {
  const quotaBytes = config.cacheQuotaBytes;
  const allowedBytes = quotaBytes * config.cacheShare;
  const unmeasured = images.filter((image) => measurements.get(image.historyImage)?.sizeBytes === undefined).map((image) => image.name);
  const base = { quotaBytes, allowedBytes, unmeasured };
  let estimateMinBytes: number | undefined;
  let estimateMaxBytes: number | undefined;
  if (unmeasured.length === 0 && images.length > 0) {
    let maxBytes = 0;
    let minBytes = 0;
    for (const image of images) {
      const size = measurements.get(image.historyImage)?.sizeBytes?.value ?? 0;
      maxBytes += size * Math.max(1, image.stageCount);
      minBytes += size;
    }
    const pullRequests = minBytes * config.openPullRequests;
    estimateMaxBytes = maxBytes + pullRequests;
    estimateMinBytes = minBytes + pullRequests;
  }
  const estimates = { ...(estimateMaxBytes === undefined ? {} : { estimateMaxBytes }), ...(estimateMinBytes === undefined ? {} : { estimateMinBytes }) };
  if (provider === "gitlab") {
    return { ...base, ...estimates, mode: "registry", measured: false, reason: "GitLab CI has no built-in BuildKit cache service: the registry cache of the project's container registry" };
  }
  if (config.cache !== "auto") {
    return { ...base, ...estimates, mode: config.cache, measured: false, reason: `ci.cache: ${config.cache} in the config` };
  }
  if (estimateMaxBytes === undefined || estimateMinBytes === undefined) {
    const which = images.length === 0 ? "no images" : `no measured size for ${unmeasured.join(", ")}`;
    return { ...base, mode: "gha-min", measured: false, reason: `${which} (run \`shipshape build\` or \`shipshape bench\` first): gha mode=min, the smallest cache, until there are measurements` };
  }
  if (estimateMaxBytes <= allowedBytes) {
    return { ...base, ...estimates, mode: "gha-max", measured: true, reason: "the measured mode=max cache fits the GitHub cache quota with margin" };
  }
  if (estimateMinBytes <= allowedBytes) {
    return { ...base, ...estimates, mode: "gha-min", measured: true, reason: "the measured mode=max cache would not fit the GitHub cache quota with margin; mode=min does" };
  }
  return { ...base, ...estimates, mode: "registry", measured: true, reason: "even the measured mode=min cache would not fit the GitHub cache quota with margin: a registry cache (no quota)" };
}
