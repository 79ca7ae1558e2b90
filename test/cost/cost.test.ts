// shipshape cost: the arithmetic against hand-worked examples (the numbers in the comments were
// worked out by hand, docs/cost.md shows the first one), inputs from bench JSON and the history,
// and the CLI.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { costConfigSchema } from "../../src/audit/config.ts";
import { renderBenchJson } from "../../src/bench/report.ts";
import type { BenchResult, BenchSide } from "../../src/bench/result.ts";
import { runCli } from "../../src/cli/main.ts";
import { inputsFromBenchJson, inputsFromHistory } from "../../src/cost/inputs.ts";
import { buildCostReport, costOfImage, pricesFor, type ImageCostInputs } from "../../src/cost/model.ts";
import { renderCostMarkdown } from "../../src/cost/report.ts";
import { latestImageMeasurements } from "../../src/metrics/latest.ts";
import { recordMetricsAt } from "../../src/metrics/record.ts";
import { tempDirectory } from "../helpers/temp-dir.ts";
import { lastOptimizePath } from "../../src/optimize/dashboard.ts";
import { optimizeResult } from "../optimize/fixtures.ts";

const close = (actual: number | null, expected: number): void => {
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-9, `expected ${expected}, got ${actual}`);
};

const measured = (value: number, source = "test"): { value: number; provenance: "measured"; source: string } => ({ value, provenance: "measured", source });

describe("cost arithmetic (hand-worked)", () => {
  it("example 1, defaults (GHCR, Linux 2-core): 500 MB image, 150 s build", () => {
    const config = costConfigSchema.parse({});
    const cost = costOfImage({ image: "api", sizeBytes: measured(500e6), buildMs: measured(150_000) }, config, pricesFor(config));
    // builds/month = 20 x 52 / 12 = 86.666...; 150 s bills 3 whole minutes.
    close(cost.buildsPerMonth.value, 86.66666666666667);
    assert.equal(cost.ciMinutesPerBuild, 3);
    // CI: 86.667 x 3 x $0.006 = $1.56 a month, $18.72 a year.
    close(cost.ci.monthlyUsd, 1.56);
    close(cost.ci.yearlyUsd, 18.72);
    // pushed: 500 MB x 0.4 (assumed) = 0.2 GB; storage: 10 tags x 0.2 GB x $0.25 = $0.50.
    assert.equal(cost.inputs.compressedBytes?.provenance, "assumed");
    close(cost.inputs.compressedBytes?.value ?? null, 200e6);
    close(cost.storage.monthlyUsd, 0.5);
    // egress: 100 pulls x 0.2 GB x $0.50 = $10.00.
    close(cost.egress.monthlyUsd, 10);
    // total: $12.06 a month, $144.72 a year.
    close(cost.total.monthlyUsd, 12.06);
    close(cost.total.yearlyUsd, 144.72);
  });

  it("example 2, ECR and a 4-core runner, before/after: saves $35.4975 a month", () => {
    const config = costConfigSchema.parse({ registry: "ecr", runner: "linux-4-core", buildsPerWeek: 30, tagsKeptPerImage: 5, pullsPerMonth: 1000, compressionRatio: 0.5 });
    const before: ImageCostInputs[] = [{ image: "api", sizeBytes: measured(1e9), buildMs: measured(61_000) }];
    const after: ImageCostInputs[] = [{ image: "api", sizeBytes: measured(250e6), buildMs: measured(59_000) }];
    const report = buildCostReport("hand-worked", config, after, before);
    // builds/month = 30 x 52 / 12 = 130.
    // before: CI 130 x 2 min x $0.012 = 3.12; pushed 0.5 GB; storage 5 x 0.5 x $0.10 = 0.25; egress 1000 x 0.5 x $0.09 = 45 -> 48.37.
    const b = report.before?.images[0];
    close(b?.ci.monthlyUsd ?? null, 3.12);
    close(b?.storage.monthlyUsd ?? null, 0.25);
    close(b?.egress.monthlyUsd ?? null, 45);
    close(report.before?.monthlyUsd ?? null, 48.37);
    // after: CI 130 x 1 x 0.012 = 1.56; pushed 0.125 GB; storage 5 x 0.125 x 0.10 = 0.0625; egress 1000 x 0.125 x 0.09 = 11.25 -> 12.8725.
    close(report.after.monthlyUsd, 12.8725);
    close(report.savings?.monthlyUsd ?? null, 35.4975);
    close(report.savings?.yearlyUsd ?? null, 425.97);
  });

  it("a measured pushed size is used as is; a build under a minute bills one minute", () => {
    const config = costConfigSchema.parse({});
    const cost = costOfImage({ image: "api", sizeBytes: measured(500e6), compressedBytes: measured(123e6), buildMs: measured(1_000) }, config, pricesFor(config));
    assert.equal(cost.ciMinutesPerBuild, 1);
    assert.equal(cost.inputs.compressedBytes?.provenance, "measured");
    // storage: 10 x 0.123 GB x 0.25 = 0.3075
    close(cost.storage.monthlyUsd, 0.3075);
  });

  it("Docker Hub has no per-GB storage list price: the line says so until the config sets one", () => {
    const config = costConfigSchema.parse({ registry: "dockerhub" });
    const cost = costOfImage({ image: "api", sizeBytes: measured(1e9), buildMs: measured(60_000) }, config, pricesFor(config));
    assert.equal(cost.storage.monthlyUsd, null);
    assert.match(cost.storage.missing ?? "", /cost\.prices\.storagePerGbMonth/);
    // The total leaves the unpriced line out, and says so: CI 86.667 x 1 x 0.006 = 0.52, egress 0.
    close(cost.total.monthlyUsd, 0.52);
    assert.ok(cost.total.missing);
    const priced = costConfigSchema.parse({ registry: "dockerhub", prices: { storagePerGbMonth: 0.07 } });
    const prices = pricesFor(priced);
    assert.equal(prices.storagePerGbMonth.origin, "config");
    // 10 x 0.4 GB x 0.07 = 0.28
    close(costOfImage({ image: "api", sizeBytes: measured(1e9) }, priced, prices).storage.monthlyUsd, 0.28);
  });

  it("nothing measured is never shown as measured", () => {
    const config = costConfigSchema.parse({});
    const cost = costOfImage({ image: "api" }, config, pricesFor(config));
    assert.equal(cost.ci.monthlyUsd, null);
    assert.equal(cost.storage.monthlyUsd, null);
    const markdown = renderCostMarkdown(buildCostReport("none", config, [{ image: "api" }]));
    assert.match(markdown, /image size \| not measured/);
    assert.doesNotMatch(markdown, /\(measured\)/);
  });
});

function benchSide(label: "before" | "after", sizeBytes: number, codeMs: number, coldMs: number): BenchSide {
  const run = { durationMs: codeMs, cachedSteps: 1, totalSteps: 2, cacheHitRatio: 0.5, rebuiltSteps: [] };
  return {
    label,
    name: label === "before" ? "main" : "working tree",
    ownDockerfile: label === "after",
    dockerfileSource: "Dockerfile",
    sizeBytes,
    scenarios: [
      { scenario: "cold", status: "measured", runs: [run], medianMs: coldMs, sizeBytes },
      { scenario: "code", status: "measured", runs: [run], medianMs: codeMs, sizeBytes },
    ],
  };
}

describe("cost inputs", () => {
  it("from a real bench --compare JSON report: sizes and the code-change medians, both measured", () => {
    const result: BenchResult = { runs: 1, scenarios: ["cold", "code"], compare: "main", targets: [{ name: "api", contextDir: "/x", dockerfile: "Dockerfile", origin: "x", before: benchSide("before", 883e6, 6_900, 21_000), after: benchSide("after", 213e6, 2_800, 9_500) }] };
    const inputs = inputsFromBenchJson(renderBenchJson(result), "bench.json");
    assert.equal(inputs.before[0]?.sizeBytes?.value, 883e6);
    assert.equal(inputs.before[0]?.buildMs?.value, 6_900);
    assert.equal(inputs.after[0]?.buildMs?.provenance, "measured");
    assert.match(inputs.after[0]?.buildMs?.source ?? "", /bench code medianMs, bench\.json, after/);
    assert.throws(() => inputsFromBenchJson("{}", "x.json"), /not a shipshape bench/);
    const noCompare: BenchResult = { ...result, targets: [{ ...result.targets[0]!, after: undefined } as never] };
    assert.throws(() => inputsFromBenchJson(renderBenchJson(noCompare), "x.json"), /no after side/);
  });

  it("from history: the latest size and build time; as of a run for before/after", () => {
    const row = (runId: number, kind: string, scenario: string, metric: string, value: number) => ({ runId, recordedAt: `2026-12-0${runId}T00:00:00Z`, repository: "/r", gitCommit: null, gitBranch: "main", gitDirty: false, kind, image: "img", scenario, dockerfile: null, dockerfileHash: null, metric, value });
    const rows = [row(1, "build", "", "sizeBytes", 900e6), row(1, "build", "", "durationMs", 90_000), row(2, "bench", "code", "medianMs", 30_000), row(3, "build", "", "sizeBytes", 300e6), row(3, "build", "", "durationMs", 40_000)];
    const latest = inputsFromHistory(latestImageMeasurements(rows))[0];
    assert.equal(latest?.sizeBytes?.value, 300e6);
    // A bench code median beats a later plain build duration as "a CI build with a warm cache".
    assert.equal(latest?.buildMs?.value, 30_000);
    const asOfOne = inputsFromHistory(latestImageMeasurements(rows, 1))[0];
    assert.deepEqual([asOfOne?.sizeBytes?.value, asOfOne?.buildMs?.value], [900e6, 90_000]);
  });
});

async function run(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), cwd, env: {}, isTTY: false });
  return { code, stdout, stderr };
}

describe("shipshape cost (CLI)", () => {
  it("reads the history, before/after by run id, json and markdown, config assumptions", async () => {
    const root = tempDirectory("shipshape-cost-");
    const app = path.join(root, "app");
    fs.mkdirSync(path.join(app, "web"), { recursive: true });
    fs.writeFileSync(path.join(app, "Dockerfile"), "FROM debian:bookworm-slim\n");
    fs.writeFileSync(path.join(app, "web", "Dockerfile"), "FROM debian:bookworm-slim\n");
    fs.writeFileSync(path.join(app, "shipshape.config.yaml"), "cost:\n  buildsPerWeek: 12\n  registry: ecr\n");
    const git = { root: app, commit: null, branch: null, dirty: null };
    // The tag shipshape build gives the root Dockerfile of repository "app"; the web image is never measured.
    const record = async (size: number, ms: number, day: number): Promise<void> =>
      recordMetricsAt([{ kind: "build", image: "shipshape/app-app:latest", metrics: { sizeBytes: size, durationMs: ms } }], { cwd: app, git, now: new Date(`2026-12-0${day}T00:00:00Z`), busyTimeoutMs: 1000, toolVersion: "test" });
    await record(1e9, 125_000, 1);
    await record(250e6, 55_000, 2);

    const json = await run(["cost", app, "--format", "json", "--before-run", "1", "--after-run", "2"], app);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout) as { assumptions: { buildsPerWeek: number }; before: { monthlyUsd: number }; after: { monthlyUsd: number }; savings: { monthlyUsd: number } };
    assert.equal(report.assumptions.buildsPerWeek, 12);
    // builds/month 52; before: CI 52 x 3 x 0.006 = 0.936, storage 10 x 0.4 x 0.10 = 0.40, egress 100 x 0.4 x 0.09 = 3.60 -> 4.936
    // after: CI 52 x 1 x 0.006 = 0.312, storage 10 x 0.1 x 0.10 = 0.10, egress 100 x 0.1 x 0.09 = 0.90 -> 1.312
    close(report.before.monthlyUsd, 4.936);
    close(report.after.monthlyUsd, 1.312);
    close(report.savings.monthlyUsd, 3.624);

    const markdown = await run(["cost", app], app);
    assert.equal(markdown.code, 0);
    // Every image of the repository is listed; the one never measured says so.
    assert.match(markdown.stdout, /shipshape\/app-web:latest \| image size \| not measured/);
    assert.match(markdown.stdout, /image size \| 250 MB \(measured\)/);
    assert.match(markdown.stdout, /pushed size \| 100 MB \(assumed\)/);
    assert.match(markdown.stdout, /aws\.amazon\.com\/ecr\/pricing/);

    assert.equal((await run(["cost", app, "--before-run", "1"], app)).code, 2);
    assert.equal((await run(["cost", app, "--format", "html"], app)).code, 2);
  });
});

describe("shipshape cost --last-optimize", () => {
  it("prices the last optimize run's baseline against its measurement after the changes", async () => {
    const root = tempDirectory("shipshape-cost-optimize-");
    const db = path.join(root, ".shipshape", "metrics.db");
    assert.equal((await run(["cost", root, "--last-optimize", "--db", db], root)).code, 2, "no optimize run recorded: a usage error");
    fs.mkdirSync(path.dirname(db), { recursive: true });
    fs.writeFileSync(lastOptimizePath(db), JSON.stringify(optimizeResult()));
    const json = await run(["cost", root, "--last-optimize", "--db", db, "--format", "json", "--image", "api"], root);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout) as { before: { monthlyUsd: number }; after: { monthlyUsd: number } };
    // api with the defaults (ghcr, linux-2-core, 20 builds/week, 10 tags, 100 pulls, ratio 0.4):
    // before 883 MB, code 22.3 s: CI 86.67 x 1 x 0.006 = 0.52, storage 10 x 0.3532 x 0.25 = 0.883, egress 100 x 0.3532 x 0.5 = 17.66 -> 19.063
    // after 262 MB, code 4.1 s:   CI 0.52, storage 10 x 0.1048 x 0.25 = 0.262, egress 100 x 0.1048 x 0.5 = 5.24 -> 6.022
    close(report.before.monthlyUsd, 19.063);
    close(report.after.monthlyUsd, 6.022);
    assert.equal((await run(["cost", root, "--last-optimize", "--before-run", "1", "--after-run", "2", "--db", db], root)).code, 2, "one before/after source at a time");
  });
});

describe("docs", () => {
  it("the ci: and cost: examples of docs/ci.md, docs/cost.md and the README are valid config", async () => {
    const { parseConfig } = await import("../../src/audit/config.ts");
    const root = path.resolve(import.meta.dirname, "../..");
    for (const doc of ["docs/ci.md", "docs/cost.md", "README.md"]) {
      const text = fs.readFileSync(path.join(root, doc), "utf8");
      const blocks = [...text.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? "").filter((block) => /^(?:ci|cost):/m.test(block));
      assert.ok(blocks.length > 0, `${doc} has a ci:/cost: example`);
      for (const block of blocks) assert.doesNotThrow(() => parseConfig(block, doc), `${doc}: ${block.slice(0, 40)}`);
    }
  });
});
