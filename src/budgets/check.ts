// Size budgets (`budgets:` in shipshape.config.yaml): per service (build target name) or image
// reference, the most an image may weigh, how many layers, how long its build may take and how
// many bytes later layers may waste (dive's wasted bytes). Pure: measurements in, checks out.
// build checks size, layers and build time; layers --ci checks size, layers and wasted bytes;
// monitor checks what it measured; history draws each as a line.
import type { BudgetConfig } from "../audit/config.ts";
import { formatBytes, formatDuration } from "../format/index.ts";

export type BudgetMetric = "sizeBytes" | "layers" | "durationMs" | "wastedBytes";

export interface BudgetCheck {
  metric: BudgetMetric;
  limit: number;
  actual: number;
  passed: boolean;
}

export interface Measured {
  sizeBytes?: number;
  layers?: number;
  durationMs?: number;
  wastedBytes?: number;
}

const LIMITS: readonly [keyof BudgetConfig, BudgetMetric][] = [
  ["maxSize", "sizeBytes"],
  ["maxLayers", "layers"],
  ["maxBuildTime", "durationMs"],
  ["maxWasted", "wastedBytes"],
];

/** The budget's limit for each metric it sets. */
export function budgetLimits(budget: BudgetConfig): Partial<Record<BudgetMetric, number>> {
  const limits: Partial<Record<BudgetMetric, number>> = {};
  for (const [key, metric] of LIMITS) {
    const limit = budget[key];
    if (limit !== undefined) limits[metric] = limit;
  }
  return limits;
}

/** Checks what was measured against the limits the budget sets (an unmeasured metric is not checked). */
export function checkBudget(budget: BudgetConfig, measured: Measured): BudgetCheck[] {
  const checks: BudgetCheck[] = [];
  for (const [metric, limit] of Object.entries(budgetLimits(budget)) as [BudgetMetric, number][]) {
    const actual = measured[metric];
    if (actual === undefined) continue;
    checks.push({ metric, limit, actual, passed: actual <= limit });
  }
  return checks;
}

function withoutLatest(reference: string): string {
  return reference.replace(/:latest$/, "");
}

/**
 * The budget for an image: by its build target name first, then by its reference (exact, without
 * `:latest`, or its repository).
 */
export function budgetFor(budgets: Record<string, BudgetConfig> | undefined, keys: { name?: string; reference?: string }): { key: string; budget: BudgetConfig } | undefined {
  if (budgets === undefined) return undefined;
  const candidates: string[] = [];
  if (keys.name !== undefined) candidates.push(keys.name);
  if (keys.reference !== undefined) {
    const reference = keys.reference;
    candidates.push(reference, withoutLatest(reference));
    const lastSlash = reference.lastIndexOf("/");
    const colon = reference.indexOf(":", lastSlash + 1);
    if (colon >= 0) candidates.push(reference.slice(0, colon));
  }
  for (const key of candidates) {
    const budget = budgets[key];
    if (budget !== undefined) return { key, budget };
  }
  return undefined;
}

export const METRIC_LABELS: Record<BudgetMetric, string> = { sizeBytes: "size", layers: "layers", durationMs: "build time", wastedBytes: "wasted" };

export function formatMetric(metric: BudgetMetric, value: number): string {
  if (metric === "layers") return String(value);
  if (metric === "durationMs") return formatDuration(value);
  return formatBytes(value);
}

/** `size 812 MB > budget 500 MB` (breach) or `size 412 MB ≤ 500 MB`. */
export function describeCheck(check: BudgetCheck): string {
  return `${METRIC_LABELS[check.metric]} ${formatMetric(check.metric, check.actual)} ${check.passed ? "≤" : "> budget"} ${formatMetric(check.metric, check.limit)}`;
}

/** One line per breached budget, for stderr: `budget: api: size 812 MB > budget 500 MB (budgets.api in the config)`. */
export function breachLines(name: string, key: string, checks: readonly BudgetCheck[]): string[] {
  return checks.filter((check) => !check.passed).map((check) => `budget: ${name}: ${describeCheck(check)} (budgets.${key})`);
}

/** A recorded series as history shows it: the metric, its latest value and its recent values. */
export interface BudgetSeries {
  image: string;
  metric: string;
  latest: number;
  values: readonly number[];
}

/**
 * history's budget lines: for each recorded size, layers, build time or wasted series of an image
 * with a budget, the limit, the latest value and how many of the recent runs were over it.
 */
export function historyBudgetLines(series: readonly BudgetSeries[], budgets: Record<string, BudgetConfig> | undefined, nameOf: (image: string) => string | undefined): string[] {
  const lines: string[] = [];
  for (const one of series) {
    if (!(one.metric in METRIC_LABELS)) continue;
    const metric = one.metric as BudgetMetric;
    const name = nameOf(one.image);
    const found = budgetFor(budgets, { ...(name !== undefined ? { name } : {}), reference: one.image });
    const limit = found !== undefined ? budgetLimits(found.budget)[metric] : undefined;
    if (found === undefined || limit === undefined) continue;
    const over = one.values.filter((value) => value > limit).length;
    const status = one.latest > limit ? "OVER" : "ok";
    lines.push(`${one.image}: ${METRIC_LABELS[metric]} budget ${formatMetric(metric, limit)} (budgets.${found.key}): latest ${formatMetric(metric, one.latest)} ${status}; ${over} of the last ${one.values.length} run(s) over`);
  }
  return lines;
}
