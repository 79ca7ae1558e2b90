// The engine's disk through the Engine API: what /system/df reports (images, containers, volumes,
// build cache; shared and reclaimable), the image and container lists clean-up plans from, the
// removals it makes, `POST /build/prune` with keep-storage and filters, /info's data root, and
// the event stream (`GET /events`). Engine JSON is validated with zod at this boundary.
import { z } from "zod";
import { EngineApiError, jsonLines } from "./api-client.ts";
import type { ApiClient } from "./api-client.ts";
import { imagePath } from "./api-engine.ts";

const labels = z.record(z.string(), z.string()).nullish().transform((value) => value ?? {});
const stringList = z.array(z.string()).nullish().transform((value) => value ?? []);

const imageSummarySchema = z
  .object({
    Id: z.string(),
    RepoTags: stringList,
    RepoDigests: stringList,
    Created: z.number(),
    Size: z.number(),
    SharedSize: z.number().default(-1),
    Containers: z.number().default(-1),
    Labels: labels,
  })
  .loose();

const containerSummarySchema = z
  .object({
    Id: z.string(),
    Names: stringList,
    Image: z.string().default(""),
    ImageID: z.string().default(""),
    State: z.string().default(""),
    Labels: labels,
    SizeRw: z.number().optional(),
    SizeRootFs: z.number().optional(),
  })
  .loose();

const volumeSchema = z
  .object({
    Name: z.string(),
    UsageData: z.object({ Size: z.number(), RefCount: z.number() }).loose().nullish(),
  })
  .loose();

const buildCacheSchema = z
  .object({
    ID: z.string(),
    Parent: z.string().nullish(),
    Parents: stringList.optional(),
    Type: z.string().default("regular"),
    Description: z.string().default(""),
    InUse: z.boolean().default(false),
    Shared: z.boolean().default(false),
    Size: z.number().default(0),
    CreatedAt: z.string().optional(),
    LastUsedAt: z.string().nullish(),
    UsageCount: z.number().default(0),
  })
  .loose();

const diskUsageSchema = z
  .object({
    LayersSize: z.number().default(0),
    Images: z.array(imageSummarySchema).nullish().transform((value) => value ?? []),
    Containers: z.array(containerSummarySchema).nullish().transform((value) => value ?? []),
    Volumes: z.array(volumeSchema).nullish().transform((value) => value ?? []),
    BuildCache: z.array(buildCacheSchema).nullish().transform((value) => value ?? []),
  })
  .loose();

export type ImageSummary = z.infer<typeof imageSummarySchema>;
export type ContainerSummary = z.infer<typeof containerSummarySchema>;
export type BuildCacheRecord = z.infer<typeof buildCacheSchema>;
export type RawDiskUsage = z.infer<typeof diskUsageSchema>;

/** One line of `docker system df`: total, active, size, reclaimable. */
export interface DiskUsageLine {
  count: number;
  active: number;
  sizeBytes: number;
  reclaimableBytes: number;
}

/** `docker system df` as numbers; `images.sharedBytes`: bytes of layers more than one image uses. */
export interface DiskUsage {
  images: DiskUsageLine & { sharedBytes: number };
  containers: DiskUsageLine;
  volumes: DiskUsageLine;
  buildCache: DiskUsageLine & { sharedBytes: number; privateBytes: number };
  totalBytes: number;
}

/** /system/df as `docker system df` summarises it (the same arithmetic as the docker CLI's formatter). */
export function summarizeDiskUsage(raw: RawDiskUsage): DiskUsage {
  const activeImages = raw.Images.filter((image) => image.Containers > 0);
  let sharedBytes = 0;
  let unusedImageBytes = 0;
  for (const image of raw.Images) {
    if (image.SharedSize > 0) sharedBytes += image.SharedSize;
    if (image.Containers <= 0) unusedImageBytes += image.Size - Math.max(0, image.SharedSize);
  }
  const imagesSize = raw.LayersSize;
  const containerBytes = raw.Containers.reduce((sum, container) => sum + (container.SizeRw ?? 0), 0);
  const stoppedBytes = raw.Containers.filter((container) => container.State !== "running").reduce((sum, container) => sum + (container.SizeRw ?? 0), 0);
  const volumeBytes = raw.Volumes.reduce((sum, volume) => sum + Math.max(0, volume.UsageData?.Size ?? 0), 0);
  const unusedVolumeBytes = raw.Volumes.filter((volume) => (volume.UsageData?.RefCount ?? 0) === 0).reduce((sum, volume) => sum + Math.max(0, volume.UsageData?.Size ?? 0), 0);
  let cacheBytes = 0;
  let cacheShared = 0;
  let cacheReclaimable = 0;
  for (const record of raw.BuildCache) {
    if (record.Shared) cacheShared += record.Size;
    else cacheBytes += record.Size;
    if (!record.InUse && !record.Shared) cacheReclaimable += record.Size;
  }
  const buildCacheBytes = cacheBytes + cacheShared;
  return {
    images: { count: raw.Images.length, active: activeImages.length, sizeBytes: imagesSize, reclaimableBytes: Math.max(0, Math.min(imagesSize, unusedImageBytes)), sharedBytes },
    containers: { count: raw.Containers.length, active: raw.Containers.filter((container) => container.State === "running").length, sizeBytes: containerBytes, reclaimableBytes: stoppedBytes },
    volumes: { count: raw.Volumes.length, active: raw.Volumes.filter((volume) => (volume.UsageData?.RefCount ?? 0) > 0).length, sizeBytes: volumeBytes, reclaimableBytes: unusedVolumeBytes },
    buildCache: { count: raw.BuildCache.length, active: raw.BuildCache.filter((record) => record.InUse).length, sizeBytes: buildCacheBytes, reclaimableBytes: cacheReclaimable, sharedBytes: cacheShared, privateBytes: cacheBytes },
    totalBytes: imagesSize + containerBytes + volumeBytes + buildCacheBytes,
  };
}

export interface BuildPruneOptions {
  /** Keep this many bytes of cache (BuildKit removes least recently used records above it). */
  keepStorage?: number;
  /** Remove internal and frontend records too (`docker builder prune --all`). */
  all?: boolean;
  /** BuildKit prune filters: `type=exec.cachemount`, `until=24h`, `id=...`. */
  filters?: Record<string, string[]>;
}

export interface BuildPruneResult {
  removedIds: string[];
  reclaimedBytes: number;
}

const pruneResponseSchema = z
  .object({ CachesDeleted: stringList, SpaceReclaimed: z.number().default(0) })
  .loose();

/** An engine event (`GET /events`): type, action, actor id and attributes (tags, names). */
export interface EngineEvent {
  type: string;
  action: string;
  id: string;
  attributes: Record<string, string>;
  time: number;
}

const eventSchema = z
  .object({
    Type: z.string().default(""),
    Action: z.string().default(""),
    Actor: z.object({ ID: z.string().default(""), Attributes: labels }).loose().default({ ID: "", Attributes: {} }),
    time: z.number().default(0),
  })
  .loose();

/** What clean-up, cache and monitor need from an engine, over its API client. */
export class EngineDisk {
  readonly client: ApiClient;

  constructor(client: ApiClient) {
    this.client = client;
  }

  async rawDiskUsage(): Promise<RawDiskUsage> {
    return parse(diskUsageSchema, await this.client.json<unknown>("/system/df"), "/system/df");
  }

  async diskUsage(): Promise<DiskUsage> {
    return summarizeDiskUsage(await this.rawDiskUsage());
  }

  /** Every image, dangling ones included (`docker images -a` without intermediate ones). */
  async images(): Promise<ImageSummary[]> {
    return parse(z.array(imageSummarySchema), await this.client.json<unknown>("/images/json", { query: { "shared-size": true } }), "/images/json");
  }

  /** Every container, running or stopped. */
  async containers(): Promise<ContainerSummary[]> {
    return parse(z.array(containerSummarySchema), await this.client.json<unknown>("/containers/json", { query: { all: true } }), "/containers/json");
  }

  async buildCache(): Promise<BuildCacheRecord[]> {
    return (await this.rawDiskUsage()).BuildCache;
  }

  /**
   * Removes one image reference without force: a tag is untagged (the image goes when it was its
   * last tag), an id removes an untagged image. The engine refuses an image a container uses.
   */
  async removeImage(reference: string): Promise<{ untagged: string[]; deleted: string[] }> {
    const response = await this.client.json<{ Untagged?: string; Deleted?: string }[] | null>(`/images/${imagePath(reference)}`, { method: "DELETE", query: { noprune: false } });
    const untagged: string[] = [];
    const deleted: string[] = [];
    for (const item of response ?? []) {
      if (item.Untagged) untagged.push(item.Untagged);
      if (item.Deleted) deleted.push(item.Deleted);
    }
    return { untagged, deleted };
  }

  /** Removes a stopped container (never forced: a running one is refused by the engine). */
  async removeContainer(id: string): Promise<void> {
    await this.client.call(`/containers/${encodeURIComponent(id)}`, { method: "DELETE", query: { force: false, v: false } });
  }

  /** `POST /build/prune`: BuildKit removes unused records, least recently used first, down to keep-storage. */
  async pruneBuildCache(options: BuildPruneOptions): Promise<BuildPruneResult> {
    const query: Record<string, string | number | boolean | undefined> = {};
    if (options.keepStorage !== undefined) query["keep-storage"] = Math.max(0, Math.floor(options.keepStorage));
    if (options.all) query.all = true;
    if (options.filters && Object.keys(options.filters).length > 0) {
      // The engine's filter JSON: {"key": {"value": true}}.
      query.filters = JSON.stringify(Object.fromEntries(Object.entries(options.filters).map(([key, values]) => [key, Object.fromEntries(values.map((value) => [value, true]))])));
    }
    const response = parse(pruneResponseSchema, await this.client.json<unknown>("/build/prune", { method: "POST", query }), "/build/prune");
    return { removedIds: response.CachesDeleted, reclaimedBytes: response.SpaceReclaimed };
  }

  /** /info's data root (where images, containers and cache live on the engine's machine) and OS. */
  async info(): Promise<{ dockerRootDir: string; name: string; serverVersion: string; operatingSystem: string }> {
    const info = await this.client.json<{ DockerRootDir?: string; Name?: string; ServerVersion?: string; OperatingSystem?: string }>("/info");
    return { dockerRootDir: info.DockerRootDir ?? "", name: info.Name ?? "", serverVersion: info.ServerVersion ?? "", operatingSystem: info.OperatingSystem ?? "" };
  }

  /**
   * Follows `GET /events` (filtered to image events by default) until `signal` aborts; yields each
   * event. Ends quietly on abort.
   */
  async *events(options: { signal: AbortSignal; types?: string[]; since?: number }): AsyncGenerator<EngineEvent> {
    const filters = JSON.stringify({ type: options.types ?? ["image"] });
    let response;
    try {
      response = await this.client.request("/events", { query: { filters, ...(options.since !== undefined ? { since: options.since } : {}) }, signal: options.signal });
    } catch (error) {
      if (options.signal.aborted) return;
      throw error;
    }
    const onAbort = (): void => {
      response.destroy();
    };
    options.signal.addEventListener("abort", onAbort, { once: true });
    try {
      for await (const line of jsonLines(response)) {
        const parsed = eventSchema.safeParse(line);
        if (!parsed.success) continue;
        yield { type: parsed.data.Type, action: parsed.data.Action, id: parsed.data.Actor.ID, attributes: parsed.data.Actor.Attributes, time: parsed.data.time };
      }
    } catch (error) {
      if (!options.signal.aborted) throw error;
    } finally {
      options.signal.removeEventListener("abort", onAbort);
      response.destroy();
    }
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new EngineApiError(`the engine's ${what} answer is not what the Engine API documents (${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"})`);
  }
  return result.data;
}

