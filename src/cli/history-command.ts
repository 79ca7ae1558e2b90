// `shipshape history [PATH]`: trends from the metrics database of the repository at PATH, and
// --fail-on-regression for CI. Exit codes: 0 ok, 1 a regression above the thresholds, 2 usage error
// or an unusable database (locked, corrupt, newer schema; missing, with --fail-on-regression).
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { readGitFacts, resolveGitRef } from "../metrics/git.ts";
import { resolveDbPath } from "../metrics/record.ts";
import { checkRegressions, parseRegressionThresholds, type RegressionThresholds } from "../metrics/regression.ts";
import { buildHistory, renderHistoryJson, renderHistoryMarkdown, renderHistoryTty } from "../metrics/report.ts";
import { groupSeries, type Baseline } from "../metrics/series.ts";
import { DEFAULT_BUSY_TIMEOUT_MS, describeSqliteError, loadSqlite, openMetricsDatabase, queryMeasurements, type MeasurementRow } from "../metrics/store.ts";
import { shouldUseColor } from "../report/tty.ts";
import { commandHelp } from "./help.ts";
import type { CliIO } from "./io.ts";
import { MetricsStoreError, UsageError } from "../errors.ts";
import { historyBudgetLines } from "../budgets/check.ts";
import { projectScope } from "../clean/scope.ts";
import { repositoryOf } from "../clean/references.ts";
import type { HistoryReport } from "../metrics/report.ts";
import { configFor } from "./config-for.ts";

/** history's budget lines for the repository's config; none without budgets. */
function historyBudgets(report: HistoryReport, io: CliIO, repository: string): string[] {
  const budgets = configFor(io, repository)?.budgets;
  if (budgets === undefined) return [];
  let targets: { name: string; repository: string }[] = [];
  try {
    targets = projectScope(repository, { env: io.env }).targets;
  } catch {
    // Without build targets, budgets keyed by image reference still apply.
  }
  const nameOf = (image: string): string | undefined => targets.find((target) => target.repository === repositoryOf(image))?.name;
  const series = report.images.flatMap((image) => image.entries.filter((entry) => entry.key.scenario === "").map((entry) => ({ image: image.image, metric: entry.key.metric, latest: entry.latest.value, values: entry.values })));
  return historyBudgetLines(series, budgets, nameOf);
}

const HISTORY_FORMATS = ["tty", "json", "markdown"] as const;

/** Environment variable for the busy timeout, mainly so tests need not wait 5 s for a locked file. */
export const BUSY_TIMEOUT_ENV = "SHIPSHAPE_DB_BUSY_TIMEOUT_MS";

export async function runHistoryCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      db: { type: "string" },
      image: { type: "string" },
      format: { type: "string", default: "tty" },
      "fail-on-regression": { type: "string" },
      baseline: { type: "string" },
    },
  });
  if (positionals.length > 1) throw new UsageError("shipshape history takes one PATH (a directory of the repository whose metrics to read)");
  const given = positionals[0] ?? ".";
  const repository = path.resolve(io.cwd, given);
  if (!isDirectory(repository)) throw new UsageError(`${given} is not a directory: give a directory of the repository whose history to read`);
  const format = values.format ?? "tty";
  if (!(HISTORY_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${HISTORY_FORMATS.join(", ")}`);
  let thresholds: RegressionThresholds | undefined;
  if (values["fail-on-regression"] !== undefined) {
    try {
      thresholds = parseRegressionThresholds(values["fail-on-regression"]);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  const busyTimeoutMs = parseBusyTimeout(io.env[BUSY_TIMEOUT_ENV]);

  const git = await readGitFacts(repository);
  const dbPath = resolveDbPath(values.db, io.cwd, git.root);
  let baseline: Baseline | undefined;
  if (values.baseline !== undefined) {
    if (values.baseline === "") throw new UsageError("--baseline needs a git ref or commit");
    baseline = { ref: values.baseline, commit: await resolveGitRef(repository, values.baseline) };
  }

  // A regression gate with nothing to compare must not pass: a wrong --db or PATH would hide every regression.
  if (thresholds !== undefined && !fs.existsSync(dbPath)) throw new UsageError(`--fail-on-regression: no metrics database at ${dbPath}; record measurements first (shipshape build, bench or layers), or give the repository's PATH or --db`);
  let rows: MeasurementRow[];
  try {
    rows = await readMeasurements(dbPath, values.image, busyTimeoutMs);
  } catch (error) {
    if (error instanceof MetricsStoreError) {
      io.stderr(`shipshape: ${error.message}\n`);
      return 2;
    }
    throw error;
  }

  const series = groupSeries(rows);
  const regression = thresholds === undefined ? undefined : checkRegressions(series, thresholds, baseline);
  const report = buildHistory(series, { database: dbPath, image: values.image, baseline, regression });
  const budgetLines = historyBudgets(report, io, repository);
  if (format === "json") io.stdout(budgetLines.length === 0 ? renderHistoryJson(report) : `${JSON.stringify({ ...(JSON.parse(renderHistoryJson(report)) as object), budgets: budgetLines }, null, 2)}\n`);
  else if (format === "markdown") io.stdout(renderHistoryMarkdown(report) + (budgetLines.length > 0 ? `\n## Budgets\n\n${budgetLines.map((line) => `- ${line}`).join("\n")}\n` : ""));
  else io.stdout(renderHistoryTty(report, { color: shouldUseColor(io.env, io.isTTY) }) + (budgetLines.length > 0 ? `\nBudgets (budgets: in the config):\n${budgetLines.map((line) => `  ${line}`).join("\n")}\n` : ""));
  return regression?.regressed === true ? 1 : 0;
}

/** A missing database is an empty history, not an error: nothing has been recorded yet (and nothing is created). */
async function readMeasurements(dbPath: string, image: string | undefined, busyTimeoutMs: number): Promise<MeasurementRow[]> {
  if (!fs.existsSync(dbPath)) return [];
  const sqlite = await loadSqlite();
  // Read-only: history never changes the file (no WAL switch, no migration, no -wal/-shm files).
  const db = openMetricsDatabase(sqlite, dbPath, { busyTimeoutMs, readOnly: true });
  try {
    return queryMeasurements(db, image === undefined ? {} : { image });
  } catch (error) {
    throw describeSqliteError(error, dbPath, busyTimeoutMs);
  } finally {
    db.close();
  }
}

function isDirectory(candidate: string): boolean {
  try {
    return fs.statSync(candidate).isDirectory();
  } catch {
    return false;
  }
}

function parseBusyTimeout(text: string | undefined): number {
  if (text === undefined || text === "") return DEFAULT_BUSY_TIMEOUT_MS;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new UsageError(`${BUSY_TIMEOUT_ENV} must be a whole number of milliseconds`);
  return value;
}

export const HISTORY_OPTIONS = `Options:
  --db PATH                          metrics database (default: .shipshape/metrics.db under the repository root)
  --image NAME                       only this image
  --format tty|json|markdown         output format (default: tty)
  --fail-on-regression size=10%,time=20%
                                     exit 1 when the latest run grew more than this vs the previous run on
                                     the same branch (size: sizeBytes; time: durationMs, medianMs)
  --baseline REF                     compare with the latest run recorded at this git ref/commit instead
`;

export const HISTORY_HELP = commandHelp({
  usage: "shipshape history [PATH] [options]",
  summary: "Trends per image from the metrics database of the repository at PATH (default: the current directory):\n.shipshape/metrics.db under its git root, written by build, bench, layers and verify.",
  options: HISTORY_OPTIONS,
  examples: ["shipshape history", "shipshape history --image shipshape/shop-api:latest --format markdown", "shipshape history . --fail-on-regression size=10%,time=20% --baseline main"],
  exitCodes: "0 ok, 1 a regression above the --fail-on-regression thresholds, 2 usage error or an unusable (or, with\n--fail-on-regression, missing) database.",
});
