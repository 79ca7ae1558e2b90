// Calibration of the size estimates: for every project bench:fix knows (test/fixtures/projects/*
// and the example shop's services), the audit's estimated saving for the image (the
// de-duplicated per-image total, src/audit/estimates.ts) against the measured saving of its
// verified fixes/rewrite: size(original) - size(what `shipshape fix --level rewrite` writes),
// both built by the engine. See bench/README.md.
//
//   npm run bench:estimates -- [--from-results FILE] [--only NAME[,NAME...]] [--no-shop] [--format table|json|markdown]
//
// --from-results reads the sizes from a previous `npm run bench:fix -- --format json` (or
// `bench:estimates --format json`) output instead of building; projects missing from it are
// built. Exits 0 whatever the numbers (a benchmark, not a test); 2 when it cannot run.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { auditRepository } from "../src/audit/run.ts";
import { ApiEngine } from "../src/engine/api-engine.ts";
import type { Engine } from "../src/engine/types.ts";
import { scanDirectory } from "../src/repo/scan.ts";
import { buildRepositoryView } from "../src/repo/view.ts";
import type { Project } from "./fix.ts";
import { evaluate, fixtureProjects, shopProjects } from "./fix.ts";

/** The calibration goal: this share of projects with an estimate within [LOW, HIGH] x the measured saving. */
export const GOAL = { share: 0.8, low: 0.5, high: 2 } as const;
/** Savings below this (MB) on both sides mean "nothing to save": estimate and measurement agree. */
export const NOTHING_MB = 5;

const USAGE = `usage: node bench/estimates.ts [--from-results FILE] [--only NAME[,NAME...]] [--no-shop] [--format table|json|markdown]
  --from-results FILE  sizes from a previous bench:fix (or bench:estimates) --format json output; missing projects are built
  --only NAME          only these projects (fixture directory names, or shop/<service>); repeatable
  --no-shop            leave out the example shop's services
  --format F           table (default), json or markdown`;

interface Options {
  fromResults?: string;
  only: string[];
  shop: boolean;
  format: "table" | "json" | "markdown";
}

function parseOptions(argv: string[]): Options {
  const options: Options = { only: [], shop: true, format: "table" };
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index] as string;
    const value = (): string => {
      if (flag.includes("=")) return flag.slice(flag.indexOf("=") + 1);
      const next = argv[++index];
      if (next === undefined) fail(`${flag} needs a value`);
      return next;
    };
    if (flag === "--from-results" || flag.startsWith("--from-results=")) options.fromResults = value();
    else if (flag === "--only" || flag.startsWith("--only=")) options.only.push(...value().split(",").filter((name) => name !== ""));
    else if (flag === "--no-shop") options.shop = false;
    else if (flag === "--format" || flag.startsWith("--format=")) {
      const format = value();
      if (format !== "table" && format !== "json" && format !== "markdown") fail(`--format is table, json or markdown, got ${format}`);
      options.format = format;
    } else if (flag === "--help" || flag === "-h") {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else fail(`unknown option ${flag}\n${USAGE}`);
  }
  return options;
}

function fail(message: string): never {
  process.stderr.write(`bench:estimates: ${message}\n`);
  process.exit(2);
}

/** What a bench:fix / bench:estimates JSON result holds per project, as far as sizes go. */
const SideSchema = z.object({ ok: z.boolean(), sizeBytes: z.number().optional() }).passthrough();
const ResultsSchema = z.object({
  projects: z.array(
    z
      .object({
        name: z.string(),
        status: z.string(),
        before: SideSchema.optional(),
        after: SideSchema.optional(),
        verify: z.object({ ok: z.boolean() }).passthrough().optional(),
        skipped: z.string().optional(),
      })
      .passthrough(),
  ),
});

export interface Measurement {
  status: string;
  beforeBytes?: number;
  afterBytes?: number;
  /** The rewrite built and verified equivalent (or nothing changed). */
  verified: boolean;
  skipped?: string;
}

export function measurementsFromResults(json: unknown): Map<string, Measurement> {
  const parsed = ResultsSchema.parse(json);
  const measurements = new Map<string, Measurement>();
  for (const project of parsed.projects) {
    const measurement: Measurement = { status: project.status, verified: project.status === "unchanged" ? project.before?.ok === true : project.verify?.ok === true };
    if (project.before?.sizeBytes !== undefined) measurement.beforeBytes = project.before.sizeBytes;
    if (project.after?.sizeBytes !== undefined) measurement.afterBytes = project.after.sizeBytes;
    if (project.skipped !== undefined) measurement.skipped = project.skipped;
    measurements.set(project.name, measurement);
  }
  return measurements;
}

export interface EstimateRow {
  name: string;
  status: string;
  /** The audit's de-duplicated per-image estimate (MB). */
  estimateMB: number;
  /** The plain sum of the findings' figures (MB), what reports showed before per-image totals. */
  sumOfFindingsMB: number;
  /** size(original) - size(fixed), MB; undefined when not measured. */
  measuredMB?: number;
  beforeMB?: number;
  afterMB?: number;
  verified: boolean;
  /** estimate / measured; undefined when both are about nothing or nothing was measured. */
  ratio?: number;
  within?: boolean;
  /** The same for the plain sum of the findings. */
  sumWithin?: boolean;
  note?: string;
}

/** The audit's estimate for one project's image: its Dockerfile's de-duplicated total and the findings' sum. */
export function estimateFor(project: Project): { estimateMB: number; sumOfFindingsMB: number } {
  const viewOptions = { isIgnoredPath: (file: string) => path.posix.basename(file) === "expected.Dockerfile" };
  const audit = auditRepository(buildRepositoryView(scanDirectory(project.repositoryRoot), viewOptions));
  const file = audit.files.find((candidate) => candidate.path === project.dockerfilePath);
  const sumOfFindingsMB = (file?.findings ?? []).reduce((sum, finding) => sum + (finding.estimatedSavingMB ?? 0), 0);
  return { estimateMB: file?.estimatedSavingMB ?? sumOfFindingsMB, sumOfFindingsMB };
}

/** Whether an estimate agrees with a measured saving: within [low, high] x, or both about nothing. */
export function agrees(estimateMB: number, measuredMB: number): { within: boolean; ratio?: number } {
  if (measuredMB < NOTHING_MB) return { within: estimateMB < NOTHING_MB };
  const ratio = estimateMB / measuredMB;
  return { ratio, within: ratio >= GOAL.low && ratio <= GOAL.high };
}

export function makeRow(name: string, estimate: { estimateMB: number; sumOfFindingsMB: number }, measurement: Measurement | undefined): EstimateRow {
  const row: EstimateRow = { name, status: measurement?.status ?? "not measured", ...estimate, verified: measurement?.verified ?? false };
  if (measurement?.skipped !== undefined) return { ...row, note: `skipped: ${measurement.skipped}` };
  if (measurement?.beforeBytes === undefined || measurement.afterBytes === undefined) return { ...row, note: "no sizes (a side did not build)" };
  row.beforeMB = measurement.beforeBytes / 1e6;
  row.afterMB = measurement.afterBytes / 1e6;
  row.measuredMB = row.beforeMB - row.afterMB;
  if (!measurement.verified) return { ...row, note: "the fix did not verify: not counted" };
  const { within, ratio } = agrees(row.estimateMB, row.measuredMB);
  row.within = within;
  if (ratio !== undefined) row.ratio = ratio;
  row.sumWithin = agrees(row.sumOfFindingsMB, row.measuredMB).within;
  if (ratio === undefined) row.note = within ? "both about nothing: agree" : "nothing measured";
  return row;
}

export interface CalibrationSummary {
  projects: number;
  counted: number;
  within: number;
  share?: number;
  sumWithin: number;
  sumShare?: number;
  estimateTotalMB: number;
  sumOfFindingsTotalMB: number;
  measuredTotalMB: number;
  goal: boolean;
}

export function summarize(rows: readonly EstimateRow[]): CalibrationSummary {
  const counted = rows.filter((row) => row.within !== undefined);
  const within = counted.filter((row) => row.within === true).length;
  const sumWithin = counted.filter((row) => row.sumWithin === true).length;
  const share = counted.length > 0 ? within / counted.length : undefined;
  return {
    projects: rows.length,
    counted: counted.length,
    within,
    ...(share !== undefined ? { share } : {}),
    sumWithin,
    ...(counted.length > 0 ? { sumShare: sumWithin / counted.length } : {}),
    estimateTotalMB: counted.reduce((sum, row) => sum + row.estimateMB, 0),
    sumOfFindingsTotalMB: counted.reduce((sum, row) => sum + row.sumOfFindingsMB, 0),
    measuredTotalMB: counted.reduce((sum, row) => sum + (row.measuredMB ?? 0), 0),
    goal: share !== undefined && share >= GOAL.share,
  };
}

const COLUMNS = ["project", "change", "estimate MB", "sum of findings MB", "before MB", "after MB", "measured MB", "ratio", "within 0.5-2x", "note"];
const NUMERIC = new Set([2, 3, 4, 5, 6, 7]);

function whole(value: number | undefined): string {
  return value === undefined ? "-" : Math.round(value).toString();
}

function cells(row: EstimateRow): string[] {
  return [
    row.name,
    row.status,
    whole(row.estimateMB),
    whole(row.sumOfFindingsMB),
    whole(row.beforeMB),
    whole(row.afterMB),
    whole(row.measuredMB),
    row.ratio === undefined ? "-" : `${row.ratio.toFixed(2)}x`,
    row.within === undefined ? "-" : row.within ? "yes" : "NO",
    row.note ?? "",
  ];
}

function summaryLines(summary: CalibrationSummary): string[] {
  const percent = (share: number | undefined): string => (share === undefined ? "-" : `${Math.round(share * 100)} %`);
  return [
    `projects: ${summary.projects}, measured and verified: ${summary.counted}`,
    `estimate within ${GOAL.low}x-${GOAL.high}x of the measured saving: ${summary.within} of ${summary.counted} (${percent(summary.share)}; goal >= ${GOAL.share * 100} %) — ${summary.goal ? "PASS" : "FAIL"}`,
    `  the plain sum of the findings' figures would be: ${summary.sumWithin} of ${summary.counted} (${percent(summary.sumShare)})`,
    `totals over those projects: estimate ${whole(summary.estimateTotalMB)} MB, sum of findings ${whole(summary.sumOfFindingsTotalMB)} MB, measured ${whole(summary.measuredTotalMB)} MB`,
  ];
}

export function renderTable(rows: readonly EstimateRow[], summary: CalibrationSummary): string {
  const table = [COLUMNS, ...rows.map(cells)];
  const widths = COLUMNS.map((_, column) => Math.max(...table.map((row) => (row[column] ?? "").length)));
  const line = (row: string[]): string => row.map((cell, column) => (NUMERIC.has(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0))).join("  ").trimEnd();
  return [...table.map(line), "", ...summaryLines(summary)].join("\n");
}

export function renderMarkdown(rows: readonly EstimateRow[], summary: CalibrationSummary): string {
  const escape = (cell: string): string => cell.replace(/\|/g, "\\|");
  const lines = [`| ${COLUMNS.join(" | ")} |`, `| ${COLUMNS.map((_, column) => (NUMERIC.has(column) ? "---:" : "---")).join(" | ")} |`];
  for (const row of rows) lines.push(`| ${cells(row).map(escape).join(" | ")} |`);
  return [...lines, "", ...summaryLines(summary).map((text) => (text.startsWith("  ") ? `  - ${text.trim()}` : `- ${text}`))].join("\n");
}

function asResult(name: string, measurement: Measurement): unknown {
  const side = (bytes: number | undefined): unknown => (bytes === undefined ? undefined : { ok: true, sizeBytes: bytes });
  return {
    name,
    status: measurement.status,
    before: side(measurement.beforeBytes),
    after: side(measurement.afterBytes),
    verify: { ok: measurement.verified },
    ...(measurement.skipped !== undefined ? { skipped: measurement.skipped } : {}),
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  let projects = [...fixtureProjects(), ...(options.shop ? shopProjects() : [])];
  if (options.only.length > 0) {
    const unknown = options.only.filter((name) => !projects.some((project) => project.name === name));
    if (unknown.length > 0) fail(`unknown project ${unknown.join(", ")}; known: ${projects.map((project) => project.name).join(", ")}`);
    projects = projects.filter((project) => options.only.includes(project.name));
  }
  let measurements = new Map<string, Measurement>();
  if (options.fromResults !== undefined) {
    try {
      measurements = measurementsFromResults(JSON.parse(fs.readFileSync(options.fromResults, "utf8")));
    } catch (error) {
      fail(`cannot read ${options.fromResults}: ${(error as Error).message}`);
    }
  }
  const started = performance.now();
  const progress = (line: string): void => {
    process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
  };
  let engine: Engine | undefined;
  const rows: EstimateRow[] = [];
  // Every measurement used, in the shape --from-results reads back.
  const used: unknown[] = [];
  for (const project of projects) {
    const estimate = estimateFor(project);
    let measurement = measurements.get(project.name);
    if (measurement === undefined && project.skip !== undefined) measurement = { status: "skipped", verified: false, skipped: project.skip };
    if (measurement === undefined) {
      if (!engine) {
        engine = new ApiEngine();
        try {
          await engine.ping();
        } catch (error) {
          fail(`no Docker Engine answers (and ${project.name} is not in --from-results): ${(error as Error).message}`);
        }
      }
      measurement = measurementsFromResults({ projects: [await evaluate(engine, project, 0, progress)] }).get(project.name);
    }
    if (measurement) used.push(asResult(project.name, measurement));
    rows.push(makeRow(project.name, estimate, measurement));
  }
  const summary = summarize(rows);
  const machine = `${os.cpus().length} cores, ${os.platform()} ${os.arch()}`;
  const durationSeconds = Math.round((performance.now() - started) / 1000);
  if (options.format === "json") process.stdout.write(`${JSON.stringify({ goal: GOAL, machine, durationSeconds, summary, rows, projects: used }, null, 2)}\n`);
  else if (options.format === "markdown") process.stdout.write(`${renderMarkdown(rows, summary)}\n`);
  else process.stdout.write(`${renderTable(rows, summary)}\n${durationSeconds} s, ${machine}\n`);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
