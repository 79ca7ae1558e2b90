// Reporters: pure functions from an AuditResult to the text of one output format. The CLI
// decides colour and writes the text; nothing here touches a stream, the disk or a clock.
import type { AuditResult } from "../audit/result.ts";
import type { RuleSource } from "./json.ts";
import { renderJson } from "./json.ts";
import { renderJsonLines } from "./jsonl.ts";
import { renderMarkdown } from "./markdown.ts";
import { renderSarif } from "./sarif.ts";
import { renderTty } from "./tty.ts";

export const FORMATS = ["tty", "json", "sarif", "markdown", "jsonl"] as const;
export type Format = (typeof FORMATS)[number];

export interface RenderOptions {
  /** tty: ANSI colour (decide with shouldUseColor). */
  color?: boolean;
  /** Rule metadata (normally allRules): SARIF rule descriptors, Markdown rule index, tty legend. */
  rules?: readonly RuleSource[];
  /** shipshape's version: SARIF tool.driver.version, Markdown header. */
  toolVersion?: string;
  /** markdown: document title. */
  title?: string;
  /** markdown: when the audit ran (passed in: reporters read no clock). */
  generatedAt?: string | Date;
}

export function isFormat(value: string): value is Format {
  return (FORMATS as readonly string[]).includes(value);
}

export function renderAudit(format: Format, result: AuditResult, options: RenderOptions = {}): string {
  switch (format) {
    case "tty":
      return renderTty(result, { color: options.color ?? false, ...(options.rules !== undefined ? { rules: options.rules } : {}) });
    case "json":
      return renderJson(result);
    case "jsonl":
      return renderJsonLines(result);
    case "sarif":
      return renderSarif(result, { toolVersion: options.toolVersion, rules: options.rules });
    case "markdown":
      return renderMarkdown(result, { rules: options.rules, title: options.title, generatedAt: options.generatedAt, toolVersion: options.toolVersion });
    default: {
      const unknown: never = format;
      throw new Error(`unknown report format: ${String(unknown)}`);
    }
  }
}

export { renderJson, renderRulesJson } from "./json.ts";
export { jsonLinesFile, jsonLinesFinding, jsonLinesSummary, renderJsonLines } from "./jsonl.ts";
export { renderMarkdown } from "./markdown.ts";
export { renderSarif } from "./sarif.ts";
export { renderRulesTable, renderTty, shouldUseColor } from "./tty.ts";
