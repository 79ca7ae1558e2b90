import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FORMATS, isFormat, renderAudit } from "../../src/report/index.ts";
import { renderJson } from "../../src/report/json.ts";
import { renderMarkdown } from "../../src/report/markdown.ts";
import { renderSarif } from "../../src/report/sarif.ts";
import { renderTty } from "../../src/report/tty.ts";
import { allRules } from "../../src/rules/index.ts";
import { handResult, pipelineResult } from "../fixtures/report/results.ts";

describe("renderAudit", () => {
  it("knows the five formats", () => {
    assert.deepEqual([...FORMATS], ["tty", "json", "sarif", "markdown", "jsonl"]);
    assert.ok(isFormat("sarif"));
    assert.ok(!isFormat("xml"));
  });

  it("dispatches to each reporter with the options that concern it", () => {
    const result = handResult();
    const options = { color: true, rules: allRules, toolVersion: "9.9.9", title: "T", generatedAt: "2025-06-01" };
    assert.equal(renderAudit("tty", result, options), renderTty(result, { color: true, rules: allRules }));
    assert.equal(renderAudit("json", result, options), renderJson(result));
    assert.equal(renderAudit("sarif", result, options), renderSarif(result, { toolVersion: "9.9.9", rules: allRules }));
    assert.equal(renderAudit("markdown", result, options), renderMarkdown(result, { rules: allRules, title: "T", generatedAt: "2025-06-01", toolVersion: "9.9.9" }));
  });

  it("renders every format of a real audit, without colour unless asked", () => {
    const result = pipelineResult();
    for (const format of FORMATS) {
      const output = renderAudit(format, result, { rules: allRules, toolVersion: "0.0.0" });
      assert.ok(output.endsWith("\n"), format);
      assert.ok(!output.includes("\x1b"), format);
      assert.ok(output.includes("apt-no-install-recommends"), format);
    }
    assert.equal((JSON.parse(renderAudit("sarif", result)) as { version: string }).version, "2.1.0");
  });
});
