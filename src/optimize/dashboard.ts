// The HTML report's data: the metrics history (per image: size, build time, cache hits over the
// recorded commits, regressions flagged), the last optimize's before/after and the optimized
// images' layers. dashboardData() is pure; the readers around it touch the database, git and the
// saved optimize result.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { formatBytes, formatDuration } from "../format/index.ts";
import { REGRESSION_METRICS } from "../metrics/regression.ts";
import type { Series } from "../metrics/series.ts";
import { groupSeries } from "../metrics/series.ts";
import { DEFAULT_BUSY_TIMEOUT_MS, describeSqliteError, loadSqlite, openMetricsDatabase, queryMeasurements } from "../metrics/store.ts";
import type { ChartPoint, DashboardData, DashboardImage } from "../report/html.ts";
import { compareBench, formatChange } from "./compare.ts";
import type { OptimizeResult } from "./result.ts";
import { plural } from "../format/index.ts";

/** Percent increase over the previous point that the charts mark as a regression (as `history --fail-on-regression size=10%,time=20%`). */
export const REGRESSION_THRESHOLDS = { size: 10, time: 20 } as const;

export interface DashboardInputs {
  series: readonly Series[];
  /** Commit SHA -> subject line, for the tooltips. */
  subjects: ReadonlyMap<string, string>;
  repository: string;
  generatedAt: string;
  title?: string;
  optimize?: OptimizeResult;
  budgetFor?: (image: string) => { sizeBytes?: number; buildMs?: number } | undefined;
}

/** Which series feeds which chart, best first: [kind, scenario, metric, caption]. */
const SIZE_SOURCES = [["build", "", "sizeBytes", "build"], ["bench", "cold", "sizeBytes", "bench"], ["layers", "", "sizeBytes", "layers"]] as const;
const TIME_SOURCES = [["bench", "cold", "medianMs", "bench cold build, median"], ["build", "", "durationMs", "build"]] as const;
const CACHE_SOURCES = [["bench", "code", "cacheHitRatio", "bench after a code change"], ["build", "", "cacheHitRatio", "build"]] as const;

export function dashboardData(inputs: DashboardInputs): DashboardData {
  const images = [...new Set(inputs.series.map((series) => series.key.image))].sort();
  const notes: string[] = [];
  const dashboardImages: DashboardImage[] = [];
  for (const image of images) {
    const ofImage = inputs.series.filter((series) => series.key.image === image);
    const pick = (sources: readonly (readonly [string, string, string, string])[]): { series: Series; caption: string } | undefined => {
      for (const [kind, scenario, metric, caption] of sources) {
        const found = ofImage.find((series) => series.key.kind === kind && series.key.scenario === scenario && series.key.metric === metric && series.points.length > 0);
        if (found !== undefined) return { series: found, caption };
      }
      return undefined;
    };
    const size = pick(SIZE_SOURCES);
    const time = pick(TIME_SOURCES);
    const cache = pick(CACHE_SOURCES);
    if (size === undefined && time === undefined && cache === undefined) continue;
    const entry: DashboardImage = {
      image,
      size: size !== undefined ? points(size.series, inputs.subjects, REGRESSION_THRESHOLDS.size) : [],
      buildTime: time !== undefined ? points(time.series, inputs.subjects, REGRESSION_THRESHOLDS.time) : [],
      cacheHit: cache !== undefined ? points(cache.series, inputs.subjects) : [],
      sources: { ...(size !== undefined ? { size: size.caption } : {}), ...(time !== undefined ? { buildTime: time.caption } : {}), ...(cache !== undefined ? { cacheHit: cache.caption } : {}) },
      regressions: [],
    };
    const budget = inputs.budgetFor?.(image);
    if (budget !== undefined) entry.budget = budget;
    for (const [label, chart, format] of [["size", entry.size, formatBytes], ["build time", entry.buildTime, formatDuration]] as const) {
      const last = chart.at(-1);
      const previous = chart.at(-2);
      if (last?.regression === true && previous !== undefined) entry.regressions.push(`${image}: ${label} went from ${format(previous.value)} (${previous.label}) to ${format(last.value)} (${last.label}), ${formatChange((last.value - previous.value) / previous.value)}`);
    }
    dashboardImages.push(entry);
  }
  if (!dashboardImages.some((image) => image.budget !== undefined)) notes.push("No budget lines: no size or build-time budget is configured for these images.");
  const data: DashboardData = { title: inputs.title ?? "shipshape: Docker builds report", generatedAt: inputs.generatedAt, repository: inputs.repository, images: dashboardImages, layers: inputs.optimize?.layers ?? [], notes };
  if (inputs.optimize !== undefined) {
    const result = inputs.optimize;
    const comparison = compareBench(result.baseline, result.after);
    const where = result.mode === "branch" && result.branch !== undefined ? `on the branch ${result.branch}` : "in place (--write)";
    data.beforeAfter = {
      summary: `shipshape optimize of ${result.target}, finished ${result.finishedAt}, results ${where}; ${plural(result.runs, "timed run")} per scenario (median).`,
      sizes: comparison.sizes,
      rows: comparison.rows,
      changes: result.changes.map((change) => ({ path: change.path, what: change.what, applied: change.applied, note: (change.applied ? change.verification : change.reason)?.split("\n")[0] ?? "" })),
    };
    for (const missing of comparison.missing) notes.push(`Not compared: ${missing.image}${missing.scenario !== undefined ? ` ${missing.scenario}` : ""}: ${missing.reason.split("\n")[0] ?? ""}`);
  }
  return data;
}

function points(series: Series, subjects: ReadonlyMap<string, string>, thresholdPercent?: number): ChartPoint[] {
  return series.points.map((point, index) => {
    const previous = series.points[index - 1];
    const label = point.gitCommit !== null ? point.gitCommit.slice(0, 7) : point.recordedAt.slice(5, 16).replace("T", " ");
    const subject = point.gitCommit !== null ? subjects.get(point.gitCommit) : undefined;
    const title = `${label}${subject !== undefined ? ` ${subject}` : ""} (${point.recordedAt.slice(0, 16).replace("T", " ")}${point.gitBranch !== null ? `, ${point.gitBranch}` : ""})`;
    const chartPoint: ChartPoint = { label, title, value: point.value };
    if (thresholdPercent !== undefined && previous !== undefined && previous.value > 0 && ((point.value - previous.value) / previous.value) * 100 > thresholdPercent) chartPoint.regression = true;
    return chartPoint;
  });
}

/** The series of the metrics database (read-only; none when it does not exist), for one repository. */
export async function readHistorySeries(dbPath: string, repository: string): Promise<Series[]> {
  if (!fs.existsSync(dbPath)) return [];
  const sqlite = await loadSqlite();
  const db = openMetricsDatabase(sqlite, dbPath, { busyTimeoutMs: DEFAULT_BUSY_TIMEOUT_MS, readOnly: true });
  try {
    const rows = queryMeasurements(db, { repository });
    // Only the metrics the charts draw.
    const drawn = new Set(["sizeBytes", "cacheHitRatio", ...REGRESSION_METRICS.time]);
    return groupSeries(rows.filter((row) => drawn.has(row.metric)));
  } catch (error) {
    throw describeSqliteError(error, dbPath, DEFAULT_BUSY_TIMEOUT_MS);
  } finally {
    db.close();
  }
}

/** Subject lines of the commits (unknown commits are left out). */
export function commitSubjects(repositoryRoot: string, commits: Iterable<string>): Map<string, string> {
  const subjects = new Map<string, string>();
  const unique = [...new Set(commits)].filter((commit) => /^[0-9a-f]{7,64}$/.test(commit));
  if (unique.length === 0) return subjects;
  try {
    const output = execFileSync("git", ["-C", repositoryRoot, "log", "--no-walk=unsorted", "--format=%H%x00%s", ...unique], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 16 * 1024 * 1024 });
    for (const line of output.split("\n")) {
      const [sha, subject] = line.split("\u0000");
      if (sha !== undefined && subject !== undefined) subjects.set(sha, subject);
    }
  } catch {
    // A commit the repository does not have (a deleted branch): no subject, the label stays.
    for (const commit of unique) {
      try {
        const subject = execFileSync("git", ["-C", repositoryRoot, "log", "-1", "--format=%s", commit], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
        subjects.set(commit, subject);
      } catch {
        // Unknown commit.
      }
    }
  }
  return subjects;
}

/** Where optimize keeps its last result: next to the metrics database. */
export function lastOptimizePath(dbPath: string): string {
  return path.join(path.dirname(dbPath), "optimize-last.json");
}

const savedResult = z.object({ version: z.literal(1), baseline: z.object({ targets: z.array(z.unknown()) }).passthrough() }).passthrough();

/** The saved result, or undefined when there is none or it is not one this version reads. */
export function readLastOptimize(dbPath: string): OptimizeResult | undefined {
  let text: string;
  try {
    text = fs.readFileSync(lastOptimizePath(dbPath), "utf8");
  } catch {
    return undefined;
  }
  try {
    const parsed = savedResult.safeParse(JSON.parse(text));
    return parsed.success ? (parsed.data as unknown as OptimizeResult) : undefined;
  } catch {
    return undefined;
  }
}
