// The pure parts of optimize's documents: the before/after comparison, the strategy document,
// the HTML report (escaping, charts, budgets, regressions) and the dashboard's data from history.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareBench, formatChange } from "../../src/optimize/compare.ts";
import { dashboardData } from "../../src/optimize/dashboard.ts";
import { renderStrategy } from "../../src/optimize/strategy.ts";
import { costEstimateFor } from "../../src/optimize/cost-estimate.ts";
import { budgetLinesFor } from "../../src/optimize/budget-lines.ts";
import { defaultConfig } from "../../src/audit/config.ts";
import type { Series } from "../../src/metrics/series.ts";
import { escapeHtml, renderHtmlReport } from "../../src/report/html.ts";
import { benchOf, optimizeResult } from "./fixtures.ts";

describe("compareBench", () => {
  it("pairs images by name and scenarios measured on both sides; says why the others are missing", () => {
    const result = optimizeResult();
    const comparison = compareBench(result.baseline, result.after);
    assert.deepEqual(
      comparison.rows.map((row) => [row.image, row.scenario, row.beforeMs, row.afterMs, formatChange(row.change)]),
      [
        ["api", "cold", 58_400, 80_000, "+37%"],
        ["api", "warm", 400, 300, "-25%"],
        ["api", "code", 22_300, 4_100, "-82%"],
        ["api", "deps", 31_500, 6_000, "-81%"],
      ],
    );
    assert.deepEqual(comparison.sizes.map((row) => [row.image, formatChange(row.change)]), [["api", "-70%"], ["pricing", "-99%"]]);
    const pricing = comparison.missing.filter((missing) => missing.image === "pricing");
    assert.equal(pricing.length, 4);
    assert.match(pricing[0]?.reason ?? "", /^before: failed \(the timed build failed at RUN cargo build\)/);
  });

  it("without a second measurement every image is listed as not measured again", () => {
    const comparison = compareBench(benchOf({ api: { sizeBytes: 1, ms: { cold: 1 } } }), undefined);
    assert.deepEqual(comparison.rows, []);
    assert.deepEqual(comparison.missing, [{ image: "api", reason: "not measured again: nothing was changed" }]);
  });
});

describe("renderStrategy", () => {
  it("has the changes, the measured table, no invented cost, rollback, build and CI cache sections", () => {
    const result = optimizeResult();
    const text = renderStrategy({ result, comparison: compareBench(result.baseline, result.after) });
    for (const heading of ["## What changed and why", "### Left out", "### Not consolidated", "## Measured before and after", "## Cost estimate", "## Risks and rollback", "## How to build", "## How CI should cache"]) assert.ok(text.includes(heading), heading);
    assert.match(text, /\| api \| 883 MB \| 262 MB \| -70% \|/);
    assert.match(text, /\| api \| code \| 22\.3 s \| 4\.1 s \| -82% \| 50% → 50% \|/);
    assert.match(text, /No cost estimate: nothing was measured after the changes/);
    assert.doesNotMatch(text, /\$\d/, "no money figure");
    assert.match(text, /Slower after the change: api cold \(\+37%\).*load average was 3\.5 .* and 7\.25 .* on 2 CPUs/);
    assert.match(text, /`git show 0123456789ab:PATH`/);
    assert.match(text, /\| api \| `docker compose build api` \|/);
    assert.match(text, /services\/web\/Dockerfile` \| multi-stage rewrite \(static-web\) \| verify found 1 unexpected difference: http GET \/: status 200 -&gt; 404 \|/);
  });

  it("shows the cost section it is given", () => {
    const result = optimizeResult();
    const text = renderStrategy({ result, comparison: compareBench(result.baseline, result.after), cost: { markdown: "Estimated: 12 build minutes a day fewer." } });
    assert.match(text, /## Cost estimate\n\nEstimated: 12 build minutes a day fewer\./);
  });

  it("escapes what comes from the repository", () => {
    const result = optimizeResult({ changes: [{ step: "fix", path: "services/x|y/Dockerfile", what: "fixes", applied: false, reason: "<img src=x onerror=alert(1)> *bold*" }] });
    const text = renderStrategy({ result, comparison: compareBench(result.baseline, result.after) });
    assert.ok(!text.includes("<img"), "no HTML from a reason");
    assert.ok(text.includes("\\*bold\\*"));
    assert.ok(text.includes("x\\|y"));
  });
});

describe("renderHtmlReport", () => {
  it("escapes text and attributes, and has no script and a CSP that forbids requests", () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    const payload = `"><script>alert(1)</script><img src=x onerror=alert(2)>`;
    const html = renderHtmlReport({
      title: payload,
      generatedAt: "2026-01-01",
      repository: payload,
      images: [{ image: payload, size: [{ label: payload, title: payload, value: 10 }, { label: "b", title: "b", value: 20, regression: true }], buildTime: [], cacheHit: [], sources: { size: payload }, budget: { sizeBytes: 15 }, regressions: [payload] }],
      layers: [{ image: payload, sizeBytes: 1, wastedBytes: 0, efficiency: 1, layers: [{ instruction: payload, sizeBytes: 1, wastedBytes: 0 }] }],
      notes: [payload],
    });
    assert.doesNotMatch(html, /<script|<img/);
    assert.ok(html.includes("&lt;img src=x onerror=alert(2)&gt;"), "the payload is text");
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
    assert.match(html, /<line class="budget"/, "the budget line is drawn");
    assert.match(html, /<circle class="point regression"/, "the regression is highlighted");
    assert.match(html, /<p class="regression">/);
  });
});

describe("dashboardData", () => {
  const point = (runId: number, commit: string, value: number) => ({ runId, recordedAt: `2026-01-0${runId}T10:00:00.000Z`, gitCommit: commit, gitBranch: "main", dockerfile: null, dockerfileHash: null, value });
  const series = (kind: string, scenario: string, metric: string, values: number[]): Series => ({ key: { repository: "/r", image: "shop-api", kind, scenario, metric }, points: values.map((value, index) => point(index + 1, `${index + 1}`.repeat(40), value)) });

  it("charts size, build time and cache hits per image over the commits and flags the regressions", () => {
    const data = dashboardData({
      series: [series("bench", "cold", "sizeBytes", [100, 100, 130]), series("bench", "cold", "medianMs", [1000, 1100, 1150]), series("bench", "code", "cacheHitRatio", [0.5, 0.6, 0.7]), series("build", "", "sizeBytes", [200, 210, 300])],
      subjects: new Map([["3".repeat(40), "add curl"]]),
      repository: "/r",
      generatedAt: "now",
    });
    const image = data.images[0];
    assert.ok(image !== undefined);
    assert.deepEqual(image.size.map((entry) => entry.value), [200, 210, 300], "build sizes win over bench sizes");
    assert.deepEqual(image.size.map((entry) => entry.regression === true), [false, false, true]);
    assert.deepEqual(image.buildTime.map((entry) => entry.regression === true), [false, false, false], "+10% and +5% are within the 20% time threshold");
    assert.equal(image.size[2]?.label, "3333333");
    assert.match(image.size[2]?.title ?? "", /^3333333 add curl \(2026-01-03 10:00, main\)$/);
    assert.equal(image.regressions.length, 1);
    assert.match(image.regressions[0] ?? "", /size went from 210 B \(2222222\) to 300 B \(3333333\), \+43%/);
    assert.ok(data.notes.some((note) => note.startsWith("No budget lines")));
  });
});

describe("costEstimateFor (shipshape cost on optimize's measurements)", () => {
  it("prices the measured before and after sizes and build times, with the assumptions labelled", () => {
    const section = costEstimateFor(optimizeResult(), defaultConfig());
    assert.ok(section !== undefined);
    // api: 883 MB before, 262 MB after (measured); pushed = 0.4 x size (assumed); 10 tags x $0.25/GB-month; 100 pulls x $0.50/GB.
    assert.match(section.markdown, /\| api \| image size \| 883 MB \(measured\) \|/);
    assert.match(section.markdown, /\| api \| image size \| 262 MB \(measured\) \|/);
    assert.match(section.markdown, /registry storage, per month \/ year \| \$0\.88 \/ \$10\.60 \(assumed\)/); // 10 x 0.3532 GB x 0.25
    assert.match(section.markdown, /egress \(pulls\), per month \/ year \| \$17\.66 \/ \$211\.92 \(assumed\)/); // 100 x 0.3532 GB x 0.50
    assert.match(section.markdown, /\*\*Saving: \$\d+\.\d\d per month/);
    assert.doesNotMatch(section.markdown, /^## /m, "no second level-2 heading inside the strategy's Cost estimate section");
    const text = renderStrategy({ result: optimizeResult(), comparison: compareBench(optimizeResult().baseline, optimizeResult().after), cost: section });
    assert.match(text, /## Cost estimate\n\nBasis: shipshape optimize/);
  });

  it("gives no estimate when nothing was measured after the changes", () => {
    const result = optimizeResult();
    delete result.after;
    assert.equal(costEstimateFor(result, defaultConfig()), undefined);
  });
});

describe("budgetLinesFor (budgets: in the config, drawn by the HTML report)", () => {
  it("finds an image's size and build-time budget by name or reference", () => {
    const config = { ...defaultConfig(), budgets: { api: { maxSize: 300_000_000, maxBuildTime: 60_000 }, "shipshape/shop-web": { maxSize: 100_000_000 } } };
    assert.deepEqual(budgetLinesFor(config, "api"), { sizeBytes: 300_000_000, buildMs: 60_000 });
    assert.deepEqual(budgetLinesFor(config, "shipshape/shop-web:latest"), { sizeBytes: 100_000_000 });
    assert.equal(budgetLinesFor(config, "worker"), undefined);
    assert.equal(budgetLinesFor(defaultConfig(), "api"), undefined);
  });
});
