// Every rule is documented, its doc's header matches its meta, and every doc example behaves
// as the doc says when run through the rule (ESLint / typescript-eslint style).
import assert from "node:assert/strict";
import fs from "node:fs";
import { describe, it } from "node:test";
import { allRules } from "../src/rules/index.ts";
import { findingsOf } from "./helpers/audit.ts";
import { readDocExamples, readDocMeta } from "./helpers/doc-examples.ts";

for (const rule of allRules) {
  const { id } = rule.meta;
  const docPath = `docs/rules/${id}.md`;
  describe(`docs/rules/${id}.md`, () => {
    it("exists with a header table matching the rule's meta", () => {
      assert.ok(fs.existsSync(docPath), `${docPath} is missing`);
      const meta = readDocMeta(docPath);
      assert.ok(meta, `${docPath} lacks the | impact | category | hadolint | fixable | table`);
      assert.deepEqual(meta, { impact: rule.meta.impact, category: rule.meta.category, hadolint: rule.meta.hadolint, fixable: rule.meta.fixable ? (rule.meta.fixLevel ?? "level missing") : "no" });
    });
    const examples = fs.existsSync(docPath) ? readDocExamples(docPath) : [];
    it("has at least one failing and one passing example", () => {
      assert.ok(examples.some((example) => example.expectation === "failing"), "no failing example");
      assert.ok(examples.some((example) => example.expectation === "passing"), "no passing example");
    });
    for (const example of examples) {
      it(`${example.expectation} example at line ${example.line}`, () => {
        const findings = findingsOf(example.files, id);
        if (example.expectation === "failing") assert.ok(findings.length > 0, "expected at least one finding");
        else assert.deepEqual(findings.map((finding) => `${finding.line}: ${finding.message}`), []);
      });
    }
  });
}
