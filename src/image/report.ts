// Reporters for `shipshape layers`: pure functions from the analysis (and the CI checks, when
// --ci ran) to text. Paths and history come from the image, so they are escaped for the terminal
// or Markdown like any other foreign text.
import { escapeMarkdown, sanitizeTerminal } from "../report/escape.ts";
import type { CiCheck, ImageAnalysis, LayerAnalysis } from "./analysis.ts";
import { alignColumns, formatBytes, formatPercent, paint } from "../format/index.ts";

export interface LayersReport {
  analysis: ImageAnalysis;
  /** Present when --ci ran. */
  ci?: CiCheck[];
}

export const LAYERS_FORMATS = ["tty", "json", "markdown"] as const;
export type LayersFormat = (typeof LAYERS_FORMATS)[number];

export function ciPassed(checks: readonly CiCheck[]): boolean {
  return checks.every((check) => check.passed);
}

const CI_DESCRIPTIONS: Record<CiCheck["rule"], { comparison: string; format: (value: number) => string }> = {
  lowestEfficiency: { comparison: "efficiency >=", format: (value) => value.toFixed(4) },
  highestWastedBytes: { comparison: "wasted bytes <=", format: (value) => `${value} (${formatBytes(value)})` },
  highestUserWastedPercent: { comparison: "user wasted <=", format: (value) => (Number.isFinite(value) ? value.toFixed(4) : "Infinity") },
};

function describeCheck(check: CiCheck): string {
  const description = CI_DESCRIPTIONS[check.rule];
  return `${check.rule}: ${description.comparison} ${description.format(check.threshold)} (actual ${description.format(check.actual)})`;
}

function changeCell(count: { files: number; bytes: number }, sign: string): string {
  return count.files === 0 ? "-" : `${sign}${count.files} (${formatBytes(count.bytes)})`;
}

function layerCount(count: number): string {
  return count === 1 ? "1 layer" : `${count} layers`;
}

function displayPath(path: string): string {
  return `/${path}`;
}

// ---- tty ------------------------------------------------------------------------------------

export interface LayersTtyOptions {
  color: boolean;
  /** Terminal width for the instruction column (default 120). */
  width?: number;
  /** Wasted paths to list (default 10). */
  topPaths?: number;
}

function table(rows: string[][], rightAligned: ReadonlySet<number>): string[] {
  return alignColumns(rows, { rightAligned });
}

function truncate(text: string, width: number): string {
  const characters = [...text];
  return characters.length <= width ? text : `${characters.slice(0, Math.max(1, width - 1)).join("")}…`;
}

export function renderLayersTty(report: LayersReport, options: LayersTtyOptions): string {
  const { analysis } = report;
  const bold = (text: string): string => paint(options.color, "bold", text);
  const out: string[] = [];
  out.push(bold(`${sanitizeTerminal(analysis.reference)}  (${analysis.format}, ${layerCount(analysis.layers.length)})`), "");

  const header = ["#", "SIZE", "ADDED", "MODIFIED", "REMOVED", "HIDDEN LATER", "INSTRUCTION"];
  const rows = analysis.layers.map((layer: LayerAnalysis) => [
    String(layer.index),
    formatBytes(layer.sizeBytes),
    changeCell(layer.added, "+"),
    changeCell(layer.modified, "~"),
    changeCell(layer.removed, "-"),
    layer.hiddenByLaterBytes === 0 ? "-" : formatBytes(layer.hiddenByLaterBytes),
    sanitizeTerminal(layer.instruction),
  ]);
  const lines = table([header, ...rows], new Set([0, 1, 5]));
  const width = options.width ?? 120;
  lines.forEach((line, index) => out.push(index === 0 ? bold(line) : truncate(line, width)));
  out.push("");

  const summary: [string, string][] = [
    ["Image size", `${formatBytes(analysis.sizeBytes)} (final filesystem ${formatBytes(analysis.finalSizeBytes)})`],
    ["Reclaimable", `${formatBytes(analysis.reclaimableBytes)} overwritten or removed by a later layer`],
    ["Efficiency", formatPercent(analysis.efficiency, 2)],
    ["Wasted bytes", `${formatBytes(analysis.wastedBytes)} (dive: all copies of paths stored in 2+ layers)`],
    ["User wasted", `${formatPercent(analysis.userWastedPercent, 2)} of ${formatBytes(analysis.userSizeBytes)} above the first layer`],
  ];
  const labelWidth = Math.max(...summary.map(([label]) => label.length));
  for (const [label, value] of summary) out.push(`${label.padEnd(labelWidth)}  ${value}`);

  const top = analysis.topWastedPaths.slice(0, options.topPaths ?? 10);
  if (top.length > 0) {
    out.push("", bold(`Top wasted paths (${analysis.inefficientPaths} paths in 2+ layers)`));
    const pathRows = top.map((entry) => [String(entry.layers.length), formatBytes(entry.cumulativeBytes), truncate(sanitizeTerminal(displayPath(entry.path)), width)]);
    for (const line of table([["COUNT", "TOTAL", "PATH"], ...pathRows], new Set([0, 1]))) out.push(`  ${line}`);
  }

  if (report.ci !== undefined) {
    out.push("", bold("CI checks"));
    for (const check of report.ci) {
      const status = check.passed ? paint(options.color, "green", "PASS") : paint(options.color, "red", "FAIL");
      out.push(`  ${status}  ${describeCheck(check)}`);
    }
    const failed = report.ci.filter((check) => !check.passed).length;
    out.push(
      report.ci.length === 0
        ? "  no thresholds set"
        : failed === 0
          ? `Result: PASS (${report.ci.length} checks)`
          : `Result: FAIL (${failed} of ${report.ci.length} checks failed)`,
    );
  }
  return `${out.join("\n")}\n`;
}

// ---- json -----------------------------------------------------------------------------------

/** JSON has no Infinity: userWastedPercent is null when the user layers hold no bytes but waste does. */
export function renderLayersJson(report: LayersReport): string {
  const { analysis } = report;
  const document = {
    reference: analysis.reference,
    format: analysis.format,
    sizeBytes: analysis.sizeBytes,
    userSizeBytes: analysis.userSizeBytes,
    finalSizeBytes: analysis.finalSizeBytes,
    reclaimableBytes: analysis.reclaimableBytes,
    efficiency: analysis.efficiency,
    wastedBytes: analysis.wastedBytes,
    userWastedPercent: Number.isFinite(analysis.userWastedPercent) ? analysis.userWastedPercent : null,
    inefficientPaths: analysis.inefficientPaths,
    layers: analysis.layers,
    topWastedPaths: analysis.topWastedPaths.map((entry) => ({ ...entry, path: displayPath(entry.path) })),
    ...(report.ci === undefined
      ? {}
      : { ci: { passed: ciPassed(report.ci), checks: report.ci.map((check) => ({ ...check, actual: Number.isFinite(check.actual) ? check.actual : null })) } }),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

// ---- markdown -------------------------------------------------------------------------------

function code(text: string): string {
  // A code span cannot be broken out of when it is fenced by more backticks than it contains.
  const clean = sanitizeTerminal(text).replace(/\|/g, "\\|");
  const longest = Math.max(0, ...[...clean.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = "`".repeat(longest + 1);
  return clean.trim() === "" ? "" : `${fence} ${clean} ${fence}`;
}

export function renderLayersMarkdown(report: LayersReport): string {
  const { analysis } = report;
  const out: string[] = [];
  out.push(`## Layers of ${escapeMarkdown(analysis.reference)}`, "");
  out.push(`${escapeMarkdown(analysis.format)}, ${layerCount(analysis.layers.length)}.`, "");
  out.push("| Metric | Value |", "| --- | --- |");
  out.push(`| Image size | ${formatBytes(analysis.sizeBytes)} |`);
  out.push(`| Final filesystem | ${formatBytes(analysis.finalSizeBytes)} |`);
  out.push(`| Reclaimable (overwritten or removed later) | ${formatBytes(analysis.reclaimableBytes)} |`);
  out.push(`| Efficiency | ${formatPercent(analysis.efficiency, 2)} |`);
  out.push(`| Wasted bytes (dive) | ${formatBytes(analysis.wastedBytes)} |`);
  out.push(`| User wasted | ${formatPercent(analysis.userWastedPercent, 2)} |`, "");

  out.push("| # | Size | Added | Modified | Removed | Hidden later | Instruction |", "| ---: | ---: | --- | --- | --- | ---: | --- |");
  for (const layer of analysis.layers) {
    out.push(
      `| ${layer.index} | ${formatBytes(layer.sizeBytes)} | ${changeCell(layer.added, "+")} | ${changeCell(layer.modified, "~")} | ${changeCell(layer.removed, "-")} | ${layer.hiddenByLaterBytes === 0 ? "-" : formatBytes(layer.hiddenByLaterBytes)} | ${code(truncate(layer.instruction, 200))} |`,
    );
  }

  if (analysis.topWastedPaths.length > 0) {
    out.push("", "| Count | Total | Path |", "| ---: | ---: | --- |");
    for (const entry of analysis.topWastedPaths.slice(0, 10)) out.push(`| ${entry.layers.length} | ${formatBytes(entry.cumulativeBytes)} | ${code(displayPath(entry.path))} |`);
  }

  if (report.ci !== undefined) {
    out.push("", `**CI: ${ciPassed(report.ci) ? "pass" : "fail"}**`, "");
    for (const check of report.ci) out.push(`- ${check.passed ? "pass" : "**fail**"}: ${escapeMarkdown(describeCheck(check))}`);
  }
  return `${out.join("\n")}\n`;
}

export function renderLayers(report: LayersReport, format: LayersFormat, options: LayersTtyOptions): string {
  if (format === "json") return renderLayersJson(report);
  if (format === "markdown") return renderLayersMarkdown(report);
  return renderLayersTty(report, options);
}
