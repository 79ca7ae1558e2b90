// `shipshape history` output: trends per image (latest value, change against the base point, a
// compact series) and the regression check. Building the model and rendering it are pure.
import { formatBytes, formatDuration, formatPercent, paint as paintStyle, plural } from "../format/index.ts";
import type { Style } from "../format/index.ts";
import { escapeMarkdown, sanitizeTerminal } from "../report/escape.ts";
import type { RegressionComparison, RegressionResult } from "./regression.ts";
import { findBasePoint, percentChange, type Baseline, type Series, type SeriesKey, type SeriesPoint } from "./series.ts";

export const HISTORY_JSON_VERSION = 1;
/** How many of the most recent values the compact series shows. */
export const SERIES_LENGTH = 12;

export interface HistoryEntry {
  key: SeriesKey;
  latest: SeriesPoint;
  base: SeriesPoint | null;
  changePercent: number | null;
  /** The last SERIES_LENGTH values, oldest first. */
  values: number[];
  /** How many runs recorded this series. */
  runs: number;
}

export interface ImageHistory {
  repository: string;
  image: string;
  entries: HistoryEntry[];
}

export interface HistoryReport {
  database: string;
  /** The --image filter, when one was given. */
  image: string | null;
  baseline: Baseline | null;
  images: ImageHistory[];
  regression: RegressionResult | null;
}

export function buildHistory(series: readonly Series[], options: { database: string; image?: string; baseline?: Baseline; regression?: RegressionResult }): HistoryReport {
  const images: ImageHistory[] = [];
  for (const one of series) {
    const latest = one.points.at(-1);
    if (latest === undefined) continue;
    const base = findBasePoint(one, options.baseline);
    const entry: HistoryEntry = {
      key: one.key,
      latest,
      base,
      changePercent: base === null ? null : percentChange(base.value, latest.value),
      values: one.points.slice(-SERIES_LENGTH).map((point) => point.value),
      runs: one.points.length,
    };
    const current = images.at(-1);
    if (current !== undefined && current.repository === one.key.repository && current.image === one.key.image) current.entries.push(entry);
    else images.push({ repository: one.key.repository, image: one.key.image, entries: [entry] });
  }
  return { database: options.database, image: options.image ?? null, baseline: options.baseline ?? null, images, regression: options.regression ?? null };
}

// --- value formatting -------------------------------------------------------------------------

/**
 * Formats a value by its metric name's convention (see docs/metrics.md). `userWastedPercent` is a
 * fraction (0.2 = 20 %), as dive and `shipshape layers --format json` give it, despite its name.
 */
export function formatMetricValue(metric: string, value: number): string {
  if (metric.endsWith("Bytes")) return formatBytes(value);
  if (metric.endsWith("Ms")) return formatDuration(value);
  if (metric.endsWith("Ratio") || metric.endsWith("Percent") || metric === "efficiency") return formatPercent(value);
  if (metric === "equivalent") return value === 1 ? "yes" : value === 0 ? "no" : String(value);
  return Number.isInteger(value) ? String(value) : String(round(value, 3));
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function formatChange(changePercent: number | null, hasBase: boolean): string {
  if (!hasBase) return "no base";
  if (changePercent === null) return "n/a";
  const rounded = round(changePercent, 1);
  return `${rounded > 0 ? "+" : rounded === 0 ? "±" : ""}${rounded.toFixed(1)}%`;
}

const SPARK = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

/** One block character per value, scaled between the smallest and largest shown value. */
export function sparkline(values: readonly number[]): string {
  if (values.length === 0) return "";
  const min = Math.min(...values);
  const max = Math.max(...values);
  if (max === min) return SPARK[3]!.repeat(values.length);
  return values.map((value) => SPARK[Math.round(((value - min) / (max - min)) * (SPARK.length - 1))]).join("");
}

function shortCommit(point: SeriesPoint): string {
  return point.gitCommit === null ? "no commit" : point.gitCommit.slice(0, 7);
}

function describeBaseline(baseline: Baseline | null): string {
  if (baseline === null) return "previous run on the same branch";
  return `latest run at ${baseline.ref}${baseline.commit !== null ? ` (${baseline.commit.slice(0, 7)})` : ""}`;
}

function describeThresholds(regression: RegressionResult): string {
  return Object.entries(regression.thresholds)
    .map(([category, percent]) => `${category} > ${percent}%`)
    .join(", ");
}

function comparisonLabel(comparison: RegressionComparison): string {
  const { image, kind, scenario, metric } = comparison.key;
  return [image, kind, scenario, metric].filter((part) => part !== "").join(" ");
}

/** Lower is better for size and time metrics: an increase is red, a decrease green. */
function lowerIsBetter(metric: string): boolean {
  return metric.endsWith("Bytes") || metric.endsWith("Ms") || metric === "layers" || metric === "userWastedPercent" || metric === "differences";
}

// --- tty --------------------------------------------------------------------------------------

export function renderHistoryTty(report: HistoryReport, options: { color: boolean }): string {
  const paint = (style: Style, text: string): string => paintStyle(options.color, style, text);
  const lines: string[] = [];
  lines.push(`Metrics history (${sanitizeTerminal(report.database)}); change vs ${sanitizeTerminal(describeBaseline(report.baseline))}`);
  if (report.images.length === 0) lines.push("", report.image !== null ? `No metrics recorded for image ${sanitizeTerminal(report.image)}.` : "No metrics recorded yet: build, bench, layers and verify record here.");
  const showRepository = new Set(report.images.map((image) => image.repository)).size > 1;
  for (const image of report.images) {
    lines.push("");
    lines.push(paint("bold", sanitizeTerminal(image.image)) + (showRepository ? paint("dim", `  ${sanitizeTerminal(image.repository)}`) : ""));
    const rows = image.entries.map((entry) => [
      sanitizeTerminal(entry.key.kind),
      sanitizeTerminal(entry.key.scenario === "" ? "-" : entry.key.scenario),
      sanitizeTerminal(entry.key.metric),
      formatMetricValue(entry.key.metric, entry.latest.value),
      formatChange(entry.changePercent, entry.base !== null),
      entry.base === null ? "" : `vs ${sanitizeTerminal(shortCommit(entry.base))}`,
      `${sparkline(entry.values)} (${plural(entry.runs, "run")})`,
    ]);
    const widths = rows.reduce<number[]>((max, row) => row.map((cell, index) => Math.max(max[index] ?? 0, [...cell].length)), []);
    image.entries.forEach((entry, rowIndex) => {
      const row = rows[rowIndex]!;
      const cells = row.map((cell, index) => {
        const padded = index === row.length - 1 ? cell : index === 3 || index === 4 ? cell.padStart(widths[index] ?? 0) : cell.padEnd(widths[index] ?? 0);
        if (index !== 4 || entry.changePercent === null || !lowerIsBetter(entry.key.metric)) return padded;
        if (entry.changePercent > 0) return paint("red", padded);
        if (entry.changePercent < 0) return paint("green", padded);
        return padded;
      });
      lines.push(`  ${cells.join("  ")}`.trimEnd());
    });
  }
  if (report.regression !== null) lines.push("", ...regressionTtyLines(report.regression, paint));
  return `${lines.join("\n")}\n`;
}

function regressionTtyLines(regression: RegressionResult, paint: (style: Style, text: string) => string): string[] {
  const lines = [`Regression check (${describeThresholds(regression)}; base: ${sanitizeTerminal(describeBaseline(regression.baseline))})`];
  if (regression.comparisons.length === 0) lines.push("  nothing to compare: no size or time metrics recorded");
  for (const comparison of regression.comparisons) {
    const status = comparison.regressed ? paint("bold red", "FAIL") : comparison.base === null || comparison.changePercent === null ? "n/a " : "ok  ";
    const values =
      comparison.base === null
        ? `${formatMetricValue(comparison.key.metric, comparison.latest.value)}, no base run`
        : `${formatMetricValue(comparison.key.metric, comparison.base.value)} -> ${formatMetricValue(comparison.key.metric, comparison.latest.value)}  ${formatChange(comparison.changePercent, true)} (limit ${comparison.thresholdPercent}%)`;
    lines.push(`  ${status}  ${sanitizeTerminal(comparisonLabel(comparison))}: ${values}`);
  }
  const failures = regression.comparisons.filter((comparison) => comparison.regressed).length;
  lines.push(failures === 0 ? "No regression." : `${plural(failures, "regression")}.`);
  return lines;
}

// --- json -------------------------------------------------------------------------------------

export function renderHistoryJson(report: HistoryReport): string {
  const document = {
    version: HISTORY_JSON_VERSION,
    database: report.database,
    image: report.image,
    baseline: report.baseline,
    images: report.images.map((image) => ({
      repository: image.repository,
      image: image.image,
      series: image.entries.map((entry) => ({
        kind: entry.key.kind,
        scenario: entry.key.scenario,
        metric: entry.key.metric,
        latest: entry.latest,
        base: entry.base,
        changePercent: entry.changePercent,
        values: entry.values,
        runs: entry.runs,
      })),
    })),
    regression:
      report.regression === null
        ? null
        : {
            thresholds: report.regression.thresholds,
            regressed: report.regression.regressed,
            comparisons: report.regression.comparisons.map((comparison) => ({
              ...comparison.key,
              category: comparison.category,
              thresholdPercent: comparison.thresholdPercent,
              latest: comparison.latest,
              base: comparison.base,
              changePercent: comparison.changePercent,
              regressed: comparison.regressed,
            })),
          },
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

// --- markdown ---------------------------------------------------------------------------------

export function renderHistoryMarkdown(report: HistoryReport): string {
  const lines: string[] = ["## Metrics history", "", `Change vs ${escapeMarkdown(describeBaseline(report.baseline))}.`];
  if (report.images.length === 0) lines.push("", report.image !== null ? `No metrics recorded for image ${escapeMarkdown(report.image)}.` : "No metrics recorded yet.");
  const showRepository = new Set(report.images.map((image) => image.repository)).size > 1;
  for (const image of report.images) {
    lines.push("", `### ${escapeMarkdown(image.image)}${showRepository ? ` (${escapeMarkdown(image.repository)})` : ""}`, "");
    lines.push("| Kind | Scenario | Metric | Latest | Change | Base | Series |", "| --- | --- | --- | ---: | ---: | --- | --- |");
    for (const entry of image.entries) {
      lines.push(
        `| ${escapeMarkdown(entry.key.kind)} | ${entry.key.scenario === "" ? "-" : escapeMarkdown(entry.key.scenario)} | ${escapeMarkdown(entry.key.metric)} | ${formatMetricValue(entry.key.metric, entry.latest.value)} | ${formatChange(entry.changePercent, entry.base !== null)} | ${entry.base === null ? "" : escapeMarkdown(shortCommit(entry.base))} | ${sparkline(entry.values)} (${entry.runs}) |`,
      );
    }
  }
  if (report.regression !== null) {
    const regression = report.regression;
    lines.push("", "### Regression check", "", `Thresholds: ${describeThresholds(regression)}; base: ${escapeMarkdown(describeBaseline(regression.baseline))}.`, "");
    if (regression.comparisons.length === 0) lines.push("Nothing to compare: no size or time metrics recorded.");
    else {
      lines.push("| Result | Series | Base | Latest | Change | Limit |", "| --- | --- | ---: | ---: | ---: | ---: |");
      for (const comparison of regression.comparisons) {
        const result = comparison.regressed ? "**regression**" : comparison.base === null || comparison.changePercent === null ? "n/a" : "ok";
        lines.push(
          `| ${result} | ${escapeMarkdown(comparisonLabel(comparison))} | ${comparison.base === null ? "-" : formatMetricValue(comparison.key.metric, comparison.base.value)} | ${formatMetricValue(comparison.key.metric, comparison.latest.value)} | ${formatChange(comparison.changePercent, comparison.base !== null)} | ${comparison.thresholdPercent}% |`,
        );
      }
    }
  }
  return `${lines.join("\n")}\n`;
}
