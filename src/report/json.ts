// `--format json` and `shipshape rules --format json`: the stable shapes documented in
// docs/json-format.md. Objects are rebuilt key by key so the order never depends on how the
// audit assembled them, and `fix` edits (an internal detail of `shipshape fix`) never leak out.
import type { AuditResult, AuditSummary, FileResult, Finding } from "../audit/result.ts";
import type { Category, FixLevel, Impact, RuleMeta } from "../rules/types.ts";
import { CATEGORIES, IMPACTS } from "../rules/types.ts";

/** Version of the JSON report shape; bumped only on a breaking change. */
export const JSON_REPORT_VERSION = 1;

/** A rule as the registry holds it (`{ meta }`) or its bare metadata. */
export type RuleSource = RuleMeta | { meta: RuleMeta };

export function ruleMetaOf(rule: RuleSource): RuleMeta {
  return "meta" in rule ? rule.meta : rule;
}

/** Metadata by id, in id order. */
export function ruleMetas(rules: readonly RuleSource[] | undefined): RuleMeta[] {
  return (rules ?? []).map(ruleMetaOf).sort((a, b) => compareStrings(a.id, b.id));
}

/** Where a rule is documented, relative to the shipshape repository root. */
export function ruleDocsPath(id: string): string {
  return `docs/rules/${id}.md`;
}

/** The shipshape repository: rule docs are linked here from reports read outside it (SARIF, Markdown). */
export const SHIPSHAPE_REPOSITORY_URL = "https://github.com/shipshape-dev/shipshape";

/** A file of the shipshape repository (e.g. `docs/estimates.md`) on its default branch. */
export function shipshapeDocUrl(path: string): string {
  return `${SHIPSHAPE_REPOSITORY_URL}/blob/main/${path}`;
}

export function ruleDocsUrl(id: string): string {
  return shipshapeDocUrl(ruleDocsPath(id));
}

export interface JsonFinding {
  rule: string;
  impact: Impact;
  category: Category;
  line: number;
  endLine?: number;
  column?: number;
  message: string;
  estimatedSavingMB?: number;
  hadolint: string[];
  fixable: boolean;
  /** With `fixable`: `safe` (applied by `shipshape fix`) or `rewrite` (only with `--level rewrite`). */
  fixLevel?: FixLevel;
}

export interface JsonFile {
  path: string;
  kind: FileResult["kind"];
  error?: string;
  /** The image's de-duplicated estimate (Dockerfiles with size findings only). */
  estimatedSavingMB?: number;
  findings: JsonFinding[];
}

export interface JsonReport {
  version: typeof JSON_REPORT_VERSION;
  root: string;
  files: JsonFile[];
  summary: AuditSummary;
}

export interface JsonRule {
  id: string;
  impact: Impact;
  category: Category;
  hadolint: string[];
  fixable: boolean;
  fixLevel?: FixLevel;
  description: string;
  scope: RuleMeta["scope"];
  docs: string;
}

export function toJsonReport(result: AuditResult): JsonReport {
  return {
    version: JSON_REPORT_VERSION,
    root: result.root,
    files: result.files.map(toJsonFile),
    summary: toJsonSummary(result.summary),
  };
}

export function renderJson(result: AuditResult): string {
  return `${JSON.stringify(toJsonReport(result), null, 2)}\n`;
}

export function toJsonRules(rules: readonly RuleSource[]): JsonRule[] {
  return ruleMetas(rules).map((meta) => ({
    id: meta.id,
    impact: meta.impact,
    category: meta.category,
    hadolint: [...meta.hadolint],
    fixable: meta.fixable,
    ...(meta.fixable && meta.fixLevel !== undefined ? { fixLevel: meta.fixLevel } : {}),
    description: meta.description,
    scope: meta.scope,
    docs: ruleDocsPath(meta.id),
  }));
}

export function renderRulesJson(rules: readonly RuleSource[]): string {
  return `${JSON.stringify(toJsonRules(rules), null, 2)}\n`;
}

export function toJsonFile(file: FileResult): JsonFile {
  const json = { path: file.path, kind: file.kind } as JsonFile;
  if (file.error !== undefined) json.error = file.error;
  if (file.estimatedSavingMB !== undefined) json.estimatedSavingMB = file.estimatedSavingMB;
  json.findings = file.findings.map(toJsonFinding);
  return json;
}

export function toJsonFinding(finding: Finding): JsonFinding {
  const json = { rule: finding.rule, impact: finding.impact, category: finding.category, line: finding.line } as JsonFinding;
  if (finding.endLine !== undefined) json.endLine = finding.endLine;
  if (finding.column !== undefined) json.column = finding.column;
  json.message = finding.message;
  if (finding.estimatedSavingMB !== undefined) json.estimatedSavingMB = finding.estimatedSavingMB;
  json.hadolint = [...finding.hadolint];
  json.fixable = finding.fixable;
  if (finding.fixable && finding.fixLevel !== undefined) json.fixLevel = finding.fixLevel;
  return json;
}

export function toJsonSummary(summary: AuditSummary): AuditSummary {
  return {
    files: summary.files,
    filesWithErrors: summary.filesWithErrors,
    findings: summary.findings,
    byImpact: Object.fromEntries(IMPACTS.map((impact) => [impact, summary.byImpact[impact] ?? 0])) as Record<Impact, number>,
    byCategory: Object.fromEntries(CATEGORIES.map((category) => [category, summary.byCategory[category] ?? 0])) as Record<Category, number>,
    estimatedSavingMB: summary.estimatedSavingMB,
    suppressed: summary.suppressed,
  };
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
