import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkRegressions, parseRegressionThresholds } from "../../src/metrics/regression.ts";
import { findBasePoint, groupSeries } from "../../src/metrics/series.ts";
import type { MeasurementRow } from "../../src/metrics/store.ts";

interface RunSpec {
  commit: string;
  branch: string | null;
  image?: string;
  kind?: string;
  scenario?: string;
  metrics: Record<string, number>;
}

/** Rows as queryMeasurements returns them, one run per spec, in order. */
function rowsOf(runs: RunSpec[]): MeasurementRow[] {
  return runs.flatMap((run, index) =>
    Object.entries(run.metrics).map(([metric, value]) => ({
      runId: index + 1,
      recordedAt: new Date(Date.UTC(2026, 0, index + 1)).toISOString(),
      repository: "/repo",
      gitCommit: run.commit,
      gitBranch: run.branch,
      gitDirty: false,
      kind: run.kind ?? "build",
      image: run.image ?? "shop:api",
      scenario: run.scenario ?? "",
      dockerfile: "Dockerfile",
      dockerfileHash: null,
      metric,
      value,
    })),
  );
}

const sha = (digit: string): string => digit.repeat(40);

describe("regression thresholds", () => {
  it("parses size and time percentages, with or without %", () => {
    assert.deepEqual(parseRegressionThresholds("size=10%,time=20%"), { size: 10, time: 20 });
    assert.deepEqual(parseRegressionThresholds(" time = 2.5 "), { time: 2.5 });
  });

  it("rejects unknown categories and malformed pairs with a message that shows the syntax", () => {
    assert.throws(() => parseRegressionThresholds("layers=10%"), /unknown category 'layers'/);
    assert.throws(() => parseRegressionThresholds("size:10"), /not CATEGORY=PERCENT/);
    assert.throws(() => parseRegressionThresholds("size=-5%"), /not CATEGORY=PERCENT/);
    assert.throws(() => parseRegressionThresholds(""), /size=10%,time=20%/);
  });
});

describe("regression detection", () => {
  it("size +15% with a 10% threshold is a regression; +5% is not", () => {
    const grown = checkRegressions(groupSeries(rowsOf([{ commit: sha("1"), branch: "main", metrics: { sizeBytes: 100_000_000 } }, { commit: sha("2"), branch: "main", metrics: { sizeBytes: 115_000_000 } }])), { size: 10 });
    assert.equal(grown.regressed, true);
    assert.equal(grown.comparisons.length, 1);
    assert.ok(Math.abs((grown.comparisons[0]?.changePercent ?? 0) - 15) < 1e-9);
    assert.equal(grown.comparisons[0]?.base?.gitCommit, sha("1"));

    const slightly = checkRegressions(groupSeries(rowsOf([{ commit: sha("1"), branch: "main", metrics: { sizeBytes: 100_000_000 } }, { commit: sha("2"), branch: "main", metrics: { sizeBytes: 105_000_000 } }])), { size: 10 });
    assert.equal(slightly.regressed, false);
    assert.equal(slightly.comparisons[0]?.regressed, false);
  });

  it("time checks build durationMs and bench medianMs per scenario, not other metrics", () => {
    const rows = rowsOf([
      { commit: sha("1"), branch: "main", metrics: { durationMs: 10_000, maxMs: 10 } },
      { commit: sha("1"), branch: "main", kind: "bench", scenario: "warm", metrics: { medianMs: 2000, minMs: 100 } },
      { commit: sha("1"), branch: "main", kind: "bench", scenario: "cold", metrics: { medianMs: 9000 } },
      { commit: sha("2"), branch: "main", metrics: { durationMs: 11_000, maxMs: 1000 } },
      { commit: sha("2"), branch: "main", kind: "bench", scenario: "warm", metrics: { medianMs: 2500, minMs: 900 } },
      { commit: sha("2"), branch: "main", kind: "bench", scenario: "cold", metrics: { medianMs: 9100 } },
    ]);
    const result = checkRegressions(groupSeries(rows), { time: 20 });
    assert.deepEqual(
      result.comparisons.map((comparison) => [comparison.key.kind, comparison.key.scenario, comparison.key.metric, comparison.regressed]),
      [
        ["build", "", "durationMs", false],
        ["bench", "cold", "medianMs", false],
        ["bench", "warm", "medianMs", true],
      ],
    );
    assert.equal(result.regressed, true);
    // The size category was not asked for: no comparison, no failure.
    assert.equal(checkRegressions(groupSeries(rows), { size: 1 }).comparisons.length, 0);
  });

  it("compares with the previous run on the same branch, skipping runs on other branches", () => {
    const series = groupSeries(
      rowsOf([
        { commit: sha("1"), branch: "main", metrics: { sizeBytes: 100 } },
        { commit: sha("2"), branch: "feature", metrics: { sizeBytes: 300 } },
        { commit: sha("3"), branch: "main", metrics: { sizeBytes: 108 } },
      ]),
    );
    const result = checkRegressions(series, { size: 10 });
    assert.equal(result.comparisons[0]?.base?.gitCommit, sha("1"));
    assert.equal(result.regressed, false);
    // A first run on a branch has nothing to compare with: reported, not a failure.
    const first = checkRegressions(groupSeries(rowsOf([{ commit: sha("1"), branch: "main", metrics: { sizeBytes: 100 } }, { commit: sha("2"), branch: "topic", metrics: { sizeBytes: 999 } }])), { size: 10 });
    assert.equal(first.comparisons[0]?.base, null);
    assert.equal(first.regressed, false);
  });

  it("a zero base value gives no percentage and no failure", () => {
    const result = checkRegressions(groupSeries(rowsOf([{ commit: sha("1"), branch: "main", metrics: { durationMs: 0 } }, { commit: sha("2"), branch: "main", metrics: { durationMs: 50 } }])), { time: 10 });
    assert.equal(result.comparisons[0]?.changePercent, null);
    assert.equal(result.regressed, false);
  });

  it("--baseline picks the latest run at the ref's commit, an abbreviated SHA, or else a branch of that name", () => {
    const rows = rowsOf([
      { commit: sha("a"), branch: "main", metrics: { sizeBytes: 100 } },
      { commit: sha("b"), branch: "main", metrics: { sizeBytes: 104 } },
      { commit: sha("a"), branch: "main", metrics: { sizeBytes: 101 } },
      { commit: sha("c"), branch: "feature", metrics: { sizeBytes: 110 } },
      { commit: sha("d"), branch: "feature", metrics: { sizeBytes: 120 } },
    ]);
    const [series] = groupSeries(rows);
    assert.ok(series !== undefined);
    assert.equal(findBasePoint(series, { ref: "v1.0", commit: sha("a") })?.value, 101, "latest run at the resolved commit");
    assert.equal(findBasePoint(series, { ref: "bbbbbbb", commit: null })?.value, 104, "abbreviated SHA without git");
    assert.equal(findBasePoint(series, { ref: "main", commit: sha("e") })?.value, 101, "no run at the branch head: latest run on that branch");
    assert.equal(findBasePoint(series, { ref: "nowhere", commit: null }), null);
    assert.equal(findBasePoint(series)?.value, 110, "default: previous run on the same branch");

    assert.equal(checkRegressions([series], { size: 10 }, { ref: "main", commit: sha("a") }).regressed, true, "120 vs 101 is +18.8%");
    assert.equal(checkRegressions([series], { size: 10 }).regressed, false, "120 vs 110 is +9.1%");
  });
});
