// `--format jsonl`: the JSON report as JSON Lines, written while the audit runs (the CLI streams
// it, so memory does not hold every file's findings and a stopped run has written what it
// finished). One object per line, documented in docs/json-format.md:
//   {"type":"file", ...}      a file with its findings (the shape of the JSON report's files[]),
//                             as soon as its own rules ran;
//   {"type":"finding", "path", ...}  a finding that a compose or repository rule added later to a
//                             file already written (same shape as a file's findings[]);
//   {"type":"summary", "version", "root", "summary"}  last, once everything ran.
import type { AuditResult, AuditSummary, FileResult, Finding } from "../audit/result.ts";
import { JSON_REPORT_VERSION, toJsonFile, toJsonFinding, toJsonSummary } from "./json.ts";

export function jsonLinesFile(file: FileResult): string {
  return `${JSON.stringify({ type: "file", ...toJsonFile(file) })}\n`;
}

export function jsonLinesFinding(path: string, finding: Finding): string {
  return `${JSON.stringify({ type: "finding", path, ...toJsonFinding(finding) })}\n`;
}

export function jsonLinesSummary(root: string, summary: AuditSummary): string {
  return `${JSON.stringify({ type: "summary", version: JSON_REPORT_VERSION, root, summary: toJsonSummary(summary) })}\n`;
}

/** A finished result as JSON Lines (what the CLI streams, in one piece). */
export function renderJsonLines(result: AuditResult): string {
  return `${result.files.map(jsonLinesFile).join("")}${jsonLinesSummary(result.root, result.summary)}`;
}
