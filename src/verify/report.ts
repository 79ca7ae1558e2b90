// Renders a VerifyResult: `tty` for people (colour only when asked, image-supplied text
// sanitised), `markdown` for pull requests, `json` for machines (docs/verify.md has the shape).
import { escapeMarkdown, escapeMarkdownTableMessage, sanitizeTerminal } from "../report/escape.ts";
import type { Difference, VerifyResult } from "./result.ts";
import { countDifferences } from "./result.ts";
import { paint as paintStyle, plural } from "../format/index.ts";
import type { Style } from "../format/index.ts";

export const VERIFY_FORMATS = ["tty", "json", "markdown"] as const;
export type VerifyFormat = (typeof VERIFY_FORMATS)[number];

export const VERIFY_JSON_SCHEMA_VERSION = 1;

export function renderVerify(format: VerifyFormat, result: VerifyResult, options: { color: boolean }): string {
  if (format === "json") return renderVerifyJson(result);
  if (format === "markdown") return renderVerifyMarkdown(result);
  return renderVerifyTty(result, options);
}

export function renderVerifyJson(result: VerifyResult): string {
  return `${JSON.stringify({ schemaVersion: VERIFY_JSON_SCHEMA_VERSION, ...result, differenceCount: countDifferences(result.differences) }, null, 2)}\n`;
}

function shortId(id: string): string {
  return id.replace(/^sha256:/, "").slice(0, 12);
}

const STATUS_TEXT = { passed: "ok  ", failed: "FAIL", skipped: "skip", inconclusive: "WARN" } as const;

export function renderVerifyTty(result: VerifyResult, options: { color: boolean }): string {
  const paint = (style: Style, text: string): string => paintStyle(options.color, style, text);
  const clean = (text: string): string => sanitizeTerminal(text);
  const lines: string[] = [];
  lines.push(`BEFORE ${clean(result.before.reference)} (${shortId(result.before.id)})`);
  lines.push(`AFTER  ${clean(result.after.reference)} (${shortId(result.after.id)})`);
  lines.push("");
  lines.push(paint("bold", "Checks"));
  const width = Math.max(...result.checks.map((check) => check.name.length));
  for (const check of result.checks) {
    const status = STATUS_TEXT[check.status];
    const colored = check.status === "failed" ? paint("red", status) : check.status === "passed" ? paint("green", status) : check.status === "inconclusive" ? paint("yellow", status) : paint("dim", status);
    lines.push(`  ${colored} ${check.name.padEnd(width)}  ${clean(check.detail)}`);
  }
  const describe = (difference: Difference): void => {
    lines.push(`  ${paint("bold", `[${difference.kind}]`)} ${clean(difference.subject)}`);
    if (difference.before !== undefined) lines.push(`      before: ${clean(difference.before)}`);
    if (difference.after !== undefined) lines.push(`      after:  ${clean(difference.after)}`);
    lines.push(`      ${clean(difference.message)}`);
  };
  const real = result.differences.filter((difference) => difference.severity === "difference");
  const notes = result.differences.filter((difference) => difference.severity === "note");
  const allowed = result.differences.filter((difference) => difference.severity === "allowed");
  if (real.length > 0) {
    lines.push("", paint("bold", `Differences (${real.length})`));
    real.forEach(describe);
  }
  if (allowed.length > 0) {
    lines.push("", paint("bold", `Allowed (${allowed.length}): accepted with --allow, not counted as differences`));
    for (const difference of allowed) {
      describe(difference);
      lines.push(`      allowed by: ${clean(difference.allowedBy ?? "")}`);
    }
  }
  if (notes.length > 0) {
    lines.push("", paint("bold", `Notes (${notes.length}): reported, not counted as differences`));
    notes.forEach(describe);
  }
  if (result.ignored.length > 0) {
    lines.push("", paint("bold", "Missing in AFTER but not needed at run time"));
    for (const entry of result.ignored) lines.push(`  ${entry.category}: ${entry.count} (e.g. ${entry.examples.slice(0, 3).map(clean).join(", ")})`);
  }
  lines.push("");
  lines.push(
    result.equivalent
      ? paint("bold green", `Equivalent${equivalentDetail(notes.length, allowed.length)}`)
      : paint("bold red", `Not equivalent: ${plural(real.length, "difference")}`),
  );
  return `${lines.join("\n")}\n`;
}

/** ` (2 notes, 1 allowed difference)` after "Equivalent". */
function equivalentDetail(notes: number, allowed: number): string {
  const parts: string[] = [];
  if (notes > 0) parts.push(plural(notes, "note"));
  if (allowed > 0) parts.push(plural(allowed, "allowed difference"));
  return parts.length > 0 ? ` (${parts.join(", ")})` : "";
}

function code(text: string): string {
  return escapeMarkdownTableMessage(`\`${text.replace(/`/g, "'")}\``);
}

export function renderVerifyMarkdown(result: VerifyResult): string {
  const lines: string[] = [];
  const real = result.differences.filter((difference) => difference.severity === "difference");
  const notes = result.differences.filter((difference) => difference.severity === "note");
  const allowed = result.differences.filter((difference) => difference.severity === "allowed");
  lines.push(`# Image verification: ${result.equivalent ? "equivalent" : "not equivalent"}`, "");
  lines.push(`- BEFORE: ${code(result.before.reference)} (${code(shortId(result.before.id))})`);
  lines.push(`- AFTER: ${code(result.after.reference)} (${code(shortId(result.after.id))})`);
  lines.push(`- Verdict: **${result.equivalent ? "equivalent" : `not equivalent (${plural(real.length, "difference")})`}**`, "");
  lines.push("## Checks", "", "| check | status | what was compared |", "|---|---|---|");
  for (const check of result.checks) lines.push(`| ${check.name} | ${check.status} | ${escapeMarkdownTableMessage(check.detail)} |`);
  const table = (title: string, list: readonly Difference[]): void => {
    if (list.length === 0) return;
    lines.push("", `## ${title} (${list.length})`, "", "| kind | what | before | after | why it matters |", "|---|---|---|---|---|");
    for (const difference of list) {
      lines.push(
        `| ${difference.kind} | ${code(difference.subject)} | ${difference.before === undefined ? "" : code(difference.before)} | ${difference.after === undefined ? "" : code(difference.after)} | ${escapeMarkdownTableMessage(difference.message)} |`,
      );
    }
  };
  table("Differences", real);
  if (allowed.length > 0) {
    lines.push("", `## Allowed (${allowed.length}): accepted with --allow, not counted`, "", "| kind | what | before | after | allowed by |", "|---|---|---|---|---|");
    for (const difference of allowed) {
      lines.push(`| ${difference.kind} | ${code(difference.subject)} | ${difference.before === undefined ? "" : code(difference.before)} | ${difference.after === undefined ? "" : code(difference.after)} | ${code(difference.allowedBy ?? "")} |`);
    }
  }
  table("Notes", notes);
  if (result.ignored.length > 0) {
    lines.push("", "## Missing in AFTER but not needed at run time", "", "| category | files | examples |", "|---|---|---|");
    for (const entry of result.ignored) lines.push(`| ${entry.category} | ${entry.count} | ${entry.examples.slice(0, 3).map((example) => code(example)).join(", ")} |`);
  }
  lines.push("", `_Rules and what each check means: ${escapeMarkdown("docs/verify.md")}._`);
  return `${lines.join("\n")}\n`;
}
