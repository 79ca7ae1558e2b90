// The clean-up plan: from one snapshot of the engine (/system/df) and the project's scope, which
// images, stopped containers and build cache records go, and why; and what stays, and why. Pure:
// `shipshape clean --dry-run` prints this plan, and the real run removes exactly its items.
//
// Never in the plan: an image a container uses (running or stopped; with --aggressive the
// project's stopped containers go first, and then their images are free), an image outside the
// scope, an image a keep rule names, a base image (unless includeBases).
import type { BuildCacheRecord, ContainerSummary, ImageSummary, RawDiskUsage } from "../engine/disk.ts";
import { matchesKeepRule, normalizeReference, repositoryOf } from "./references.ts";
import { PROJECT_LABEL } from "../builds/run-builds.ts";
import type { ProjectScope } from "./scope.ts";

export interface CleanPolicy {
  /** Newest images kept per repository. */
  keepImages: number;
  /** Build cache cap in bytes (BuildKit's keep-storage). */
  maxCacheBytes: number;
  /** Remove the project's stopped containers and unused cache mounts too. */
  aggressive: boolean;
  includeBases: boolean;
  /** Every image with a shipshape project label (and untagged images), not only this project's. */
  allProjects: boolean;
  /** Keep rules: references, repositories or globs. */
  keep: readonly string[];
}

export const DEFAULT_KEEP_IMAGES = 2;
export const DEFAULT_MAX_CACHE_BYTES = 10e9;
export const DEFAULT_AGGRESSIVE_MAX_CACHE_BYTES = 1e9;

export type RemovalReason = "dangling" | "older" | "base" | "stopped-container" | "cache-over-cap" | "unused-cache-mount";
export type KeepReason = "in-use" | "newest" | "keep-rule" | "base" | "outside-scope" | "foreign-tag";

export interface PlannedImage {
  id: string;
  /** The references removed (untagged); empty for an untagged image, removed by id. */
  references: string[];
  reason: RemovalReason;
  why: string;
  /** Bytes only this image holds (Size − SharedSize): what removing it frees at least. */
  bytes: number;
  created: number;
}

export interface PlannedContainer {
  id: string;
  name: string;
  image: string;
  why: string;
  bytes: number;
}

export interface PlannedCacheRecord {
  id: string;
  type: string;
  description: string;
  bytes: number;
  lastUsedAt?: string;
  reason: RemovalReason;
}

export interface KeptImage {
  id: string;
  references: string[];
  reason: KeepReason;
  why: string;
}

export interface CleanPlan {
  containers: PlannedContainer[];
  images: PlannedImage[];
  /** What the build cache prune is expected to remove (BuildKit decides the exact order). */
  cache: { keepStorageBytes: number; records: PlannedCacheRecord[]; cacheMounts: boolean; totalBytes: number };
  /** The project's images (and project-named images elsewhere) that stay, with why. */
  kept: KeptImage[];
  /** Bytes the plan frees at least: unique image bytes, container layers, cache records. */
  bytes: { images: number; containers: number; cache: number; total: number };
}

function uniqueBytes(image: ImageSummary): number {
  return image.SharedSize >= 0 ? Math.max(0, image.Size - image.SharedSize) : image.Size;
}

function containerName(container: ContainerSummary): string {
  return (container.Names[0] ?? container.Id.slice(0, 12)).replace(/^\//, "");
}

function imageLabelProject(image: ImageSummary): string | undefined {
  return image.Labels[PROJECT_LABEL];
}

/**
 * An image is the project's when it carries the project label, or when every tag it has names a
 * repository of the project. With allProjects: any shipshape project label, and untagged images.
 */
export function isProjectImage(image: ImageSummary, scope: ProjectScope, allProjects: boolean): boolean {
  const label = imageLabelProject(image);
  if (allProjects && label !== undefined) return true;
  if (label === scope.project) return true;
  const tags = image.RepoTags.filter((tag) => tag !== "<none>:<none>");
  if (tags.length === 0) return allProjects;
  return tags.every((reference) => scope.repositories.has(repositoryOf(reference)));
}

export function planClean(usage: Pick<RawDiskUsage, "Images" | "Containers" | "BuildCache">, scope: ProjectScope, policy: CleanPolicy): CleanPlan {
  const inScopeRepository = (reference: string): boolean => scope.repositories.has(repositoryOf(reference));
  const isOurs = (image: ImageSummary): boolean => isProjectImage(image, scope, policy.allProjects);

  // --aggressive: the project's stopped containers go first; their images are then unused.
  const imageById = new Map(usage.Images.map((image) => [image.Id, image]));
  const containers: PlannedContainer[] = [];
  const removedContainers = new Set<string>();
  if (policy.aggressive) {
    for (const container of usage.Containers) {
      if (container.State === "running" || container.State === "paused" || container.State === "restarting") continue;
      const composeProject = container.Labels["com.docker.compose.project"];
      const image = imageById.get(container.ImageID);
      const byCompose = composeProject !== undefined && scope.composeProjects.has(composeProject);
      const byImage = image !== undefined && isOurs(image);
      if (!byCompose && !byImage) continue;
      removedContainers.add(container.Id);
      containers.push({
        id: container.Id,
        name: containerName(container),
        image: container.Image,
        why: byCompose ? `stopped container of compose project ${composeProject}` : `stopped container of the project's image ${container.Image}`,
        bytes: container.SizeRw ?? 0,
      });
    }
  }
  const usedBy = new Map<string, string>();
  for (const container of usage.Containers) {
    if (removedContainers.has(container.Id)) continue;
    if (!usedBy.has(container.ImageID)) usedBy.set(container.ImageID, `${containerName(container)} (${container.State || "created"})`);
  }

  const kept: KeptImage[] = [];
  const images: PlannedImage[] = [];
  const candidates: ImageSummary[] = [];
  const keepRuleFor = (references: readonly string[]): string | undefined => policy.keep.find((rule) => references.some((reference) => matchesKeepRule(reference, rule)));
  const baseOf = (references: readonly string[]): string | undefined => references.find((reference) => scope.bases.has(normalizeReference(reference)));

  for (const image of usage.Images) {
    const references = image.RepoTags.filter((tag) => tag !== "<none>:<none>");
    const base = baseOf(references);
    const ours = isOurs(image) || (base !== undefined && policy.includeBases);
    if (!ours) {
      // Images named like the project's but tagged elsewhere too are reported, the rest is silent.
      if (references.some(inScopeRepository)) kept.push({ id: image.Id, references, reason: "foreign-tag", why: `also tagged outside the project (${references.filter((reference) => !inScopeRepository(reference)).join(", ")})` });
      else if (base !== undefined) kept.push({ id: image.Id, references, reason: "base", why: "base image of the project (--include-bases removes it)" });
      continue;
    }
    const user = usedBy.get(image.Id);
    if (user !== undefined) {
      kept.push({ id: image.Id, references, reason: "in-use", why: `used by container ${user}` });
      continue;
    }
    const rule = keepRuleFor(references);
    if (rule !== undefined) {
      kept.push({ id: image.Id, references, reason: "keep-rule", why: `keep rule '${rule}'` });
      continue;
    }
    if (base !== undefined) {
      if (!policy.includeBases) {
        kept.push({ id: image.Id, references, reason: "base", why: "base image of the project (--include-bases removes it)" });
        continue;
      }
      images.push({ id: image.Id, references, reason: "base", why: "base image (--include-bases); the next build pulls it again", bytes: uniqueBytes(image), created: image.Created });
      continue;
    }
    if (references.length === 0) {
      images.push({ id: image.Id, references, reason: "dangling", why: "untagged (dangling) image", bytes: uniqueBytes(image), created: image.Created });
      continue;
    }
    candidates.push(image);
  }

  // Keep the newest N per repository; an image tagged in several repositories stays when one keeps it.
  const byRepository = new Map<string, ImageSummary[]>();
  for (const image of candidates) {
    for (const reference of image.RepoTags) {
      const repository = repositoryOf(reference);
      byRepository.set(repository, [...(byRepository.get(repository) ?? []), image]);
    }
  }
  const keptBy = new Map<string, string>();
  for (const [repository, list] of byRepository) {
    const newestFirst = [...new Set(list)].sort((a, b) => b.Created - a.Created || (a.Id < b.Id ? -1 : 1));
    for (const image of newestFirst.slice(0, policy.keepImages)) if (!keptBy.has(image.Id)) keptBy.set(image.Id, repository);
  }
  for (const image of candidates) {
    const references = image.RepoTags;
    const repository = keptBy.get(image.Id);
    if (repository !== undefined) {
      kept.push({ id: image.Id, references, reason: "newest", why: `one of the ${policy.keepImages} newest of ${repository}` });
      continue;
    }
    const repositories = [...new Set(references.map(repositoryOf))].join(", ");
    images.push({ id: image.Id, references, reason: "older", why: `older than the ${policy.keepImages} newest of ${repositories}`, bytes: uniqueBytes(image), created: image.Created });
  }
  images.sort((a, b) => a.created - b.created || (a.id < b.id ? -1 : 1));

  const cache = planCachePrune(usage.BuildCache, policy.maxCacheBytes, policy.aggressive);
  const imageBytes = images.reduce((sum, item) => sum + item.bytes, 0);
  const containerBytes = containers.reduce((sum, item) => sum + item.bytes, 0);
  const cacheBytes = cache.records.reduce((sum, item) => sum + item.bytes, 0);
  return { containers, images, cache, kept, bytes: { images: imageBytes, containers: containerBytes, cache: cacheBytes, total: imageBytes + containerBytes + cacheBytes } };
}

/** BuildKit keeps internal and frontend records unless a prune says `all`. */
const PRUNED_WITHOUT_ALL = (record: BuildCacheRecord): boolean => record.Type !== "internal" && record.Type !== "frontend";

/**
 * What `POST /build/prune?keep-storage=CAP` is expected to remove: unused records, least recently
 * used first, until the cache is at most CAP. With --aggressive, every unused cache mount
 * (`type=exec.cachemount`) goes first. BuildKit orders by last use and usage count, so for a cap
 * between 0 and the cache's size this is an estimate; at 0 and above the size it is exact.
 * Records shared with images (`Shared`: an image's layers) stay while the image exists: BuildKit
 * does not prune them. Once a clean-up removed the image they are free, so the real run plans the
 * cache again after removing images (run.ts), and removes exactly that second plan.
 */
export function planCachePrune(records: readonly BuildCacheRecord[], keepStorageBytes: number, aggressive: boolean): CleanPlan["cache"] {
  const totalBytes = records.reduce((sum, record) => sum + record.Size, 0);
  const planned: PlannedCacheRecord[] = [];
  const removed = new Set<string>();
  let remaining = totalBytes;
  const describe = (record: BuildCacheRecord, reason: RemovalReason): PlannedCacheRecord => {
    const item: PlannedCacheRecord = { id: record.ID, type: record.Type, description: record.Description, bytes: record.Size, reason };
    if (record.LastUsedAt) item.lastUsedAt = record.LastUsedAt;
    return item;
  };
  if (aggressive) {
    for (const record of records) {
      if (record.InUse || record.Shared || record.Type !== "exec.cachemount") continue;
      planned.push(describe(record, "unused-cache-mount"));
      removed.add(record.ID);
      remaining -= record.Size;
    }
  }
  if (remaining > keepStorageBytes) {
    const lastUsed = (record: BuildCacheRecord): number => Date.parse(record.LastUsedAt ?? record.CreatedAt ?? "") || 0;
    const candidates = records.filter((record) => !record.InUse && !record.Shared && !removed.has(record.ID) && PRUNED_WITHOUT_ALL(record)).sort((a, b) => lastUsed(a) - lastUsed(b) || (a.ID < b.ID ? -1 : 1));
    for (const record of candidates) {
      if (remaining <= keepStorageBytes) break;
      planned.push(describe(record, "cache-over-cap"));
      remaining -= record.Size;
    }
  }
  return { keepStorageBytes, records: planned, cacheMounts: aggressive, totalBytes };
}
