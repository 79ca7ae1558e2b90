import assert from "node:assert/strict";
import fs from "node:fs";
import { describe, it } from "node:test";
import { paint } from "../../src/format/index.ts";
import { REGRESSION_METRICS } from "../../src/metrics/regression.ts";
import { buildHistory, formatChange, formatMetricValue, renderHistoryMarkdown, renderHistoryTty, sparkline } from "../../src/metrics/report.ts";
import { groupSeries } from "../../src/metrics/series.ts";
import { LATEST_SCHEMA_VERSION } from "../../src/metrics/store.ts";
import type { MeasurementRow } from "../../src/metrics/store.ts";

function row(runId: number, image: string, metric: string, value: number): MeasurementRow {
  return {
    runId,
    recordedAt: `2026-01-0${runId}T00:00:00.000Z`,
    repository: "/repo",
    gitCommit: `${runId}`.repeat(40),
    gitBranch: "main",
    gitDirty: false,
    kind: "build",
    image,
    scenario: "",
    dockerfile: null,
    dockerfileHash: null,
    metric,
    value,
  };
}

describe("history reporters", () => {
  it("formats values by the metric name convention", () => {
    assert.equal(formatMetricValue("sizeBytes", 118_400_000), "118 MB");
    assert.equal(formatMetricValue("wastedBytes", 999), "999 B");
    assert.equal(formatMetricValue("durationMs", 250), "250 ms");
    assert.equal(formatMetricValue("medianMs", 12_345), "12.3 s");
    assert.equal(formatMetricValue("cacheHitRatio", 0.825), "82.5%");
    // A fraction, as `layers --format json` records it (dive's name, dive's unit).
    assert.equal(formatMetricValue("userWastedPercent", 0.0314159), "3.1%");
    assert.equal(formatMetricValue("userWastedPercent", 20), "2000.0%");
    assert.equal(formatMetricValue("equivalent", 0), "no");
    assert.equal(formatMetricValue("layers", 7), "7");
    assert.equal(formatChange(9.26, true), "+9.3%");
    assert.equal(formatChange(-4, true), "-4.0%");
    assert.equal(formatChange(null, false), "no base");
  });

  it("draws the series between its smallest and largest value", () => {
    assert.equal(sparkline([1, 2, 3, 4, 5, 6, 7, 8]), "▁▂▃▄▅▆▇█");
    assert.equal(sparkline([5, 5]), "▄▄");
    assert.equal(sparkline([]), "");
  });

  it("keeps names from the database from injecting terminal escapes or Markdown", () => {
    const report = buildHistory(groupSeries([row(1, "evil\u001b[31m|*x*", "sizeBytes", 1), row(2, "evil\u001b[31m|*x*", "sizeBytes", 2)]), { database: "/db" });
    const tty = renderHistoryTty(report, { color: false });
    assert.ok(!tty.includes("\u001b"));
    const markdown = renderHistoryMarkdown(report);
    assert.ok(!markdown.includes("\u001b"));
    assert.match(markdown, /^### evil\\\[31m\\\|\\\*x\\\*$/m);
    assert.match(markdown, /\| build \| - \| sizeBytes \| 2 B \| \+100\.0% \|/);
  });

  it("colours only when asked: an increase of a lower-is-better metric red", () => {
    const report = buildHistory(groupSeries([row(1, "app", "sizeBytes", 100), row(2, "app", "sizeBytes", 150)]), { database: "/db" });
    assert.ok(renderHistoryTty(report, { color: true }).includes(paint(true, "red", "+50.0%")));
    assert.ok(!renderHistoryTty(report, { color: false }).includes("\u001b["));
  });
});

describe("docs/metrics.md", () => {
  const doc = fs.readFileSync(new URL("../../docs/metrics.md", import.meta.url), "utf8");

  it("lists the metrics each regression category checks", () => {
    for (const [category, metrics] of Object.entries(REGRESSION_METRICS)) {
      const line = doc.split("\n").find((text) => text.startsWith(`| \`${category}\` |`));
      assert.ok(line !== undefined, `a table row for ${category}`);
      const documented = [...line.matchAll(/`(\w+)`/g)].map((match) => match[1]).slice(1);
      assert.deepEqual(documented, [...metrics]);
    }
  });

  it("describes every schema version", () => {
    const section = doc.split("## Schema")[1] ?? "";
    const versions = [...section.matchAll(/^\| (\d+) \|/gm)].map((match) => Number(match[1]));
    assert.deepEqual(versions, Array.from({ length: LATEST_SCHEMA_VERSION }, (_, index) => index + 1));
  });
});
