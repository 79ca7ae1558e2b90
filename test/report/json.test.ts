import assert from "node:assert/strict";
import fs from "node:fs";
import { describe, it } from "node:test";
import { renderJson, renderRulesJson } from "../../src/report/json.ts";
import { allRules } from "../../src/rules/index.ts";
import { CATEGORIES, IMPACTS } from "../../src/rules/types.ts";
import { HAND_RULES, handResult, pipelineResult } from "../fixtures/report/results.ts";

const TOP_KEYS = ["version", "root", "files", "summary"];
const FILE_KEYS = ["path", "kind", "error", "estimatedSavingMB", "findings"];
const FINDING_KEYS = ["rule", "impact", "category", "line", "endLine", "column", "message", "estimatedSavingMB", "hadolint", "fixable", "fixLevel"];
const FINDING_REQUIRED = ["rule", "impact", "category", "line", "message", "hadolint", "fixable"];
const SUMMARY_KEYS = ["files", "filesWithErrors", "findings", "byImpact", "byCategory", "estimatedSavingMB", "suppressed"];
const RULE_KEYS = ["id", "impact", "category", "hadolint", "fixable", "fixLevel", "description", "scope", "docs"];

type Json = Record<string, unknown>;

/** Keys must be a subsequence of `order` (documented order) and include every `required` key. */
function assertKeys(object: Json, order: string[], required: string[], where: string): void {
  const keys = Object.keys(object);
  assert.deepEqual(keys, order.filter((key) => keys.includes(key)), `${where}: keys out of the documented order: ${keys.join(", ")}`);
  for (const key of keys) assert.ok(order.includes(key), `${where}: undocumented key ${key}`);
  for (const key of required) assert.ok(keys.includes(key), `${where}: missing ${key}`);
}

/** Checks a parsed report against the documented shape exactly; returns the number of findings seen. */
function assertReportShape(report: Json): number {
  assert.deepEqual(Object.keys(report), TOP_KEYS);
  assert.equal(report.version, 1);
  assert.equal(typeof report.root, "string");
  let findings = 0;
  for (const [index, file] of (report.files as Json[]).entries()) {
    assertKeys(file, FILE_KEYS, ["path", "kind", "findings"], `files[${index}]`);
    assert.ok(["dockerfile", "compose", "dockerignore", "other"].includes(file.kind as string));
    if ("error" in file) assert.equal(typeof file.error, "string");
    for (const [position, finding] of (file.findings as Json[]).entries()) {
      findings++;
      const where = `files[${index}].findings[${position}]`;
      assertKeys(finding, FINDING_KEYS, FINDING_REQUIRED, where);
      assert.ok(IMPACTS.includes(finding.impact as never), where);
      assert.ok(CATEGORIES.includes(finding.category as never), where);
      assert.ok(Number.isInteger(finding.line) && (finding.line as number) >= 1, where);
      assert.ok(Array.isArray(finding.hadolint), where);
      assert.equal(typeof finding.fixable, "boolean", where);
    }
  }
  const summary = report.summary as Json;
  assert.deepEqual(Object.keys(summary), SUMMARY_KEYS);
  assert.deepEqual(Object.keys(summary.byImpact as Json), [...IMPACTS]);
  assert.deepEqual(Object.keys(summary.byCategory as Json), [...CATEGORIES]);
  assert.equal(summary.findings, findings);
  return findings;
}

describe("renderJson", () => {
  it("writes the documented shape with keys in a fixed order, 2-space indent and a trailing newline", () => {
    const text = renderJson(handResult());
    assert.ok(text.endsWith("}\n"));
    assert.ok(!text.endsWith("\n\n"));
    assert.match(text, /^\{\n {2}"version": 1,\n {2}"root": /);
    const report = JSON.parse(text) as Json;
    assert.equal(assertReportShape(report), 5);
    const files = report.files as Json[];
    assert.deepEqual(Object.keys(files[2] as Json), ["path", "kind", "error", "findings"]);
    assert.deepEqual(Object.keys(files[4] as Json), ["path", "kind", "findings"]);
    const [full, reordered] = (files[0] as { findings: Json[] }).findings;
    assert.deepEqual(Object.keys(full as Json), FINDING_KEYS);
    // The hand-made finding listed its keys backwards; the report puts them in order.
    assert.deepEqual(Object.keys(reordered as Json), ["rule", "impact", "category", "line", "message", "estimatedSavingMB", "hadolint", "fixable"]);
  });

  it("never includes fix edits, even when findings carry them", () => {
    const result = handResult();
    assert.ok(result.files.some((file) => file.findings.some((finding) => finding.fix !== undefined)));
    const text = renderJson(result);
    assert.doesNotMatch(text, /"fix"/);
    assert.doesNotMatch(text, /no-install-recommends"\s*\}/); // the edit's text
  });

  it("keeps the summary's key order even when the result's objects are built in another order", () => {
    const result = handResult();
    const { byImpact, byCategory } = result.summary;
    result.summary = {
      suppressed: result.summary.suppressed,
      estimatedSavingMB: result.summary.estimatedSavingMB,
      byCategory: Object.fromEntries(Object.entries(byCategory).reverse()) as typeof byCategory,
      byImpact: { low: byImpact.low, medium: byImpact.medium, high: byImpact.high },
      findings: result.summary.findings,
      filesWithErrors: result.summary.filesWithErrors,
      files: result.summary.files,
    };
    const report = JSON.parse(renderJson(result)) as Json;
    assertReportShape(report);
    assert.deepEqual(report.summary, { files: 5, filesWithErrors: 2, findings: 5, byImpact: { high: 2, medium: 2, low: 1 }, byCategory: { size: 2, cache: 0, speed: 0, security: 1, compose: 1, maintainability: 1 }, estimatedSavingMB: 210, suppressed: 2 });
  });

  it("is deterministic and does not modify its input", () => {
    const result = handResult();
    const before = structuredClone(result);
    assert.equal(renderJson(result), renderJson(result));
    assert.deepEqual(result, before);
  });

  it("renders a result of the real pipeline in the documented shape", () => {
    const report = JSON.parse(renderJson(pipelineResult())) as Json;
    assert.ok(assertReportShape(report) >= 2);
    const findings = (report.files as { path: string; findings: { rule: string; line: number; estimatedSavingMB?: number }[] }[])[0];
    assert.equal(findings?.path, "Dockerfile");
    const recommends = findings?.findings.find((finding) => finding.rule === "apt-no-install-recommends");
    assert.equal(recommends?.line, 2);
    assert.equal(typeof recommends?.estimatedSavingMB, "number");
    assert.ok(findings?.findings.some((finding) => finding.rule === "shell-form-cmd" && finding.line === 3));
  });
});

describe("renderRulesJson", () => {
  it("lists every registered rule, sorted by id, with the documented keys in order", () => {
    const text = renderRulesJson(allRules);
    assert.ok(text.endsWith("]\n"));
    const rules = JSON.parse(text) as Json[];
    assert.equal(rules.length, allRules.length);
    const ids = rules.map((rule) => rule.id as string);
    assert.deepEqual(ids, [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    for (const rule of rules) {
      assert.deepEqual(Object.keys(rule), RULE_KEYS.filter((key) => key !== "fixLevel" || rule.fixable === true));
      if (rule.fixable === true) assert.ok(rule.fixLevel === "safe" || rule.fixLevel === "rewrite");
      assert.equal(rule.docs, `docs/rules/${rule.id as string}.md`);
      assert.ok(["dockerfile", "compose", "repository"].includes(rule.scope as string));
    }
  });

  it("accepts bare rule metadata", () => {
    const rules = JSON.parse(renderRulesJson(HAND_RULES)) as Json[];
    assert.deepEqual(rules[0], { id: "apt-no-install-recommends", impact: "medium", category: "size", hadolint: ["DL3015"], fixable: true, fixLevel: "rewrite", description: "apt-get install without --no-install-recommends.", scope: "dockerfile", docs: "docs/rules/apt-no-install-recommends.md" });
  });
});

describe("docs/json-format.md", () => {
  const doc = fs.readFileSync("docs/json-format.md", "utf8");
  const documented = (section: string): string[] => {
    const start = doc.indexOf(section);
    assert.ok(start >= 0, `missing section ${section}`);
    const rest = doc.slice(start + section.length);
    const end = rest.search(/\n#{2,3} /);
    const body = end >= 0 ? rest.slice(0, end) : rest;
    return [...body.matchAll(/^\| `([A-Za-z]+)` \|/gm)].map((match) => match[1] ?? "");
  };

  it("documents every key, in output order", () => {
    assert.deepEqual(documented("### Top level"), TOP_KEYS);
    assert.deepEqual(documented("### `files[]`"), FILE_KEYS);
    assert.deepEqual(documented("### `files[].findings[]`"), FINDING_KEYS);
    assert.deepEqual(documented("### `summary`"), SUMMARY_KEYS);
    assert.deepEqual(documented("## Rule list"), RULE_KEYS);
  });

  it("says the saving is an estimate from docs/estimates.md, never measured", () => {
    assert.match(doc, /`estimatedSavingMB` \| number, optional \| [^\n]*\*\*estimate\*\*[^\n]*\(estimates\.md\)[^\n]*never a measurement/);
  });
});
