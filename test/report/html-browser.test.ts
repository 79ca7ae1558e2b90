// The HTML report in a real browser: Debian's chromium, headless, driven by playwright-core. The
// report comes from the real pipeline (`shipshape report --html` over a metrics database and a
// saved optimize result) for a repository whose commit message and image label carry XSS
// payloads. Checked: no console error, no request but the file itself, every chart drawn, the
// before/after table shows the measured numbers, the payloads are text (no element, nothing ran).
// The screenshot is kept in test-artifacts/. Skips when /usr/bin/chromium is missing, except in CI
// (CI=true), where .ci/run installs it and a missing browser is a failure.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import type { BenchResult } from "../../src/bench/result.ts";
import { runCli } from "../../src/cli/main.ts";
import { formatBytes, formatDuration } from "../../src/format/index.ts";
import { recordMetricsAt } from "../../src/metrics/record.ts";
import { lastOptimizePath } from "../../src/optimize/dashboard.ts";
import type { OptimizeResult } from "../../src/optimize/result.ts";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = path.resolve(import.meta.dirname, "../../test-artifacts");
export const CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const missing = !fs.existsSync(CHROMIUM);
const skip = missing && process.env.CI !== "true" ? `${CHROMIUM} is not installed (apt-get install -y chromium; .ci/run does)` : false;

const SCRIPT_PAYLOAD = "<script>window.__xss = 'script'</script>";
const IMG_PAYLOAD = `"><img src=x onerror="window.__xss = 'img'">`;
const roots: string[] = [];
after(() => {
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
});

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", ...args], { cwd, encoding: "utf8" }).trim();
}

function bench(image: string, sizeBytes: number, codeMs: number, coldMs: number): BenchResult {
  const scenario = (name: "cold" | "code", medianMs: number) => ({ scenario: name, status: "measured" as const, runs: [], medianMs, cacheHitRatio: name === "code" ? 0.5 : 0, sizeBytes });
  return { runs: 1, scenarios: ["cold", "code"], targets: [{ name: image, contextDir: "/x", dockerfile: "Dockerfile", origin: "compose", before: { label: "before", name: "Dockerfile", ownDockerfile: true, dockerfileSource: "Dockerfile", sizeBytes, scenarios: [scenario("cold", coldMs), scenario("code", codeMs)] } }] };
}

/** A repository with two commits (the second's message is an XSS payload), two recorded runs and a saved optimize result. */
async function repository(): Promise<{ root: string; html: string; result: OptimizeResult }> {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-html-browser-")));
  roots.push(root);
  git(root, "init", "-q", "-b", "main");
  fs.writeFileSync(path.join(root, "Dockerfile"), "FROM debian:bookworm-slim\n");
  git(root, "add", ".");
  git(root, "commit", "-q", "-m", "first build");
  const first = git(root, "rev-parse", "HEAD");
  fs.writeFileSync(path.join(root, "app.txt"), "2\n");
  git(root, "add", ".");
  git(root, "commit", "-q", "-m", `${SCRIPT_PAYLOAD} ${IMG_PAYLOAD}`);
  const second = git(root, "rev-parse", "HEAD");
  const image = `api${IMG_PAYLOAD}${SCRIPT_PAYLOAD}`;
  const dbPath = path.join(root, ".shipshape", "metrics.db");
  for (const [commit, size, cold, code] of [[first, 883_000_000, 58_400, 22_300], [second, 262_000_000, 31_000, 4_100]] as const) {
    await recordMetricsAt(
      [
        { kind: "bench", image, scenario: "cold", metrics: { medianMs: cold, sizeBytes: size } },
        { kind: "bench", image, scenario: "code", metrics: { medianMs: code, cacheHitRatio: commit === first ? 0.4 : 0.8 } },
      ],
      { cwd: root, dbPath, git: { root, commit, branch: "main", dirty: false }, now: new Date(), busyTimeoutMs: 1000, toolVersion: "test" },
    );
  }
  const result: OptimizeResult = {
    version: 1,
    target: ".",
    startedAt: "2026-01-01T00:00:00.000Z",
    finishedAt: "2026-01-01T00:10:00.000Z",
    mode: "branch",
    branch: "shipshape/optimize-test",
    baseCommit: first,
    runs: 1,
    scenarios: ["cold", "code"],
    baseline: bench(image, 883_000_000, 22_300, 58_400),
    after: bench(image, 262_000_000, 4_100, 31_000),
    changes: [{ step: "fix", path: `services/${IMG_PAYLOAD}/Dockerfile`, what: "multi-stage rewrite (node)", applied: true, verification: `built and verified ${SCRIPT_PAYLOAD}` }],
    notConsolidated: [],
    commits: [],
    documents: [],
    layers: [{ image, sizeBytes: 262_000_000, wastedBytes: 1_000_000, efficiency: 0.99, layers: [{ instruction: `RUN echo ${IMG_PAYLOAD}`, sizeBytes: 200_000_000, wastedBytes: 1_000_000 }, { instruction: "COPY . .", sizeBytes: 62_000_000, wastedBytes: 0 }] }],
    phaseSeconds: { baseline: 60 },
    audit: { findings: 3, byImpact: { high: 3 }, files: 1 },
    buildCommands: [{ image, command: "docker compose build api" }],
    machine: { cpus: 2, loadBaseline: 1, loadAfter: 1 },
  };
  fs.writeFileSync(lastOptimizePath(dbPath), JSON.stringify(result));
  const html = path.join(root, "report.html");
  let stderr = "";
  const code = await runCli(["report", root, "--html", html], { stdout: () => undefined, stderr: (text) => (stderr += text), cwd: root, env: {}, isTTY: false });
  assert.equal(code, 0, stderr);
  return { root, html, result };
}

describe("the HTML report in headless Chromium", { skip }, () => {
  it("loads offline without errors or requests, draws every chart, shows the measured numbers, and runs nothing from the repository", { timeout: 120_000 }, async () => {
    assert.ok(!missing, `${CHROMIUM} is missing; .ci/run installs it (apt-get install -y chromium)`);
    const { root, html } = await repository();
    const text = fs.readFileSync(html, "utf8");
    assert.doesNotMatch(text, /<script|<img|onerror="/i, "no markup from the repository survives escaping");

    const { chromium } = await import("playwright-core");
    const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-chromium-profile-"));
    roots.push(userDataDir);
    const context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const consoleErrors: string[] = [];
      const requests: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error") consoleErrors.push(message.text());
      });
      page.on("pageerror", (error) => consoleErrors.push(error.message));
      page.on("request", (request) => requests.push(request.url()));
      const url = pathToFileURL(html).href;
      await page.goto(url, { waitUntil: "load" });

      assert.deepEqual(consoleErrors, [], "no console errors");
      assert.deepEqual(requests, [url], "no request but the report itself");
      assert.equal(await page.evaluate(() => (window as unknown as { __xss?: string }).__xss), undefined, "no payload ran");
      assert.equal(await page.locator("script, img").count(), 0, "no script or img element");
      const bodyText = await page.locator("body").innerText();
      assert.ok(bodyText.includes(SCRIPT_PAYLOAD), "the script payload shows as text");
      assert.ok(bodyText.includes(`api"><img src=x onerror=`), "the image label shows as text");

      const charts = page.locator("svg.chart");
      const count = await charts.count();
      assert.ok(count >= 5, `size, build time, cache hit, before/after size and time, layers: ${count} charts`);
      for (let index = 0; index < count; index++) {
        const chart = charts.nth(index);
        const kind = await chart.getAttribute("data-chart");
        const marks = await chart.locator("circle, rect, polyline").count();
        const box = await chart.boundingBox();
        assert.ok(marks > 0, `chart ${kind} draws marks`);
        assert.ok(box !== null && box.width > 0 && box.height > 0, `chart ${kind} has a size on the page`);
      }
      assert.equal(await page.locator('svg[data-chart="size"] circle.regression').count(), 0, "a smaller image is no regression");

      const sizeRow = await page.locator("#size-table tbody tr").first().innerText();
      assert.match(sizeRow, new RegExp(`${formatBytes(883_000_000)}\\s+${formatBytes(262_000_000)}\\s+-70%`));
      const timeRows = await page.locator("#time-table tbody tr").allInnerTexts();
      assert.ok(timeRows.some((row) => row.includes(formatDuration(22_300)) && row.includes(formatDuration(4_100)) && row.includes("-82%")), timeRows.join("\n"));

      fs.mkdirSync(ARTIFACTS, { recursive: true });
      const screenshot = path.join(ARTIFACTS, "html-report.png");
      await page.screenshot({ path: screenshot, fullPage: true });
      assert.ok(fs.statSync(screenshot).size > 10_000, "the screenshot holds a page");
      void root;
    } finally {
      await context.close();
    }
  });
});
