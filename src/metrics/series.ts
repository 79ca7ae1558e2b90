// Measurements grouped into series: one series per repository, image, kind, scenario and metric,
// points oldest first. Pure: rows in, series out.
import type { MeasurementRow } from "./store.ts";

export interface SeriesKey {
  repository: string;
  image: string;
  kind: string;
  scenario: string;
  metric: string;
}

export interface SeriesPoint {
  runId: number;
  recordedAt: string;
  gitCommit: string | null;
  gitBranch: string | null;
  dockerfile: string | null;
  dockerfileHash: string | null;
  value: number;
}

export interface Series {
  key: SeriesKey;
  /** Oldest first; at most one point per run. */
  points: SeriesPoint[];
}

export function groupSeries(rows: readonly MeasurementRow[]): Series[] {
  const byKey = new Map<string, Series>();
  for (const row of rows) {
    const key: SeriesKey = { repository: row.repository, image: row.image, kind: row.kind, scenario: row.scenario, metric: row.metric };
    const id = JSON.stringify([key.repository, key.image, key.kind, key.scenario, key.metric]);
    let series = byKey.get(id);
    if (series === undefined) {
      series = { key, points: [] };
      byKey.set(id, series);
    }
    const point: SeriesPoint = {
      runId: row.runId,
      recordedAt: row.recordedAt,
      gitCommit: row.gitCommit,
      gitBranch: row.gitBranch,
      dockerfile: row.dockerfile,
      dockerfileHash: row.dockerfileHash,
      value: row.value,
    };
    const last = series.points.at(-1);
    // A run that recorded the same series twice keeps its last value.
    if (last !== undefined && last.runId === point.runId) series.points[series.points.length - 1] = point;
    else series.points.push(point);
  }
  for (const series of byKey.values()) series.points.sort((a, b) => a.runId - b.runId);
  return [...byKey.values()].sort((a, b) => compareKeys(a.key, b.key));
}

function compareKeys(a: SeriesKey, b: SeriesKey): number {
  return (
    a.repository.localeCompare(b.repository) ||
    a.image.localeCompare(b.image) ||
    KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
    a.kind.localeCompare(b.kind) ||
    a.scenario.localeCompare(b.scenario) ||
    metricRank(a.metric) - metricRank(b.metric) ||
    a.metric.localeCompare(b.metric)
  );
}

const KIND_ORDER = ["build", "bench", "layers", "verify"];
const METRIC_ORDER = ["sizeBytes", "layers", "durationMs", "medianMs", "minMs", "maxMs", "cacheHitRatio", "wastedBytes", "efficiency", "userWastedPercent", "equivalent", "differences"];

function metricRank(metric: string): number {
  const index = METRIC_ORDER.indexOf(metric);
  return index === -1 ? METRIC_ORDER.length : index;
}

/** What the latest point is compared with: the previous run on its branch, or a baseline ref. */
export interface Baseline {
  /** The ref as the user wrote it (branch, tag, SHA). */
  ref: string;
  /** The commit git resolved the ref to, null when git could not (not a repository, unknown ref). */
  commit: string | null;
}

/**
 * The point the latest value is compared with.
 * - No baseline: the most recent earlier point recorded on the same branch as the latest (a run
 *   outside any branch - detached HEAD, no git - compares with earlier runs outside any branch).
 * - Baseline: the most recent earlier point recorded at the ref's commit (or at a commit the ref
 *   abbreviates); when there is none, the most recent earlier point recorded on a branch named ref.
 */
export function findBasePoint(series: Series, baseline?: Baseline): SeriesPoint | null {
  const latest = series.points.at(-1);
  if (latest === undefined) return null;
  const earlier = series.points.slice(0, -1).reverse();
  if (baseline === undefined) return earlier.find((point) => point.gitBranch === latest.gitBranch) ?? null;
  const abbreviation = /^[0-9a-f]{4,40}$/i.test(baseline.ref) ? baseline.ref.toLowerCase() : null;
  const atCommit = earlier.find(
    (point) => point.gitCommit !== null && (point.gitCommit === baseline.commit || (abbreviation !== null && point.gitCommit.startsWith(abbreviation))),
  );
  return atCommit ?? earlier.find((point) => point.gitBranch === baseline.ref) ?? null;
}

/** Relative change in percent, null when the base is zero or negative (no meaningful ratio). */
export function percentChange(base: number, latest: number): number | null {
  if (!(base > 0)) return null;
  return ((latest - base) / base) * 100;
}
