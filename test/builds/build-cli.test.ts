// `shipshape build` against a real Docker Engine: a tiny compose repository built from
// debian:bookworm-slim through the CLI. Checks the table, the tags and labels on the engine, the
// recorded measurements, and that a failing service shows its step and log tail, exits 1 and
// does not stop the others. Skips when no engine answers (SHIPSHAPE_REQUIRE_DOCKER=1: fails).
// Every image created is removed afterwards.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { BuildRunReport } from "../../src/builds/summary.ts";
import { runCli } from "../../src/cli/main.ts";
import type { CliIO } from "../../src/cli/io.ts";
import { ApiEngine } from "../../src/engine/api-engine.ts";
import { loadSqlite, openMetricsDatabase, queryMeasurements } from "../../src/metrics/store.ts";
import { engineStatus, failIfRequired } from "../helpers/engine.ts";

const BASE = "debian:bookworm-slim";
const engine = new ApiEngine();
const status = await engineStatus(engine, [BASE]);

let scratch = "";
let repo = "";
let repoName = "";
const tagOf = (service: string): string => `shipshape/${repoName}-${service}:latest`;

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIO = {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    cwd: scratch,
    env: { ...process.env, NO_COLOR: "1" },
    isTTY: false,
    stderrIsTTY: false,
  };
  return runCli(args, io).then((code) => ({ code, stdout, stderr }));
}

before(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-build-cli-test-"));
  repoName = `shipshape-build-test-${randomBytes(4).toString("hex")}`;
  repo = path.join(scratch, repoName);
  const files: Record<string, string> = {
    "docker-compose.yml": [
      "services:",
      "  alpha:",
      "    build: ./alpha",
      "  beta:",
      "    build:",
      "      context: ./beta",
      "      dockerfile: Dockerfile.beta",
      "      args:",
      "        GREETING: hello-from-compose",
      "  broken:",
      "    build: ./broken",
      "  db:",
      "    image: postgres:16",
      "",
    ].join("\n"),
    "alpha/Dockerfile": `FROM ${BASE}\nRUN echo alpha > /alpha.txt\nCOPY app.txt /app.txt\n`,
    "alpha/app.txt": "alpha app\n",
    "beta/Dockerfile.beta": `FROM ${BASE}\nARG GREETING\nRUN echo "$GREETING" > /greeting.txt\nCMD ["cat", "/greeting.txt"]\n`,
    "broken/Dockerfile": `FROM ${BASE}\nRUN echo broken-step-ok\nRUN echo first-log-line && echo last-log-line && exit 7\n`,
  };
  for (const [relative, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(repo, relative)), { recursive: true });
    fs.writeFileSync(path.join(repo, relative), content);
  }
});

after(async () => {
  for (const service of ["alpha", "beta", "broken"]) {
    try {
      await engine.removeImage(tagOf(service));
    } catch {
      // Not built (skipped or failed).
    }
  }
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe("shipshape build (real engine)", { skip: status.skip }, () => {
  it("has a usable engine", () => failIfRequired(status));

  it("builds the compose services, tags and labels them, and records the measurements", async () => {
    const dbPath = path.join(scratch, "metrics.db");
    const { code, stdout, stderr } = await cli(["build", repoName, "--service", "alpha", "--service", "beta", "--format", "json", "--db", dbPath]);
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout) as BuildRunReport;
    assert.deepEqual(
      report.images.map((image) => [image.name, image.tag, image.ok, image.origin]),
      [
        ["alpha", tagOf("alpha"), true, "docker-compose.yml service alpha"],
        ["beta", tagOf("beta"), true, "docker-compose.yml service beta"],
      ],
    );
    const baseLayers = (await engine.inspectImage(BASE)).layers.length;
    // alpha: FROM, RUN, COPY (two layers of its own); beta: FROM, RUN (ARG and CMD are not steps).
    const expected = new Map([
      ["alpha", { steps: 3, layers: baseLayers + 2 }],
      ["beta", { steps: 2, layers: baseLayers + 1 }],
    ]);
    for (const image of report.images) {
      const inspected = await engine.inspectImage(image.tag);
      assert.equal(inspected.id, image.imageId);
      assert.equal(image.sizeBytes, inspected.size);
      assert.equal(image.layers, expected.get(image.name)?.layers);
      assert.equal(image.layers, inspected.layers.length);
      assert.equal(inspected.labels["shipshape.build"], "1");
      // Cache counts leave FROM out.
      assert.equal(image.steps, (expected.get(image.name)?.steps ?? 0) - 1);
      assert.ok(image.durationMs > 0);
    }
    // The compose build arg reached the build.
    const run = await engine.run({ image: tagOf("beta"), network: "none" });
    assert.equal(run.stdout.trim(), "hello-from-compose");
    // Plain progress: one line per completed step.
    assert.match(stderr, /^\[alpha\] #\d+ RUN echo alpha > \/alpha\.txt (\d+\.\ds|CACHED)$/m);
    assert.match(stderr, /^\[beta\] done in \d+\.\ds \(2\/2 steps, \d cached\)$/m);
    assert.ok(!stderr.includes("\u001b"));

    const sqlite = await loadSqlite();
    const db = openMetricsDatabase(sqlite, dbPath);
    try {
      const rows = queryMeasurements(db, { image: tagOf("alpha") });
      const metrics = Object.fromEntries(rows.map((row) => [row.metric, row.value]));
      const alpha = report.images[0];
      assert.deepEqual(metrics, { sizeBytes: alpha?.sizeBytes, layers: alpha?.layers, durationMs: alpha?.durationMs, cacheHitRatio: alpha?.cacheHitRatio });
      assert.ok(rows.every((row) => row.kind === "build" && row.dockerfile?.endsWith("alpha/Dockerfile")));
    } finally {
      db.close();
    }
  });

  it("a failing service shows its step and log tail, exits 1, and the others still build", async () => {
    const { code, stdout, stderr } = await cli(["build", repo, "--no-history"]);
    assert.equal(code, 1, stderr);
    const lines = stdout.split("\n");
    const header = lines[0] ?? "";
    assert.match(header, /^image +tag +size +layers +build time +cache hit$/);
    const row = (service: string): string => lines.find((line) => line.startsWith(`${service} `)) ?? "";
    const alphaLayers = (await engine.inspectImage(tagOf("alpha"))).layers.length;
    assert.match(row("alpha"), new RegExp(`^alpha +${tagOf("alpha").replace(/[.]/g, "\\.")} +[\\d.]+ [kMG]?B +${alphaLayers} +[\\d.]+ m?s +\\d+%$`));
    // Built a moment ago: its RUN and COPY come from the cache.
    assert.match(row("alpha"), / 100%$/);
    assert.match(row("broken"), /^broken +\S+ +FAILED +- /);
    assert.ok(stdout.includes("2 of 3 images built"));
    const failure = stdout.slice(stdout.indexOf("broken failed at"));
    assert.match(failure, /^broken failed at \[3\/3\] RUN echo first-log-line && echo last-log-line && exit 7\n/);
    assert.match(failure, /exit code: 7/);
    assert.match(failure, /\| first-log-line\n {2}\| last-log-line\n/);
    assert.match(stderr, /^\[broken\] #\d+ RUN echo first-log-line && echo last-log-line && exit 7 ERROR: .*exit code: 7$/m);
    // The failed service has no image; the others do.
    await assert.rejects(engine.inspectImage(tagOf("broken")));
    await engine.inspectImage(tagOf("beta"));
    // --no-history: nothing written next to the repository.
    assert.equal(fs.existsSync(path.join(repo, ".shipshape")), false);
  });

  it("an unknown --service is a usage error (exit 2) before anything builds", async () => {
    const { code, stderr } = await cli(["build", repo, "--service", "gamma"]);
    assert.equal(code, 2);
    assert.match(stderr, /unknown service "gamma": this repository builds alpha, beta, broken/);
  });
});
