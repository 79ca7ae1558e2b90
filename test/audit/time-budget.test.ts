// The per-file time budget (config fileTimeBudget): a file whose parse and rules spend it gets a
// per-file error and its remaining rules are skipped; the other files are audited in full.
// A fake clock stands in for time: the "slow" rule advances it, nothing sleeps.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { configSchema, parseConfig } from "../../src/audit/config.ts";
import { auditRepository } from "../../src/audit/run.ts";
import { snapshotFromFiles } from "../../src/repo/memory.ts";
import { buildRepositoryView } from "../../src/repo/view.ts";
import type { DockerfileRule, RuleMeta } from "../../src/rules/types.ts";

function meta(id: string): RuleMeta & { scope: "dockerfile" } {
  return { id, description: id, impact: "low", category: "size", scope: "dockerfile", hadolint: [], fixable: false };
}

describe("audit time budget per file", () => {
  let now = 0;
  const clock = (): number => now;
  // Costs 4 s of fake time on slow/Dockerfile, nothing elsewhere.
  const slow: DockerfileRule = {
    meta: meta("slow"),
    check({ dockerfile }) {
      if (dockerfile.path === "slow/Dockerfile") now += 4000;
      return [{ message: "slow ran", line: 1 }];
    },
  };
  const after: DockerfileRule = { meta: meta("after"), check: () => [{ message: "after ran", line: 1 }] };
  const view = buildRepositoryView(snapshotFromFiles({ "slow/Dockerfile": "FROM scratch\n", "fast/Dockerfile": "FROM scratch\n" }));

  it("reports a file over the budget, skips its remaining rules and audits the rest", () => {
    now = 0;
    const config = configSchema.parse({ fileTimeBudget: 7 });
    const result = auditRepository(view, { config, rules: [slow, slow, after], clock });
    const byPath = new Map(result.files.map((file) => [file.path, file]));
    const slowFile = byPath.get("slow/Dockerfile");
    assert.match(slowFile?.error ?? "", /^analysis took longer than 7 s/);
    // The second run of `slow` crossed 7 s (8 s spent): its own findings stand, `after` never ran.
    assert.deepEqual(slowFile?.findings.map((finding) => finding.rule), ["slow", "slow"]);
    assert.equal(byPath.get("fast/Dockerfile")?.error, undefined);
    assert.deepEqual(byPath.get("fast/Dockerfile")?.findings.map((finding) => finding.rule).sort(), ["after", "slow", "slow"]);
    assert.equal(result.summary.filesWithErrors, 1);
  });

  it("stays quiet within the budget, defaults to 5 s, and keeps no budget without a clock", () => {
    now = 0;
    const within = auditRepository(view, { config: configSchema.parse({}), rules: [slow, after], clock });
    assert.equal(within.summary.filesWithErrors, 0);
    assert.equal(configSchema.parse({}).fileTimeBudget, 5);
    now = 0;
    const unclocked = auditRepository(view, { config: configSchema.parse({ fileTimeBudget: 1 }), rules: [slow, slow, after] });
    assert.equal(unclocked.summary.filesWithErrors, 0);
  });

  it("validates the setting", () => {
    assert.equal(parseConfig("fileTimeBudget: 0.5\n", "shipshape.config.yaml").fileTimeBudget, 0.5);
    assert.throws(() => parseConfig("fileTimeBudget: 0\n", "shipshape.config.yaml"), /fileTimeBudget/);
    assert.throws(() => parseConfig("fileTimeBudget: soon\n", "shipshape.config.yaml"), /fileTimeBudget/);
  });
});
