// The pure parts of bench/fix.ts: what the fix does to a fixture project (without an engine), and
// how the per-project results add up to the goals.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { hasRegistryCrates, leanVerdict, median, planFix, summarizeReports, withinNoise } from "../bench/fix.ts";
import type { ProjectReport } from "../bench/fix.ts";
import { scanDirectory } from "../src/repo/scan.ts";

const PROJECTS = path.resolve(import.meta.dirname, "fixtures/projects");

describe("bench:fix planFix", () => {
  it("rewrites a Go project that builds in its final stage and names the build-tool findings", () => {
    const planned = planFix(scanDirectory(path.join(PROJECTS, "go-cli")), "Dockerfile", "");
    assert.equal(planned.status, "rewritten");
    assert.equal(planned.ecosystem, "go");
    assert.ok(planned.buildToolFindings.includes("final-stage-toolchain-image"), planned.buildToolFindings.join(", "));
    assert.ok(planned.after.includes("FROM gcr.io/distroless/static-debian12:nonroot"));
    // The safe fixes run after the planner; the planner's part is the golden file.
    const expected = fs.readFileSync(path.join(PROJECTS, "go-cli/expected.Dockerfile"), "utf8");
    assert.equal(planned.after.split("\n").filter((line) => line.startsWith("FROM ")).join("\n"), expected.split("\n").filter((line) => line.startsWith("FROM ")).join("\n"));
  });

  it("leaves an already lean project alone", () => {
    for (const name of ["lean-go", "lean-koa"]) {
      const root = path.join(PROJECTS, name);
      const planned = planFix(scanDirectory(root), "Dockerfile", "");
      assert.equal(planned.status, "unchanged", name);
      assert.equal(planned.after, fs.readFileSync(path.join(root, "Dockerfile"), "utf8"));
      assert.deepEqual(planned.buildToolFindings, []);
    }
  });

  it("fixes a shop service in its own context: created files are relative to the context", () => {
    const shop = path.resolve(import.meta.dirname, "../examples/shop");
    const planned = planFix(scanDirectory(shop), "services/inventory-go/Dockerfile", "services/inventory-go");
    assert.equal(planned.status, "rewritten");
    for (const file of Object.keys(planned.createdFiles)) assert.ok(!file.startsWith("services/"), file);
  });
});

function report(overrides: Partial<ProjectReport>): ProjectReport {
  return { name: "p", lean: false, status: "rewritten", review: [], safeFixes: [], shipsBuildTools: true, buildToolFindings: ["build-in-final-stage"], installAfterCopy: false, realCrates: false, before: { ok: true, sizeBytes: 1000, durationMs: 1 }, after: { ok: true, sizeBytes: 200, durationMs: 1 }, verify: { ok: true, checks: "", probes: "passed", expectedDifferences: 0, unexpectedDifferences: [] }, sizeReductionPercent: 80, rebuild: { beforeMs: 1000, afterMs: 200, reductionPercent: 80 }, dependencyChange: { beforeMs: 1000, afterMs: 900, reductionPercent: 10 }, ...overrides };
}

describe("bench:fix summary", () => {
  it("median of an odd and an even count", () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 2, 3]), 2.5);
    assert.equal(median([]), undefined);
  });

  it("takes the size median over projects that ship build tools only", () => {
    const summary = summarizeReports([
      report({ name: "a", sizeReductionPercent: 90 }),
      report({ name: "b", sizeReductionPercent: 50 }),
      report({ name: "c", shipsBuildTools: false, buildToolFindings: [], sizeReductionPercent: 10 }),
      report({ name: "skipped", status: "skipped" }),
    ]);
    assert.equal(summary.medianSizeReductionBuildTools, 70);
    assert.equal(summary.buildToolProjects, 2);
    assert.equal(summary.skipped, 1);
    assert.equal(summary.allBuildAndVerify, true);
  });

  it("goal rows: Rust with crates needs 80 % on both code-change scenarios, a dependency change not slower and an 80 % smaller image", () => {
    const rust = { ecosystem: "rust", realCrates: true, sizeReductionPercent: 95, rebuild: { beforeMs: 100_000, afterMs: 8_000, reductionPercent: 92 }, dependencyChange: { beforeMs: 100_000, afterMs: 20_000, reductionPercent: 80 } };
    const good = report({ ...rust, name: "good", freshRunner: { beforeMs: 100_000, afterMs: 15_000, reductionPercent: 85 } });
    const slowFresh = report({ ...rust, name: "slow-fresh", freshRunner: { beforeMs: 100_000, afterMs: 60_000, reductionPercent: 40 } });
    const summary = summarizeReports([good, slowFresh, report({ name: "std-only-rust", ecosystem: "rust" })]);
    const row = (id: string) => summary.goals.find((goal) => goal.id === id);
    assert.deepEqual(row("rust-code")?.members.map((member) => member.name), ["good", "slow-fresh"], "a std-only Rust project is not in the Rust rows");
    assert.equal(row("rust-code")?.pass, true);
    assert.equal(row("rust-fresh-runner")?.pass, false);
    assert.equal(row("rust-deps")?.pass, true);
    assert.equal(row("rust-size")?.pass, true);
    assert.equal(row("install-code")?.pass, undefined, "no project in the row: n/a");
    assert.deepEqual(summary.verdicts.map((verdict) => [verdict.name, verdict.pass]), [["good", true], ["slow-fresh", false], ["std-only-rust", true]]);
    assert.match(summary.verdicts[1]?.failed.join(";") ?? "", /fresh CI runner/);
  });

  it("goal rows: Node/Python originals that reinstall on a code change need 70 %; every rewrite must stay within noise on both scenarios", () => {
    const summary = summarizeReports([
      report({ name: "node-fast", ecosystem: "node", installAfterCopy: true, rebuild: { beforeMs: 30_000, afterMs: 3_000, reductionPercent: 90 } }),
      report({ name: "py-slow", ecosystem: "python", installAfterCopy: true, rebuild: { beforeMs: 30_000, afterMs: 12_000, reductionPercent: 60 } }),
      report({ name: "go-slower-deps", ecosystem: "go", dependencyChange: { beforeMs: 10_000, afterMs: 12_000, reductionPercent: -20 } }),
    ]);
    const installRow = summary.goals.find((goal) => goal.id === "install-code");
    assert.deepEqual(installRow?.members.map((member) => [member.name, member.pass]), [["node-fast", true], ["py-slow", false]]);
    const never = summary.goals.find((goal) => goal.id === "never-slower");
    assert.deepEqual(never?.members.map((member) => [member.name, member.pass]), [["node-fast", true], ["py-slow", true], ["go-slower-deps", false]]);
  });

  it("noise: within +10 %, or within 0.5 s for short builds; a failed timing is never within noise", () => {
    assert.equal(withinNoise({ beforeMs: 10_000, afterMs: 10_900 }), true);
    assert.equal(withinNoise({ beforeMs: 10_000, afterMs: 11_200 }), false);
    assert.equal(withinNoise({ beforeMs: 600, afterMs: 1_000 }), true);
    assert.equal(withinNoise({ beforeMs: 600, error: "failed: boom" }), false);
    assert.equal(withinNoise(undefined), false);
  });

  it("a Cargo.lock with registry crates marks Rust with real dependencies", () => {
    assert.equal(hasRegistryCrates(path.join(PROJECTS, "rust-hyper-service")), true);
    assert.equal(hasRegistryCrates(path.join(PROJECTS, "rust-cli")), false);
  });

  it("a rewrite that does not build or verify fails the run", () => {
    const summary = summarizeReports([report({ name: "broken", after: { ok: false, durationMs: 1, error: "exit code 1" } }), report({ name: "different", verify: { ok: false, checks: "", probes: "passed", reason: "Cmd differs", expectedDifferences: 0, unexpectedDifferences: ["config Cmd"] } })]);
    assert.equal(summary.allBuildAndVerify, false);
    assert.deepEqual(summary.failures, ["broken: the fixed Dockerfile does not build", "different: verify: Cmd differs"]);
    // The probes alone: "different" answered like its original, "broken" has no image.
    assert.deepEqual(summary.probeFailures, ["broken"]);
    assert.equal(summary.allProbesPass, false);
  });

  it("a lean project may not grow or rebuild much slower", () => {
    const lean = { lean: true, status: "fixed" as const, shipsBuildTools: false, buildToolFindings: [] };
    assert.equal(leanVerdict(report({ ...lean, before: { ok: true, sizeBytes: 1000, durationMs: 1 }, after: { ok: true, sizeBytes: 1005, durationMs: 1 }, rebuild: { beforeMs: 1000, afterMs: 1100 } })), true);
    assert.equal(leanVerdict(report({ ...lean, before: { ok: true, sizeBytes: 1000, durationMs: 1 }, after: { ok: true, sizeBytes: 1100, durationMs: 1 }, rebuild: { beforeMs: 1000, afterMs: 1000 } })), false);
    assert.equal(leanVerdict(report({ ...lean, before: { ok: true, sizeBytes: 1000, durationMs: 1 }, after: { ok: true, sizeBytes: 1000, durationMs: 1 }, rebuild: { beforeMs: 10_000, afterMs: 20_000 } })), false);
    assert.equal(leanVerdict(report({ ...lean, status: "unchanged" })), true);
  });
});
