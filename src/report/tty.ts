// `--format tty` (the default) and `shipshape rules`: findings grouped by file, each located as
// `path:line` (`path:line:column`), which terminals and editors make clickable. ANSI colour only
// when the caller says so: deciding (NO_COLOR, FORCE_COLOR, isTTY) is the CLI's job, with
// shouldUseColor below. Text from the audited files is passed through sanitizeTerminal, so a
// message or a file name cannot emit escape sequences of its own.
import type { AuditResult, FileResult, Finding } from "../audit/result.ts";
import type { Impact } from "../rules/types.ts";
import { IMPACTS } from "../rules/types.ts";
import { paint, plural } from "../format/index.ts";
import { sanitizeTerminal } from "./escape.ts";
import type { RuleSource } from "./json.ts";
import { ruleDocsUrl, ruleMetas } from "./json.ts";

export interface TtyOptions {
  color: boolean;
  /** Rule metadata: when given, the rules that reported something are listed with their docs. */
  rules?: readonly RuleSource[];
}

// Where colour is decided lives with the other formatting; re-exported for the commands.
export { shouldUseColor } from "../format/index.ts";

interface Paint {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  impact(impact: Impact, text: string): string;
}

function painter(color: boolean): Paint {
  return {
    bold: (text) => paint(color, "bold", text),
    dim: (text) => paint(color, "dim", text),
    red: (text) => paint(color, "red", text),
    impact: (impact, text) => {
      if (impact === "high") return paint(color, "bold", paint(color, "red", text));
      return paint(color, impact === "medium" ? "yellow" : "cyan", text);
    },
  };
}

const IMPACT_WIDTH = Math.max(...IMPACTS.map((impact) => impact.length));

export function renderTty(result: AuditResult, options: TtyOptions): string {
  const paint = painter(options.color);
  const out: string[] = [];
  const shown = result.files.filter((file) => file.error !== undefined || file.findings.length > 0);

  for (const file of shown) {
    out.push(...renderFile(file, paint), "");
  }

  if (options.rules !== undefined) {
    const legend = rulesLegend(result.files, options.rules, paint);
    if (legend.length > 0) out.push(...legend, "");
  }

  out.push(summaryLine(result, paint));
  return `${out.join("\n")}\n`;
}

function renderFile(file: FileResult, paint: Paint): string[] {
  const path = sanitizeTerminal(file.path);
  const lines = [paint.bold(path)];
  if (file.error !== undefined) lines.push(`  ${paint.red(`error: could not be audited: ${sanitizeTerminal(file.error)}`)}`);
  const locations = file.findings.map((finding) => location(path, finding));
  const width = Math.max(0, ...locations.map((text) => text.length));
  file.findings.forEach((finding, index) => {
    const where = (locations[index] ?? "").padEnd(width);
    const extras: string[] = [];
    if (finding.estimatedSavingMB !== undefined && finding.estimatedSavingMB > 0) extras.push(`~${finding.estimatedSavingMB} MB estimated saving`);
    if (finding.fixable) extras.push("fixable");
    const tail = extras.length > 0 ? `  ${paint.dim(`(${extras.join(", ")})`)}` : "";
    lines.push(`  ${where}  ${paint.impact(finding.impact, finding.impact.padEnd(IMPACT_WIDTH))}  ${paint.bold(finding.rule)}${tail}`);
    const message = sanitizeTerminal(finding.message, { keepNewlines: true }).split("\n");
    for (const line of message) lines.push(`    ${line}`);
  });
  const findingsSum = file.findings.reduce((sum, finding) => sum + (finding.estimatedSavingMB ?? 0), 0);
  if (file.estimatedSavingMB !== undefined && findingsSum > 0) {
    const overlap = file.estimatedSavingMB < findingsSum ? `, overlapping findings counted once (their sum: ~${findingsSum} MB)` : "";
    lines.push(`  ${paint.dim(`image total: ~${file.estimatedSavingMB} MB estimated saving${overlap}; an estimate, not measured`)}`);
  }
  return lines;
}

function location(path: string, finding: Finding): string {
  return finding.column !== undefined ? `${path}:${finding.line}:${finding.column}` : `${path}:${finding.line}`;
}

function rulesLegend(files: readonly FileResult[], rules: readonly RuleSource[], paint: Paint): string[] {
  const used = new Set(files.flatMap((file) => file.findings.map((finding) => finding.rule)));
  const metas = ruleMetas(rules).filter((meta) => used.has(meta.id));
  if (metas.length === 0) return [];
  const width = Math.max(...metas.map((meta) => meta.id.length));
  return [
    paint.bold("Rules"),
    ...metas.map((meta) => `  ${meta.id.padEnd(width)}  ${meta.description}`),
    `  ${paint.dim(`docs: ${ruleDocsUrl("<id>")}`)}`,
  ];
}

function summaryLine(result: AuditResult, paint: Paint): string {
  const { summary } = result;
  const findings = result.files.reduce((sum, file) => sum + file.findings.length, 0);
  const parts: string[] = [];
  if (findings === 0) parts.push(`No findings in ${plural(summary.files, "file")}`);
  else {
    const byImpact = IMPACTS.map((impact) => paint.impact(impact, `${summary.byImpact[impact] ?? 0} ${impact}`)).join(", ");
    const filesWithFindings = result.files.filter((file) => file.findings.length > 0).length;
    parts.push(`${paint.bold(plural(findings, "finding"))} (${byImpact}) in ${filesWithFindings} of ${plural(summary.files, "file")}`);
  }
  if (summary.filesWithErrors > 0) parts.push(paint.red(`${plural(summary.filesWithErrors, "file")} could not be audited`));
  if (summary.estimatedSavingMB > 0) parts.push(paint.dim(`~${summary.estimatedSavingMB} MB estimated saving (an estimate, not measured)`));
  parts.push(`${summary.suppressed} suppressed`);
  return parts.join(" · ");
}

export function renderRulesTable(rules: readonly RuleSource[], options: { color: boolean }): string {
  const paint = painter(options.color);
  const metas = ruleMetas(rules);
  const header = ["id", "impact", "category", "hadolint", "fixable"];
  const rows = metas.map((meta) => [meta.id, meta.impact, meta.category, meta.hadolint.join(",") || "-", meta.fixable ? (meta.fixLevel ?? "rewrite") : "no"]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const format = (cells: string[], style: (cell: string, column: number) => string): string =>
    cells
      .map((cell, column) => style(column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0), column))
      .join("  ")
      .trimEnd();
  const lines = [format(header, (cell) => paint.bold(cell))];
  metas.forEach((meta, index) => {
    lines.push(format(rows[index] ?? [], (cell, column) => (column === 1 ? paint.impact(meta.impact, cell) : cell)));
  });
  lines.push("", paint.dim(`${plural(metas.length, "rule")}; docs: ${ruleDocsUrl("<id>")}`));
  return `${lines.join("\n")}\n`;
}

