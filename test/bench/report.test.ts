import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatBytes, formatDuration } from "../../src/format/index.ts";
import { benchTable, renderBench, renderBenchJson, renderBenchMarkdown, renderBenchTty } from "../../src/bench/report.ts";
import type { BenchResult, ScenarioMeasurement, ScenarioName, ScenarioRun } from "../../src/bench/result.ts";

function run(durationMs: number, cachedSteps: number, totalSteps: number): ScenarioRun {
  return { durationMs, cachedSteps, totalSteps, cacheHitRatio: cachedSteps / totalSteps, rebuiltSteps: [] };
}

function measured(scenario: ScenarioName, durations: number[], cached: number, total: number, sizeBytes: number): ScenarioMeasurement {
  const sorted = [...durations].sort((a, b) => a - b);
  return {
    scenario,
    status: "measured",
    runs: durations.map((duration) => run(duration, cached, total)),
    medianMs: sorted[Math.floor(sorted.length / 2)] as number,
    minMs: sorted[0] as number,
    maxMs: sorted.at(-1) as number,
    cacheHitRatio: cached / total,
    sizeBytes,
  };
}

const single: BenchResult = {
  runs: 3,
  scenarios: ["cold", "warm", "code"],
  targets: [
    {
      name: "api",
      contextDir: "/repo/services/api",
      dockerfile: "Dockerfile",
      origin: "docker-compose.yml service api",
      before: {
        label: "before",
        name: "services/api/Dockerfile",
        ownDockerfile: true,
        dockerfileSource: "services/api/Dockerfile",
        sizeBytes: 1_234_000_000,
        scenarios: [
          measured("cold", [40_000, 42_500, 45_000], 0, 5, 1_234_000_000),
          measured("warm", [300, 350, 900], 5, 5, 1_234_000_000),
          { ...measured("code", [20_000, 21_000, 22_000], 1, 5, 1_234_000_000), changedFile: "src/server.ts" },
        ],
      },
    },
  ],
};

const compared: BenchResult = {
  runs: 1,
  scenarios: ["cold", "deps"],
  compare: "/tmp/Dockerfile.fast",
  targets: [
    {
      name: "api",
      contextDir: "/repo/services/api",
      dockerfile: "Dockerfile",
      origin: "docker-compose.yml service api",
      before: {
        label: "before",
        name: "services/api/Dockerfile",
        ownDockerfile: true,
        dockerfileSource: "services/api/Dockerfile",
        sizeBytes: 1_000_000_000,
        scenarios: [measured("cold", [40_000], 0, 5, 1_000_000_000), { ...measured("deps", [30_000], 1, 5, 1_000_000_000), changedFile: "package.json" }],
      },
      after: {
        label: "after",
        name: "/tmp/Dockerfile.fast",
        ownDockerfile: false,
        dockerfileSource: "/tmp/Dockerfile.fast",
        sizeBytes: 250_000_000,
        scenarios: [measured("cold", [20_000], 0, 8, 250_000_000), { scenario: "deps", status: "failed", reason: "the timed build failed at [3/8] RUN npm ci: exit code: 1\nnpm ERR! network\nnpm ERR! second line", runs: [] }],
      },
    },
  ],
};

describe("bench reporters", () => {
  it("formats durations and sizes as people read them", () => {
    assert.equal(formatDuration(850), "850 ms");
    assert.equal(formatDuration(42_500), "42.5 s");
    assert.equal(formatDuration(125_400), "125 s");
    assert.equal(formatBytes(999), "999 B");
    assert.equal(formatBytes(1_234_000_000), "1.23 GB");
    assert.equal(formatBytes(250_000_000), "250 MB");
    assert.equal(formatBytes(74_500_000), "74.5 MB");
  });

  it("tty without --compare: median, min – max, cache hits and what changed, per scenario", () => {
    const text = renderBenchTty(single, { color: false });
    assert.ok(!text.includes("\x1b["), "no escape sequences");
    const lines = text.split("\n");
    assert.match(lines[0] ?? "", /^api \(docker-compose\.yml service api; services\/api\/Dockerfile; 3 runs per scenario\)$/);
    assert.match(text, /\n {2}cold +42\.5 s +40 s – 45 s +0% \(0\/5\) +no cache at all/);
    assert.match(text, /\n {2}warm +350 ms +300 ms – 900 ms +100% \(5\/5\)/);
    assert.match(text, /\n {2}code +21 s +20 s – 22 s +20% \(1\/5\) +src\/server\.ts: comment appended/);
    assert.match(text, /\n {2}image size +1\.23 GB\n/);
    // Columns line up: every row starts its second column at the same place.
    const rows = lines.filter((line) => /^ {2}(scenario|cold|warm|code) /.test(line));
    const secondColumn = rows.map((line) => /^ {2}\S+ +/.exec(line)?.[0].length);
    assert.equal(new Set(secondColumn).size, 1, rows.join("\n"));
  });

  it("tty with --compare: before and after side by side, after/before ratios, image sizes, failures with their log", () => {
    const text = renderBenchTty(compared, { color: false });
    assert.match(text, /before: services\/api\/Dockerfile, after: \/tmp\/Dockerfile\.fast/);
    assert.match(text, /\n {2}scenario +before: services\/api\/Dockerfile +after: \/tmp\/Dockerfile\.fast +after\/before +cache before +cache after\n/);
    assert.match(text, /\n {2}cold +40 s +20 s +0\.50× +0% \(0\/5\) +0% \(0\/8\)\n/);
    assert.match(text, /\n {2}deps +30 s +failed +- +20% \(1\/5\) +-\n/);
    assert.match(text, /\n {2}image size +1 GB +250 MB +0\.25×\n/);
    assert.match(text, /deps \(after\) failed: the timed build failed at \[3\/8\] RUN npm ci: exit code: 1\n +npm ERR! network\n +npm ERR! second line/);
    assert.match(text, /changed: deps: package\.json/);
  });

  it("tty colours ratios only when asked: green faster, red slower", () => {
    const text = renderBenchTty(compared, { color: true });
    assert.ok(text.includes("\x1b[32m0.50×"), "faster is green");
    const slower = structuredClone(compared);
    const after = slower.targets[0]?.after?.scenarios[0];
    if (after) after.medianMs = 80_000;
    assert.ok(renderBenchTty(slower, { color: true }).includes("\x1b[31m2.00×"), "slower is red");
  });

  it("names from the repository cannot inject terminal escapes or Markdown", () => {
    const hostile = structuredClone(single);
    const target = hostile.targets[0];
    if (target) target.name = "api\x1b[2J|*x*";
    assert.ok(!renderBenchTty(hostile, { color: false }).includes("\x1b[2J"));
    const markdown = renderBenchMarkdown(hostile);
    assert.match(markdown, /## api\\\[2J\\\|\\\*x\\\* \(/);
    assert.match(markdown, /\| scenario \| median \| min – max \| cache hits \| what changed \|\n\|---\|---:\|---:\|---:\|---\|\n/);
  });

  it("markdown: one table per target with right-aligned numbers", () => {
    const markdown = renderBenchMarkdown(compared);
    assert.match(markdown, /^# Build benchmark\n/);
    assert.match(markdown, /\| scenario \| before: services\/api\/Dockerfile \| after: \/tmp\/Dockerfile\.fast \| after\/before \| cache before \| cache after \|\n\|---\|---:\|---:\|---:\|---:\|---:\|\n/);
    assert.match(markdown, /\| cold \| 40 s \| 20 s \| 0\.50× \| 0% \(0\/5\) \| 0% \(0\/8\) \|/);
    assert.match(markdown, /- deps \(after\) failed: the timed build failed at \\\[3\/8\\\] RUN npm ci: exit code: 1\n\n {2}```text\n {2}npm ERR! network/);
  });

  it("json: the measurements plus after/before ratios, null where there is no ratio", () => {
    const parsed = JSON.parse(renderBenchJson(compared)) as { version: number; comparisons: { target: string; scenarios: { scenario: string; timeRatio: number | null }[]; sizeRatio: number }[]; targets: unknown[] };
    assert.equal(parsed.version, 1);
    assert.deepEqual(parsed.comparisons, [{ target: "api", scenarios: [{ scenario: "cold", timeRatio: 0.5 }, { scenario: "deps", timeRatio: null }], sizeRatio: 0.25 }]);
    assert.deepEqual(parsed.targets, JSON.parse(JSON.stringify(compared.targets)));
    assert.deepEqual((JSON.parse(renderBench("json", single, { color: false })) as { comparisons: unknown[] }).comparisons, []);
  });

  it("benchTable: the same cells for every format", () => {
    const rows = benchTable(compared.targets[0] as BenchResult["targets"][number]);
    assert.deepEqual(rows.map((row) => row[0]), ["scenario", "cold", "deps", "image size"]);
    assert.ok(rows.every((row) => row.length === 6));
  });
});
