// What `shipshape fix` says after the diff or the writes. Pure: (result) => string.
import type { FixResult } from "./run-fixes.ts";
import { plural } from "../format/index.ts";

export interface FixReport {
  /** One entry per fixed repository (each PATH argument). */
  results: { displayRoot: string; result: FixResult }[];
  /** `--write`: the files were written; otherwise the diff was printed. */
  written: boolean;
  /** Files that could not be written, with the reason (only with --write). */
  writeFailures?: { path: string; reason: string }[];
}

export function joinDisplayPath(root: string, path: string): string {
  const clean = root.replace(/(?<!\/)\/+$/, "");
  return clean === "" || clean === "." ? path : `${clean}/${path}`;
}

export function renderFixSummary(report: FixReport): string {
  const applied = report.results.flatMap(({ result }) => result.applied);
  const changes = report.results.flatMap(({ displayRoot, result }) => result.changes.map((change) => ({ ...change, path: joinDisplayPath(displayRoot, change.path) })));
  const failures = report.writeFailures ?? [];
  const failed = new Set(failures.map((failure) => failure.path));
  const changed = changes.filter((change) => !failed.has(change.path));
  const created = changed.filter((change) => change.before === undefined).length;
  const lines: string[] = [];
  const rejectedCount = report.results.reduce((sum, { result }) => sum + result.rejected.length, 0);
  if (applied.length === 0 && rejectedCount > 0) lines.push(`shipshape fix: no fix ${report.written ? "applied" : "to apply"}; ${plural(rejectedCount, "file")} left as ${rejectedCount === 1 ? "it was" : "they were"} (below)`);
  else if (applied.length === 0) lines.push("shipshape fix: nothing to fix");
  else {
    const verb = report.written ? "changed" : "would change";
    const passes = Math.max(...report.results.map(({ result }) => result.passes));
    lines.push(`shipshape fix: ${plural(applied.length, "fix", "fixes")} ${report.written ? "applied" : "to apply"} in ${plural(passes, "pass", "passes")}; ${plural(changed.length, "file")} ${verb}${created > 0 ? ` (${created} created)` : ""}`);
    const byRule = new Map<string, number>();
    for (const fix of applied) byRule.set(fix.rule, (byRule.get(fix.rule) ?? 0) + 1);
    const width = Math.max(...[...byRule.keys()].map((rule) => rule.length));
    for (const [rule, count] of [...byRule].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) lines.push(`  ${rule.padEnd(width)}  ${count}`);
  }
  for (const failure of failures) lines.push(`not written: ${failure.path}: ${failure.reason}`);
  for (const { displayRoot, result } of report.results) {
    for (const rejected of result.rejected) lines.push(`${report.written ? "not written" : "would not be written"}: ${joinDisplayPath(displayRoot, rejected.path)}: ${rejected.reason}`);
  }

  const remaining = report.results.reduce((sum, { result }) => sum + result.remaining.summary.findings, 0);
  const unapplied = report.results.flatMap(({ displayRoot, result }) => result.unapplied.map((item) => ({ ...item, path: joinDisplayPath(displayRoot, item.path) })));
  const errors = report.results.flatMap(({ displayRoot, result }) => result.remaining.files.filter((file) => file.error !== undefined).map((file) => `${joinDisplayPath(displayRoot, file.path)}: could not be audited: ${file.error ?? ""}`));
  const remain = report.written || applied.length === 0 ? (remaining === 1 ? "remains" : "remain") : "would remain";
  lines.push(`${plural(remaining, "finding")} ${remain}${remaining > 0 ? " (`shipshape audit` explains each)" : ""}`);
  if (unapplied.length > 0) {
    lines.push(`${plural(unapplied.length, "fix", "fixes")} could not be applied (they kept colliding with other fixes):`);
    for (const item of unapplied) lines.push(`  ${item.path}:${item.finding.line} ${item.finding.rule}`);
  }
  const withheld = report.results.flatMap(({ result }) => result.withheld ?? []);
  if (withheld.length > 0) {
    const rules = [...new Set(withheld.map((item) => item.finding.rule))].sort();
    lines.push(`${plural(withheld.length, "fix", "fixes")} left for \`--level rewrite\` (they could change what the image contains or runs; review them, with \`--verify\`): ${rules.join(", ")}`);
  }
  // Worded as audit words them: the same file gives the same error in both commands.
  for (const error of errors) lines.push(`error: ${error}`);
  return `${lines.join("\n")}\n`;
}

