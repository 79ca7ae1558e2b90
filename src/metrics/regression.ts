// Regression checks: the latest value of each size/time series against its base point. Pure.
import { findBasePoint, percentChange, type Baseline, type Series, type SeriesKey, type SeriesPoint } from "./series.ts";

export type RegressionCategory = "size" | "time";

/**
 * Which metric names a --fail-on-regression category checks. Lower is better for all of them, so a
 * regression is an increase.
 * - size: sizeBytes (image size in bytes, from build or layers);
 * - time: durationMs (build duration) and medianMs (bench scenario median).
 */
export const REGRESSION_METRICS: Readonly<Record<RegressionCategory, readonly string[]>> = {
  size: ["sizeBytes"],
  time: ["durationMs", "medianMs"],
};

/** Allowed increase in percent per category; a category that is absent is not checked. */
export type RegressionThresholds = Partial<Record<RegressionCategory, number>>;

/** Parses "size=10%,time=20%" (the % is optional). Throws an Error whose message explains the syntax. */
export function parseRegressionThresholds(text: string): RegressionThresholds {
  const thresholds: RegressionThresholds = {};
  const parts = text.split(",").map((part) => part.trim()).filter((part) => part !== "");
  if (parts.length === 0) throw new Error("--fail-on-regression needs CATEGORY=PERCENT pairs, e.g. size=10%,time=20%");
  for (const part of parts) {
    const match = /^(\w+)\s*=\s*(\d+(?:\.\d+)?)\s*%?$/.exec(part);
    if (match === null) throw new Error(`--fail-on-regression: '${part}' is not CATEGORY=PERCENT (e.g. size=10%)`);
    const [, category = "", percent = ""] = match;
    if (category !== "size" && category !== "time") throw new Error(`--fail-on-regression: unknown category '${category}' (size or time)`);
    thresholds[category] = Number(percent);
  }
  return thresholds;
}

export interface RegressionComparison {
  key: SeriesKey;
  category: RegressionCategory;
  thresholdPercent: number;
  latest: SeriesPoint;
  base: SeriesPoint | null;
  /** null when there is no base point or the base value is 0. */
  changePercent: number | null;
  regressed: boolean;
}

export interface RegressionResult {
  thresholds: RegressionThresholds;
  baseline: Baseline | null;
  comparisons: RegressionComparison[];
  regressed: boolean;
}

/** A series regresses when its latest value is more than threshold percent above its base value. */
export function checkRegressions(series: readonly Series[], thresholds: RegressionThresholds, baseline?: Baseline): RegressionResult {
  const comparisons: RegressionComparison[] = [];
  for (const one of series) {
    const category = categoryOf(one.key.metric);
    if (category === undefined) continue;
    const thresholdPercent = thresholds[category];
    const latest = one.points.at(-1);
    if (thresholdPercent === undefined || latest === undefined) continue;
    const base = findBasePoint(one, baseline);
    const changePercent = base === null ? null : percentChange(base.value, latest.value);
    comparisons.push({ key: one.key, category, thresholdPercent, latest, base, changePercent, regressed: changePercent !== null && changePercent > thresholdPercent });
  }
  return { thresholds, baseline: baseline ?? null, comparisons, regressed: comparisons.some((comparison) => comparison.regressed) };
}

export function categoryOf(metric: string): RegressionCategory | undefined {
  if (REGRESSION_METRICS.size.includes(metric)) return "size";
  if (REGRESSION_METRICS.time.includes(metric)) return "time";
  return undefined;
}
