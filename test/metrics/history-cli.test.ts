import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { describe, it } from "node:test";
import { tempDirectory } from "../helpers/temp-dir.ts";
import { runCli } from "../../src/cli/main.ts";
import { recordMetrics } from "../../src/metrics/record.ts";
import { loadSqlite, migrate, openMetricsDatabase } from "../../src/metrics/store.ts";

function tempDir(): string {
  return tempDirectory("shipshape-history-");
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", ...args], { cwd, encoding: "utf8" }).trim();
}

async function run(args: string[], cwd: string, env: Record<string, string | undefined> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), cwd, env, isTTY: false });
  return { code, stdout, stderr };
}

/**
 * A repository with three commits: v1 (tagged) records 100 MB, the second 108 MB, the third 118 MB
 * (+9.3% vs the previous run, +18% vs v1). Bench medianMs goes 1000 -> 1000 -> 1300 ms.
 */
async function repositoryWithHistory(): Promise<{ root: string; commits: string[] }> {
  const root = tempDir();
  git(root, "init", "-q", "-b", "main");
  fs.writeFileSync(path.join(root, "Dockerfile"), "FROM debian:bookworm-slim\n");
  const sizes = [100_000_000, 108_000_000, 118_000_000];
  const medians = [1000, 1000, 1300];
  const commits: string[] = [];
  for (const [index, size] of sizes.entries()) {
    fs.writeFileSync(path.join(root, "app.txt"), `version ${index}\n`);
    git(root, "add", ".");
    git(root, "commit", "-q", "-m", `change ${index}`);
    if (index === 0) git(root, "tag", "v1");
    commits.push(git(root, "rev-parse", "HEAD"));
    await recordMetrics([{ kind: "build", image: "shop:api", dockerfile: "Dockerfile", metrics: { sizeBytes: size, durationMs: 5000 + index } }], { cwd: root });
    await recordMetrics([{ kind: "bench", image: "shop:api", scenario: "warm", metrics: { medianMs: medians[index] ?? 0 } }], { cwd: root });
  }
  await recordMetrics([{ kind: "build", image: "shop:web", metrics: { sizeBytes: 50_000_000 } }], { cwd: root });
  return { root, commits };
}

interface HistoryJson {
  database: string;
  images: Array<{ image: string; series: Array<{ kind: string; scenario: string; metric: string; latest: { value: number }; base: { value: number; gitCommit: string } | null; changePercent: number | null; values: number[]; runs: number }> }>;
  regression: { regressed: boolean; comparisons: Array<{ image: string; metric: string; scenario: string; regressed: boolean; changePercent: number | null }> } | null;
}

describe("shipshape history", () => {
  it("prints trends per image: latest value, change vs the previous run, and the series", async () => {
    const { root, commits } = await repositoryWithHistory();
    const tty = await run(["history"], root);
    assert.equal(tty.code, 0, tty.stderr);
    assert.equal(tty.stderr, "");
    assert.match(tty.stdout, /\.shipshape\/metrics\.db/);
    assert.match(tty.stdout, /^shop:api$/m);
    assert.match(tty.stdout, /build +- +sizeBytes +118 MB +\+9\.3% +vs [0-9a-f]{7} +▁▄█ \(3 runs\)/);
    assert.match(tty.stdout, /bench +warm +medianMs +1\.3 s +\+30\.0%/);
    assert.match(tty.stdout, /^shop:web$/m);
    assert.ok(!tty.stdout.includes("\u001b["), "no colour when not a TTY");

    const json = await run(["history", "--format", "json", "--image", "shop:api"], root);
    assert.equal(json.code, 0);
    const report = JSON.parse(json.stdout) as HistoryJson;
    assert.deepEqual(report.images.map((image) => image.image), ["shop:api"]);
    const size = report.images[0]?.series.find((entry) => entry.metric === "sizeBytes");
    assert.deepEqual(size?.values, [100_000_000, 108_000_000, 118_000_000]);
    assert.equal(size?.base?.gitCommit, commits[1]);
    assert.equal(report.regression, null);

    const markdown = await run(["history", "--format", "markdown"], root);
    assert.match(markdown.stdout, /^### shop:api$/m);
    assert.match(markdown.stdout, /\| build \| - \| sizeBytes \| 118 MB \| \+9\.3% \|/);
  });

  it("--fail-on-regression exits 1 above the threshold and 0 below it; --baseline compares with a ref", async () => {
    const { root } = await repositoryWithHistory();
    const sizeOnly = await run(["history", "--fail-on-regression", "size=10%", "--format", "json"], root);
    assert.equal(sizeOnly.code, 0, "118 vs 108 MB is +9.3%");
    const sizeReport = JSON.parse(sizeOnly.stdout) as HistoryJson;
    assert.equal(sizeReport.regression?.regressed, false);
    assert.deepEqual(sizeReport.regression?.comparisons.map((comparison) => comparison.image), ["shop:api", "shop:web"]);

    const time = await run(["history", "--fail-on-regression", "size=10%,time=20%"], root);
    assert.equal(time.code, 1, "bench warm median +30%");
    assert.match(time.stdout, /FAIL +shop:api bench warm medianMs: 1 s -> 1\.3 s +\+30\.0% \(limit 20%\)/);
    assert.match(time.stdout, /1 regression\./);

    const againstTag = await run(["history", "--fail-on-regression", "size=10%", "--baseline", "v1", "--image", "shop:api"], root);
    assert.equal(againstTag.code, 1, "118 vs 100 MB at v1 is +18%");
    assert.match(againstTag.stdout, /latest run at v1 \([0-9a-f]{7}\)/);
    assert.match(againstTag.stdout, /FAIL +shop:api build sizeBytes: 100 MB -> 118 MB +\+18\.0%/);
    assert.equal((await run(["history", "--fail-on-regression", "size=20%", "--baseline", "v1"], root)).code, 0);
  });

  it("a missing database is an empty history, and is not created; with --fail-on-regression it is an error", async () => {
    const cwd = tempDir();
    const result = await run(["history"], cwd);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /No metrics recorded yet/);
    const gate = await run(["history", "--fail-on-regression", "size=10%"], cwd);
    assert.equal(gate.code, 2);
    assert.match(gate.stderr, /^shipshape: --fail-on-regression: no metrics database at .*metrics\.db; record measurements first/);
    assert.equal(gate.stderr.trim().split("\n").length, 1);
    assert.equal(fs.existsSync(path.join(cwd, ".shipshape")), false);
  });

  it("history PATH reads that repository's .shipshape/metrics.db, whatever the current directory", async () => {
    const { root } = await repositoryWithHistory();
    const elsewhere = tempDir();
    const here = await run(["history", "--format", "json"], elsewhere);
    assert.equal((JSON.parse(here.stdout) as HistoryJson).images.length, 0);
    const there = await run(["history", path.relative(elsewhere, root), "--format", "json"], elsewhere);
    assert.equal(there.code, 0, there.stderr);
    const report = JSON.parse(there.stdout) as HistoryJson;
    assert.equal(fs.realpathSync(report.database), fs.realpathSync(path.join(root, ".shipshape", "metrics.db")));
    assert.deepEqual(report.images.map((image) => image.image).sort(), ["shop:api", "shop:web"]);
    const gate = await run(["history", root, "--fail-on-regression", "size=5%", "--format", "json"], elsewhere);
    assert.equal(gate.code, 1);
    const missing = await run(["history", path.join(elsewhere, "nope")], elsewhere);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /is not a directory/);
  });

  it("usage errors exit 2", async () => {
    const cwd = tempDir();
    assert.equal((await run(["history", "--format", "sarif"], cwd)).code, 2);
    const bad = await run(["history", "--fail-on-regression", "layers=5%"], cwd);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown category 'layers'/);
  });

  it("a corrupt file exits 2 with a clear message and is left untouched", async () => {
    const cwd = tempDir();
    const dbPath = path.join(cwd, "metrics.db");
    const bytes = randomBytes(4096);
    fs.writeFileSync(dbPath, bytes);
    const result = await run(["history", "--db", "metrics.db"], cwd);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /metrics\.db is not a readable SQLite database .*left untouched/);
    assert.equal(result.stdout, "");
    assert.deepEqual(fs.readFileSync(dbPath), bytes);
    assert.deepEqual(fs.readdirSync(cwd), ["metrics.db"]);
  });

  it("a database locked exclusively by another process exits 2 after the busy timeout", async () => {
    const cwd = tempDir();
    const dbPath = path.join(cwd, "metrics.db");
    await recordMetrics([{ kind: "build", image: "app", metrics: { sizeBytes: 1 } }], { cwd, dbPath });
    const holder = new DatabaseSync(dbPath);
    holder.exec("PRAGMA locking_mode = EXCLUSIVE");
    holder.exec("BEGIN IMMEDIATE");
    holder.exec("INSERT INTO runs (recorded_at, repository) VALUES ('2026-01-01T00:00:00.000Z', 'holder')");
    try {
      const result = await run(["history", "--db", dbPath], cwd, { SHIPSHAPE_DB_BUSY_TIMEOUT_MS: "200" });
      assert.equal(result.code, 2);
      assert.match(result.stderr, /is locked by another process \(waited 200 ms\)/);
      holder.exec("COMMIT");
    } finally {
      if (holder.isTransaction) holder.exec("ROLLBACK");
      holder.close();
    }
    const after = await run(["history", "--db", dbPath, "--format", "json"], cwd);
    assert.equal(after.code, 0);
    assert.equal((JSON.parse(after.stdout) as HistoryJson).images[0]?.series[0]?.latest.value, 1);
  });

  it("a future-version or damaged file is refused with its path and not changed at all (no WAL, no -wal/-shm)", async () => {
    const cwd = tempDir();
    const future = path.join(cwd, "future.db");
    const raw = new DatabaseSync(future);
    raw.exec("CREATE TABLE runs (id INTEGER PRIMARY KEY); PRAGMA user_version = 99;");
    raw.close();
    const futureBytes = fs.readFileSync(future);
    const refused = await run(["history", "--db", "future.db"], cwd);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /future\.db has schema version 99, newer than this shipshape understands/);
    assert.deepEqual(fs.readFileSync(future), futureBytes);
    assert.deepEqual(fs.readdirSync(cwd), ["future.db"]);

    // A real database (rollback journal, as a copied or restored file is) with its pages after the
    // first overwritten: the header still reads fine.
    const damaged = path.join(cwd, "damaged.db");
    const source = new DatabaseSync(damaged);
    source.exec("CREATE TABLE runs (id INTEGER PRIMARY KEY, recorded_at TEXT); CREATE TABLE measurements (id INTEGER PRIMARY KEY, value REAL); PRAGMA user_version = 2;");
    for (let index = 0; index < 200; index++) source.exec(`INSERT INTO measurements (value) VALUES (${index})`);
    source.close();
    const bytes = fs.readFileSync(damaged);
    const pageSize = bytes.readUInt16BE(16);
    bytes.fill(0xa5, pageSize, Math.min(bytes.length, pageSize * 3));
    fs.writeFileSync(damaged, bytes);
    const broken = await run(["history", "--db", "damaged.db"], cwd);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /damaged\.db/);
    assert.match(broken.stderr, /left untouched/);
    assert.deepEqual(fs.readFileSync(damaged), bytes);
    assert.deepEqual(fs.readdirSync(cwd).sort(), ["damaged.db", "future.db"]);
  });

  it("reads a database in a read-only file and folder", async () => {
    const cwd = tempDir();
    fs.chmodSync(cwd, 0o755);
    const folder = path.join(cwd, "ro");
    fs.mkdirSync(folder);
    const dbPath = path.join(folder, "metrics.db");
    await recordMetrics([{ kind: "build", image: "app", metrics: { sizeBytes: 1234 } }], { cwd, dbPath });
    const before = fs.readFileSync(dbPath);
    fs.chmodSync(dbPath, 0o444);
    fs.chmodSync(folder, 0o555);
    // root ignores file modes: run the CLI as nobody then.
    const cli = [path.resolve(import.meta.dirname, "../../src/cli/main.ts"), "history", "--db", dbPath, "--format", "json"];
    const asRoot = process.getuid?.() === 0;
    const command = asRoot ? "setpriv" : process.execPath;
    const args = asRoot ? ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, ...cli] : cli;
    try {
      const result = spawnSync(command, args, { cwd, encoding: "utf8" });
      assert.equal(result.status, 0, result.stderr);
      assert.equal((JSON.parse(result.stdout) as HistoryJson).images[0]?.series[0]?.latest.value, 1234);
      assert.deepEqual(fs.readFileSync(dbPath), before);
      assert.deepEqual(fs.readdirSync(folder), ["metrics.db"]);
    } finally {
      fs.chmodSync(folder, 0o755);
      fs.chmodSync(dbPath, 0o644);
    }
  });

  it("reads an older database without migrating it", async () => {
    const cwd = tempDir();
    const dbPath = path.join(cwd, "old.db");
    const db = openMetricsDatabase(await loadSqlite(), dbPath);
    migrate(db, 1);
    db.exec("INSERT INTO runs (id, recorded_at, repository, git_branch) VALUES (1, '2025-01-01T00:00:00.000Z', '/r', 'main'), (2, '2025-01-02T00:00:00.000Z', '/r', 'main')");
    db.exec("INSERT INTO measurements (run_id, kind, image, metric, value) VALUES (1, 'build', 'legacy', 'sizeBytes', 1000), (2, 'build', 'legacy', 'sizeBytes', 1200)");
    db.close();
    const result = await run(["history", "--db", "old.db", "--fail-on-regression", "size=10%"], cwd);
    assert.equal(result.code, 1, "+20%");
    assert.match(result.stdout, /FAIL +legacy build sizeBytes: 1 kB -> 1\.2 kB/);
    const check = new DatabaseSync(dbPath, { readOnly: true });
    assert.equal((check.prepare("PRAGMA user_version").get() as { user_version: number }).user_version, 1, "still schema 1");
    check.close();
  });

  it("the installed entry point prints only the report (no warnings on stderr)", async () => {
    const cwd = tempDir();
    await recordMetrics([{ kind: "build", image: "app", metrics: { sizeBytes: 7 } }], { cwd });
    const bin = path.resolve(import.meta.dirname, "../../bin/shipshape.js");
    const result = spawnSync(process.execPath, [bin, "history", "--format", "json"], { cwd, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, "");
    assert.equal((JSON.parse(result.stdout) as HistoryJson).images[0]?.series[0]?.latest.value, 7);
  });
});
