// Reporters for `shipshape bench`: pure functions from a BenchResult to text. tty (aligned
// columns, colour only when asked), json (the result plus the after/before ratios) and markdown
// (tables to paste in a pull request). Times are the median of the runs, min and max beside it.
import { formatBytes, formatDuration, formatPercent, paint, plural } from "../format/index.ts";
import { escapeMarkdown } from "../report/escape.ts";
import { sanitizeTerminal } from "../report/escape.ts";
import type { BenchResult, BenchSide, ScenarioMeasurement, ScenarioName, TargetBench } from "./result.ts";
import { SCENARIO_DESCRIPTIONS } from "./result.ts";
import { ratio } from "./statistics.ts";

export const BENCH_FORMATS = ["tty", "json", "markdown"] as const;
export type BenchFormat = (typeof BENCH_FORMATS)[number];

export function isBenchFormat(value: string): value is BenchFormat {
  return (BENCH_FORMATS as readonly string[]).includes(value);
}

export const BENCH_JSON_VERSION = 1;

export function formatRatio(value: number | undefined): string {
  return value === undefined ? "-" : `${value.toFixed(2)}×`;
}

/** after / before of one scenario's median time. */
export function scenarioRatio(target: TargetBench, scenario: ScenarioName): number | undefined {
  const before = target.before.scenarios.find((entry) => entry.scenario === scenario);
  const after = target.after?.scenarios.find((entry) => entry.scenario === scenario);
  return ratio(before?.medianMs, after?.medianMs);
}

function changeText(measurement: ScenarioMeasurement): string {
  if (measurement.changedFile === undefined) return SCENARIO_DESCRIPTIONS[measurement.scenario];
  return measurement.scenario === "code" ? `${measurement.changedFile}: comment appended` : `${measurement.changedFile}: non-dependency change`;
}

function timeCell(measurement: ScenarioMeasurement | undefined): string {
  if (!measurement) return "-";
  if (measurement.status === "skipped") return "skipped";
  if (measurement.status === "failed") return "failed";
  return measurement.medianMs === undefined ? "-" : formatDuration(measurement.medianMs);
}

function rangeCell(measurement: ScenarioMeasurement | undefined): string {
  if (measurement?.minMs === undefined || measurement.maxMs === undefined) return "-";
  return `${formatDuration(measurement.minMs)} – ${formatDuration(measurement.maxMs)}`;
}

function cacheCell(measurement: ScenarioMeasurement | undefined): string {
  if (measurement?.cacheHitRatio === undefined) return "-";
  const last = measurement.runs.at(-1);
  return last ? `${formatPercent(measurement.cacheHitRatio, 0)} (${last.cachedSteps}/${last.totalSteps})` : formatPercent(measurement.cacheHitRatio, 0);
}

function sizeCell(side: BenchSide | undefined): string {
  return side?.sizeBytes === undefined ? "-" : formatBytes(side.sizeBytes);
}

/** Rows of a target's table, header first; the same cells for tty and markdown. */
export function benchTable(target: TargetBench): string[][] {
  const rows: string[][] = [];
  if (!target.after) {
    rows.push(["scenario", "median", "min – max", "cache hits", "what changed"]);
    for (const measurement of target.before.scenarios) {
      rows.push([measurement.scenario, timeCell(measurement), rangeCell(measurement), cacheCell(measurement), changeText(measurement)]);
    }
    rows.push(["image size", sizeCell(target.before), "", "", ""]);
    return rows;
  }
  const after = target.after;
  rows.push(["scenario", `before: ${target.before.name}`, `after: ${after.name}`, "after/before", "cache before", "cache after"]);
  for (const before of target.before.scenarios) {
    const afterMeasurement = after.scenarios.find((entry) => entry.scenario === before.scenario);
    rows.push([before.scenario, timeCell(before), timeCell(afterMeasurement), formatRatio(scenarioRatio(target, before.scenario)), cacheCell(before), cacheCell(afterMeasurement)]);
  }
  rows.push(["image size", sizeCell(target.before), sizeCell(after), formatRatio(ratio(target.before.sizeBytes, after.sizeBytes)), "", ""]);
  return rows;
}

/** Skipped and failed scenarios, with their reasons. */
function problems(target: TargetBench): { side: string; scenario: ScenarioName; status: string; reason: string }[] {
  const sides = [target.before, ...(target.after ? [target.after] : [])];
  return sides.flatMap((side) =>
    side.scenarios.filter((entry) => entry.status !== "measured").map((entry) => ({ side: side.label, scenario: entry.scenario, status: entry.status, reason: entry.reason ?? "" })),
  );
}

function heading(target: TargetBench, result: BenchResult): string {
  const runs = `${plural(result.runs, "run")} per scenario`;
  const sideNames = target.after ? `before: ${target.before.dockerfileSource}, after: ${target.after.dockerfileSource}` : target.before.dockerfileSource;
  return `${target.name} (${target.origin}; ${sideNames}; ${runs})`;
}

function changedFiles(target: TargetBench): string | undefined {
  const changed = target.before.scenarios.filter((entry) => entry.changedFile !== undefined && entry.status !== "skipped").map((entry) => `${entry.scenario}: ${entry.changedFile}`);
  return changed.length > 0 ? changed.join(", ") : undefined;
}

export interface BenchTtyOptions {
  color: boolean;
}

export function renderBenchTty(result: BenchResult, options: BenchTtyOptions): string {
  const bold = (text: string): string => paint(options.color, "bold", text);
  const dim = (text: string): string => paint(options.color, "dim", text);
  const tint = (text: string, value: number | undefined): string => {
    if (value === undefined || Math.abs(value - 1) < 0.05) return text;
    return paint(options.color, value < 1 ? "green" : "red", text);
  };
  const out: string[] = [];
  for (const target of result.targets) {
    out.push(bold(sanitizeTerminal(heading(target, result))));
    const rows = benchTable(target).map((row) => row.map((cell) => sanitizeTerminal(cell)));
    const widths = (rows[0] ?? []).map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length)));
    rows.forEach((row, rowIndex) => {
      const cells = row.map((cell, column) => {
        const padded = column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0);
        if (rowIndex === 0) return dim(padded);
        if (target.after && column === 3) {
          const scenario = target.before.scenarios[rowIndex - 1]?.scenario;
          const value = scenario !== undefined ? scenarioRatio(target, scenario) : ratio(target.before.sizeBytes, target.after.sizeBytes);
          return tint(padded, value);
        }
        return padded;
      });
      out.push(`  ${cells.join("  ")}`.trimEnd());
    });
    const changed = target.after ? changedFiles(target) : undefined;
    if (changed) out.push(dim(`  changed: ${sanitizeTerminal(changed)}`));
    for (const problem of problems(target)) {
      const [first = "", ...rest] = sanitizeTerminal(problem.reason, { keepNewlines: true }).split("\n");
      out.push(`  ${problem.scenario}${target.after ? ` (${problem.side})` : ""} ${problem.status}: ${first}`);
      for (const line of rest) out.push(dim(`      ${line}`));
    }
    out.push("");
  }
  out.push(dim("Times: wall clock of the timed build, median (min – max) over the runs. Cache hits: Dockerfile steps served from cache (FROM excluded), last run in brackets."));
  return `${out.join("\n")}\n`;
}

export interface BenchJson extends BenchResult {
  version: number;
  comparisons: { target: string; scenarios: { scenario: ScenarioName; timeRatio: number | null }[]; sizeRatio: number | null }[];
}

export function toBenchJson(result: BenchResult): BenchJson {
  const comparisons = result.targets
    .filter((target) => target.after !== undefined)
    .map((target) => ({
      target: target.name,
      scenarios: target.before.scenarios.map((entry) => ({ scenario: entry.scenario, timeRatio: scenarioRatio(target, entry.scenario) ?? null })),
      sizeRatio: ratio(target.before.sizeBytes, target.after?.sizeBytes) ?? null,
    }));
  return { version: BENCH_JSON_VERSION, ...result, comparisons };
}

export function renderBenchJson(result: BenchResult): string {
  return `${JSON.stringify(toBenchJson(result), null, 2)}\n`;
}

export function renderBenchMarkdown(result: BenchResult): string {
  const out: string[] = ["# Build benchmark", ""];
  for (const target of result.targets) {
    out.push(`## ${escapeMarkdown(heading(target, result), { lineBreaks: "space" })}`, "");
    const rows = benchTable(target).map((row) => row.map((cell) => escapeMarkdown(cell, { lineBreaks: "space" })));
    const [header = [], ...body] = rows;
    out.push(`| ${header.join(" | ")} |`, `|${header.map((cell, column) => (column === 0 || cell === "what changed" ? "---" : "---:")).join("|")}|`);
    for (const row of body) out.push(`| ${row.join(" | ")} |`);
    out.push("");
    const changed = target.after ? changedFiles(target) : undefined;
    if (changed) out.push(`Changed: ${escapeMarkdown(changed, { lineBreaks: "space" })}`, "");
    for (const problem of problems(target)) {
      const [first = "", ...rest] = problem.reason.split("\n");
      out.push(`- ${problem.scenario}${target.after ? ` (${problem.side})` : ""} ${problem.status}: ${escapeMarkdown(first, { lineBreaks: "space" })}`);
      if (rest.length > 0) out.push("", "  ```text", ...rest.map((line) => `  ${line.replace(/```/g, "` ` `")}`), "  ```");
    }
    if (problems(target).length > 0) out.push("");
  }
  out.push("Times are the wall clock of the timed build: median over the runs, min and max beside it. Cache hits count the Dockerfile steps served from the build cache (FROM excluded).");
  return `${out.join("\n")}\n`;
}

export function renderBench(format: BenchFormat, result: BenchResult, options: BenchTtyOptions): string {
  if (format === "json") return renderBenchJson(result);
  if (format === "markdown") return renderBenchMarkdown(result);
  return renderBenchTty(result, options);
}
