// Test helpers: audit an in-memory repository and pick findings.
import { auditRepository } from "../../src/audit/run.ts";
import type { AuditResult, Finding } from "../../src/audit/result.ts";
import { snapshotFromFiles } from "../../src/repo/memory.ts";
import { buildRepositoryView } from "../../src/repo/view.ts";
import { findRule } from "../../src/rules/index.ts";
import type { Rule } from "../../src/rules/types.ts";

export type Files = Record<string, string | number>;

/** Audits files (a Dockerfile's text, or a map of path -> content) with one rule, or all rules. */
export function auditFiles(files: Files | string, ruleId?: string): AuditResult {
  const map = typeof files === "string" ? { Dockerfile: files } : files;
  const view = buildRepositoryView(snapshotFromFiles(map));
  const rules: Rule[] | undefined = ruleId === undefined ? undefined : [requireRule(ruleId)];
  return auditRepository(view, rules ? { rules } : {});
}

export function findingsOf(files: Files | string, ruleId: string, path?: string): Finding[] {
  const result = auditFiles(files, ruleId);
  for (const file of result.files) {
    if (file.error !== undefined && (path === undefined || file.path === path)) throw new Error(`${file.path}: ${file.error}`);
  }
  return result.files.filter((file) => path === undefined || file.path === path).flatMap((file) => file.findings.filter((finding) => finding.rule === ruleId));
}

/** Lines of the findings of `ruleId`, for compact assertions. */
export function linesOf(files: Files | string, ruleId: string, path?: string): number[] {
  return findingsOf(files, ruleId, path).map((finding) => finding.line);
}

export function requireRule(id: string): Rule {
  const rule = findRule(id);
  if (!rule) throw new Error(`rule ${id} is not registered in src/rules/index.ts`);
  return rule;
}
