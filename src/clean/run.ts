// Carries out a clean-up plan against an engine: the engine's disk use before, the plan, the
// removals (stopped containers, then images, then build cache), the disk use after, and the bytes
// actually reclaimed. A dry run stops after the plan. Removal is never forced: if a container
// starts using a planned image meanwhile, the engine refuses and the report says so.
import { EngineApiError } from "../engine/api-client.ts";
import { pruneWithBuildx, type BuildxPruneResult } from "../engine/buildx-prune.ts";
import { summarizeDiskUsage, type DiskUsage, type EngineDisk } from "../engine/disk.ts";
import { EngineUnavailableError } from "../errors.ts";
import { planCachePrune, planClean, type CleanPlan, type CleanPolicy } from "./plan.ts";
import type { ProjectScope } from "./scope.ts";
import { plural } from "../format/index.ts";

export interface CleanOptions {
  dryRun: boolean;
  /** Prune the build cache of this buildx builder (`docker buildx prune --builder`) instead of the engine's. */
  builder?: string;
  dockerBinary?: string;
  env?: NodeJS.ProcessEnv;
  /** One line per removal, as it happens. */
  onProgress?: (line: string) => void;
}

export interface CleanFailure {
  what: string;
  message: string;
}

export interface CleanReport {
  project: string;
  dryRun: boolean;
  policy: CleanPolicy;
  plan: CleanPlan;
  before: DiskUsage;
  after?: DiskUsage;
  /** What the engine says it removed. */
  removed: { containers: string[]; images: string[]; untagged: string[]; cacheRecords: string[]; cacheBytes: number };
  /** before.totalBytes − after.totalBytes: what the engine's disk use went down by. */
  reclaimedBytes?: number;
  failures: CleanFailure[];
  /**
   * The dry run's cache plan, when the real run planned the cache again after removing images
   * (their cache records are free then): `plan.cache` is what the prune was asked to remove.
   */
  cacheBeforeImageRemoval?: CleanPlan["cache"];
  /** How the build cache was pruned. */
  cacheVia: "engine-api" | "buildx";
  buildx?: BuildxPruneResult;
}

export async function runClean(disk: EngineDisk, scope: ProjectScope, policy: CleanPolicy, options: CleanOptions): Promise<CleanReport> {
  const raw = await disk.rawDiskUsage();
  const before = summarizeDiskUsage(raw);
  const plan = planClean(raw, scope, policy);
  const report: CleanReport = {
    project: scope.project,
    dryRun: options.dryRun,
    policy,
    plan,
    before,
    removed: { containers: [], images: [], untagged: [], cacheRecords: [], cacheBytes: 0 },
    failures: [],
    cacheVia: options.builder !== undefined ? "buildx" : "engine-api",
  };
  if (options.dryRun) return report;
  const progress = options.onProgress ?? (() => undefined);
  const attempt = async (what: string, action: () => Promise<void>): Promise<void> => {
    try {
      await action();
    } catch (error) {
      if (error instanceof EngineUnavailableError || !(error instanceof EngineApiError)) throw error;
      report.failures.push({ what, message: error.message });
      progress(`kept ${what}: ${error.message}`);
    }
  };

  for (const container of plan.containers) {
    await attempt(`container ${container.name}`, async () => {
      await disk.removeContainer(container.id);
      report.removed.containers.push(container.id);
      progress(`removed container ${container.name}`);
    });
  }
  for (const image of plan.images) {
    const references = image.references.length > 0 ? image.references : [image.id];
    for (const reference of references) {
      await attempt(`image ${reference}`, async () => {
        const result = await disk.removeImage(reference);
        report.removed.untagged.push(...result.untagged);
        if (result.deleted.includes(image.id)) report.removed.images.push(image.id);
        progress(`removed ${reference}${result.deleted.length > 0 ? ` (${plural(result.deleted.length, "layer")} deleted)` : ""}`);
      });
    }
  }

  if (plan.images.length > 0 || plan.containers.length > 0) {
    report.cacheBeforeImageRemoval = plan.cache;
    plan.cache = planCachePrune((await disk.rawDiskUsage()).BuildCache, policy.maxCacheBytes, policy.aggressive);
    const cacheBytes = plan.cache.records.reduce((sum, record) => sum + record.bytes, 0);
    plan.bytes = { ...plan.bytes, cache: cacheBytes, total: plan.bytes.images + plan.bytes.containers + cacheBytes };
  }

  if (options.builder !== undefined) {
    report.buildx = await pruneWithBuildx({ builder: options.builder, keepStorageBytes: policy.maxCacheBytes, cacheMounts: plan.cache.cacheMounts, ...(options.dockerBinary !== undefined ? { dockerBinary: options.dockerBinary } : {}), ...(options.env !== undefined ? { env: options.env } : {}) });
    report.removed.cacheBytes = report.buildx.reclaimedBytes;
  } else {
    if (plan.cache.cacheMounts) {
      await attempt("unused cache mounts", async () => {
        const result = await disk.pruneBuildCache({ keepStorage: 0, filters: { type: ["exec.cachemount"] } });
        report.removed.cacheRecords.push(...result.removedIds);
        report.removed.cacheBytes += result.reclaimedBytes;
      });
    }
    await attempt("build cache", async () => {
      const result = await disk.pruneBuildCache({ keepStorage: policy.maxCacheBytes });
      report.removed.cacheRecords.push(...result.removedIds);
      report.removed.cacheBytes += result.reclaimedBytes;
    });
    if (report.removed.cacheRecords.length > 0) progress(`pruned ${report.removed.cacheRecords.length} build cache record(s)`);
  }

  report.after = await disk.diskUsage();
  report.reclaimedBytes = before.totalBytes - report.after.totalBytes;
  return report;
}
