// The fix loop keeps the audit's per-file time budget (config fileTimeBudget) over all its passes:
// a file that spends it is not fixed further and nothing is written for it; other files are fixed.
// A fake clock stands in for time: the "slow" rule advances it, nothing sleeps.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { configSchema } from "../../src/audit/config.ts";
import { runCli } from "../../src/cli/main.ts";
import { fixWithLevel } from "../../src/fix/rewrite.ts";
import { runFixes } from "../../src/fix/run-fixes.ts";
import { snapshotFromFiles } from "../../src/repo/memory.ts";
import type { DockerfileRule } from "../../src/rules/types.ts";

const MARK = "# pass\n";

describe("fix time budget per file", () => {
  let now = 0;
  const clock = (): number => now;
  // Fires until the file ends with three MARK lines, adding one per pass (so three passes);
  // each check of slow/Dockerfile costs 2 s of fake time, of the other file nothing.
  const grow: DockerfileRule = {
    meta: { id: "grow", description: "grow", impact: "low", category: "size", scope: "dockerfile", hadolint: [], fixable: true, fixLevel: "safe" },
    check({ dockerfile }) {
      if (dockerfile.path === "slow/Dockerfile") now += 2000;
      const marks = dockerfile.text.split(MARK).length - 1;
      if (marks >= 3) return [];
      return [{ message: "one more mark", line: 1, fix: [{ start: dockerfile.text.length, end: dockerfile.text.length, text: MARK }] }];
    },
  };
  const files = { "slow/Dockerfile": "FROM scratch\n", "fast/Dockerfile": "FROM scratch\n" };

  it("counts every pass toward one budget: the slow file is rejected, the other is fixed", () => {
    now = 0;
    // Each audit of the slow file costs 2 s, under the 5 s budget; the third pass brings it to 6 s.
    const result = runFixes(snapshotFromFiles(files), { config: configSchema.parse({ fileTimeBudget: 5 }), rules: [grow], clock });
    assert.deepEqual(
      result.changes.map((change) => [change.path, change.after]),
      [["fast/Dockerfile", `FROM scratch\n${MARK}${MARK}${MARK}`]],
    );
    assert.deepEqual(result.rejected, [{ path: "slow/Dockerfile", reason: "fixing it took longer than 5 s (fileTimeBudget); nothing written" }]);
    assert.ok(!result.applied.some((fix) => fix.path === "slow/Dockerfile"));
    const slow = result.remaining.files.find((file) => file.path === "slow/Dockerfile");
    assert.match(slow?.error ?? "", /^analysis took longer than 5 s \(fileTimeBudget\)/);
    assert.equal(result.remaining.files.find((file) => file.path === "fast/Dockerfile")?.error, undefined);
  });

  it("fixes both files within the budget, and keeps no budget without a clock", () => {
    now = 0;
    const within = runFixes(snapshotFromFiles(files), { config: configSchema.parse({ fileTimeBudget: 60 }), rules: [grow], clock });
    assert.deepEqual(within.changes.map((change) => change.path), ["fast/Dockerfile", "slow/Dockerfile"]);
    assert.deepEqual(within.rejected, []);
    now = 0;
    const unclocked = runFixes(snapshotFromFiles(files), { config: configSchema.parse({ fileTimeBudget: 1 }), rules: [grow] });
    assert.deepEqual(unclocked.changes.map((change) => change.path), ["fast/Dockerfile", "slow/Dockerfile"]);
    assert.equal(unclocked.remaining.summary.filesWithErrors, 0);
  });

  it("charges planning a rewrite to the file (fixWithLevel), so a file over budget from planning is not fixed", () => {
    // A clock that advances 3 s per reading: planning alone (two readings) spends 3 s of a 2 s budget.
    let ticks = 0;
    const ticking = (): number => (ticks += 3000);
    const leveled = fixWithLevel(snapshotFromFiles({ Dockerfile: "FROM scratch\n" }), { level: "rewrite", config: configSchema.parse({ fileTimeBudget: 2 }), rules: [grow], clock: ticking });
    assert.deepEqual(leveled.fix.changes, []);
    assert.match(leveled.fix.remaining.files[0]?.error ?? "", /^analysis took longer than 2 s/);
  });
});

describe("shipshape fix keeps the time budget", () => {
  const roots: string[] = [];
  after(() => {
    for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
  });

  it("reports a file over fileTimeBudget, writes nothing for it, exits 1", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-fix-budget-"));
    roots.push(root);
    const dockerfile = "FROM python:3.12-slim\nRUN pip install flask\n";
    fs.writeFileSync(path.join(root, "Dockerfile"), dockerfile);
    // A budget no real analysis fits in: the CLI must be measuring with a clock.
    fs.writeFileSync(path.join(root, "shipshape.config.yaml"), "fileTimeBudget: 0.000001\n");
    let stdout = "";
    let stderr = "";
    const code = await runCli(["fix", "--write"], { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), cwd: root, env: { NO_COLOR: "1" }, isTTY: false });
    assert.equal(code, 1);
    assert.equal(fs.readFileSync(path.join(root, "Dockerfile"), "utf8"), dockerfile);
    assert.match(stdout + stderr, /took longer than 0\.000001 s \(fileTimeBudget\)/);
  });
});
