import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { auditRepository } from "../../src/audit/run.ts";
import { parseConfig, ruleSettingFor, STARTER_CONFIG } from "../../src/audit/config.ts";
import { snapshotFromFiles } from "../../src/repo/memory.ts";
import { buildRepositoryView } from "../../src/repo/view.ts";
import { ConfigError } from "../../src/errors.ts";

const known = new Set(["apt-no-install-recommends", "shell-form-cmd"]);

describe("config", () => {
  it("parses the starter config", () => {
    const config = parseConfig(STARTER_CONFIG, "shipshape.config.yaml", known);
    assert.equal(config.failOn, "medium");
    assert.deepEqual(config.ignore, []);
  });

  it("rejects unknown keys, bad values and unknown rule ids with the file and key named", () => {
    assert.throws(() => parseConfig("ignroe: []\n", "s.yaml", known), (error: unknown) => error instanceof ConfigError && /s\.yaml/.test(error.message) && /ignroe/.test(error.message));
    assert.throws(() => parseConfig("rules:\n  shell-form-cmd: severe\n", "s.yaml", known), (error: unknown) => error instanceof ConfigError && /rules\.shell-form-cmd/.test(error.message));
    assert.throws(() => parseConfig("ignore: [no-such-rule]\n", "s.yaml", known), /unknown rule id\(s\): no-such-rule/);
    assert.throws(() => parseConfig("{", "s.json", known), /cannot parse/);
  });

  it("resolves per-path overrides, later entries winning", () => {
    const config = parseConfig(
      "rules:\n  shell-form-cmd: high\noverrides:\n  - files: ['legacy/**']\n    rules:\n      shell-form-cmd: 'off'\n  - files: ['legacy/keep/**']\n    rules:\n      shell-form-cmd: low\n",
      "s.yaml",
      known,
    );
    assert.equal(ruleSettingFor(config, "shell-form-cmd", "api/Dockerfile"), "high");
    assert.equal(ruleSettingFor(config, "shell-form-cmd", "legacy/a/Dockerfile"), "off");
    assert.equal(ruleSettingFor(config, "shell-form-cmd", "legacy/keep/Dockerfile"), "low");
  });

  it("applies settings in the audit", () => {
    const config = parseConfig("ignore: [apt-no-install-recommends]\nrules:\n  shell-form-cmd: high\n", "s.yaml", known);
    const view = buildRepositoryView(snapshotFromFiles({ Dockerfile: "FROM debian\nRUN apt-get install -y a\nCMD run it\n" }));
    const findings = auditRepository(view, { config }).files[0]?.findings ?? [];
    assert.deepEqual(findings.filter((finding) => known.has(finding.rule)).map((finding) => [finding.rule, finding.impact]), [["shell-form-cmd", "high"]]);
  });
});
