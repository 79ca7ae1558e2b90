// The before/after table of an optimize run: for each image and scenario measured on both sides,
// the medians and the change. Pure: two bench results in, rows out. Images are matched by build
// target name (compose service, or the Dockerfile's name), which survives a rewrite and a
// consolidation; a scenario counts only when both sides measured it.
import type { BenchResult, ScenarioName, TargetBench } from "../bench/result.ts";

export interface BeforeAfterRow {
  image: string;
  scenario: ScenarioName;
  beforeMs: number;
  afterMs: number;
  /** (after - before) / before: -0.5 is twice as fast. */
  change: number;
  beforeCacheHit?: number;
  afterCacheHit?: number;
}

export interface SizeRow {
  image: string;
  beforeBytes: number;
  afterBytes: number;
  change: number;
}

export interface BeforeAfter {
  rows: BeforeAfterRow[];
  sizes: SizeRow[];
  /** Images or scenarios that could not be compared, with why. */
  missing: { image: string; scenario?: ScenarioName; reason: string }[];
}

function ownSide(target: TargetBench): TargetBench["before"] {
  return target.after !== undefined && target.after.ownDockerfile ? target.after : target.before;
}

export function compareBench(before: BenchResult, after: BenchResult | undefined): BeforeAfter {
  const result: BeforeAfter = { rows: [], sizes: [], missing: [] };
  for (const baseline of before.targets) {
    const optimized = after?.targets.find((candidate) => candidate.name === baseline.name);
    if (optimized === undefined) {
      result.missing.push({ image: baseline.name, reason: after === undefined ? "not measured again: nothing was changed" : "not measured again" });
      continue;
    }
    const beforeSide = ownSide(baseline);
    const afterSide = ownSide(optimized);
    for (const scenario of before.scenarios) {
      const b = beforeSide.scenarios.find((measurement) => measurement.scenario === scenario);
      const a = afterSide.scenarios.find((measurement) => measurement.scenario === scenario);
      if (b?.medianMs === undefined || a?.medianMs === undefined || b.status !== "measured" || a.status !== "measured") {
        const reason = [b, a].map((side, index) => (side === undefined ? `${index === 0 ? "before" : "after"}: not run` : side.status !== "measured" ? `${index === 0 ? "before" : "after"}: ${side.status}${side.reason !== undefined ? ` (${side.reason.split("\n")[0] ?? ""})` : ""}` : undefined)).filter((text) => text !== undefined);
        result.missing.push({ image: baseline.name, scenario, reason: reason.join("; ") || "not measured" });
        continue;
      }
      const row: BeforeAfterRow = { image: baseline.name, scenario, beforeMs: b.medianMs, afterMs: a.medianMs, change: (a.medianMs - b.medianMs) / b.medianMs };
      if (b.cacheHitRatio !== undefined) row.beforeCacheHit = b.cacheHitRatio;
      if (a.cacheHitRatio !== undefined) row.afterCacheHit = a.cacheHitRatio;
      result.rows.push(row);
    }
    if (beforeSide.sizeBytes !== undefined && afterSide.sizeBytes !== undefined && beforeSide.sizeBytes > 0) {
      result.sizes.push({ image: baseline.name, beforeBytes: beforeSide.sizeBytes, afterBytes: afterSide.sizeBytes, change: (afterSide.sizeBytes - beforeSide.sizeBytes) / beforeSide.sizeBytes });
    }
  }
  return result;
}

/** "-42%" / "+3%" / "0%": a change as the tables print it. */
export function formatChange(change: number): string {
  if (!Number.isFinite(change)) return "n/a";
  const percent = Math.round(change * 100);
  return `${percent > 0 ? "+" : ""}${percent}%`;
}
