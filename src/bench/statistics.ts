// Numbers from build results: the cache hit ratio of one build and the summary of N runs.
import type { BuildStep } from "../engine/types.ts";
import { parseStepName } from "../engine/progress.ts";

/**
 * The steps that stand for Dockerfile work: BuildKit's own vertices (context transfer, metadata,
 * export) are left out, and so is FROM, because BuildKit reports a base image from the local
 * image store as not cached on every build (it resolves it, it does not rebuild it).
 */
export function workSteps(steps: readonly BuildStep[]): BuildStep[] {
  return steps.filter((step) => !step.internal && !/^FROM\b/i.test(parseStepName(step.name).instruction));
}

export interface CacheUse {
  cachedSteps: number;
  totalSteps: number;
  /** cachedSteps / totalSteps; 1 for a build with no work steps (nothing had to run). */
  ratio: number;
  /** Names of the work steps that ran (not cached). */
  rebuiltSteps: string[];
}

export function cacheUse(steps: readonly BuildStep[]): CacheUse {
  const work = workSteps(steps);
  const cached = work.filter((step) => step.cached).length;
  return {
    cachedSteps: cached,
    totalSteps: work.length,
    ratio: work.length === 0 ? 1 : cached / work.length,
    rebuiltSteps: work.filter((step) => !step.cached).map((step) => step.name),
  };
}

/** The median of a non-empty list (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median of an empty list");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[middle] as number;
  return ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export interface Summary {
  median: number;
  min: number;
  max: number;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new RangeError("summary of an empty list");
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** after / before, undefined when either side is missing or before is zero. */
export function ratio(before: number | undefined, after: number | undefined): number | undefined {
  if (before === undefined || after === undefined || before === 0) return undefined;
  return after / before;
}
