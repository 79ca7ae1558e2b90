import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { describe, it } from "node:test";
import { tempDirectory } from "../helpers/temp-dir.ts";
import { readGitFacts, resolveGitRef } from "../../src/metrics/git.ts";
import { recordMetrics } from "../../src/metrics/record.ts";

function tempDir(): string {
  return tempDirectory("shipshape-record-");
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", ...args], { cwd, encoding: "utf8" }).trim();
}

function readAll(dbPath: string): { runs: Array<Record<string, unknown>>; measurements: Array<Record<string, unknown>> } {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  try {
    return {
      runs: db.prepare("SELECT * FROM runs ORDER BY id").all() as Array<Record<string, unknown>>,
      measurements: db.prepare("SELECT * FROM measurements ORDER BY id").all() as Array<Record<string, unknown>>,
    };
  } finally {
    db.close();
  }
}

const dockerfile = "FROM debian:bookworm-slim\nCMD [\"true\"]\n";

describe("recordMetrics", () => {
  it("records the repository root, commit, branch and Dockerfile hash, in .shipshape/metrics.db under the root", async () => {
    const root = tempDir();
    git(root, "init", "-q", "-b", "trunk");
    fs.mkdirSync(path.join(root, "svc"));
    fs.writeFileSync(path.join(root, "svc", "Dockerfile"), dockerfile);
    git(root, "add", ".");
    git(root, "commit", "-q", "-m", "first");
    const head = git(root, "rev-parse", "HEAD");

    const before = Date.now();
    await recordMetrics(
      [
        { kind: "build", image: "svc:dev", dockerfile: "svc/Dockerfile", metrics: { sizeBytes: 123_456, layers: 4, durationMs: 2500, skipped: Number.NaN } },
        { kind: "bench", image: "svc:dev", scenario: "warm", dockerfile: "svc/Dockerfile", metrics: { medianMs: 800, cacheHitRatio: 0.75 } },
      ],
      { cwd: path.join(root, "svc") },
    );
    const dbPath = path.join(root, ".shipshape", "metrics.db");
    const { runs, measurements } = readAll(dbPath);
    assert.equal(runs.length, 1, "one call is one run");
    assert.equal(runs[0]?.repository, root);
    assert.equal(runs[0]?.git_commit, head);
    assert.equal(runs[0]?.git_branch, "trunk");
    assert.equal(runs[0]?.git_dirty, 0);
    const recordedAt = Date.parse(String(runs[0]?.recorded_at));
    assert.ok(recordedAt >= before && recordedAt <= Date.now());
    assert.deepEqual(
      measurements.map((row) => [row.kind, row.scenario, row.metric, row.value]),
      [
        ["build", "", "sizeBytes", 123_456],
        ["build", "", "layers", 4],
        ["build", "", "durationMs", 2500],
        ["bench", "warm", "medianMs", 800],
        ["bench", "warm", "cacheHitRatio", 0.75],
      ],
      "NaN is not stored",
    );
    const expectedHash = createHash("sha256").update(dockerfile).digest("hex");
    assert.ok(measurements.every((row) => row.dockerfile === "svc/Dockerfile" && row.dockerfile_hash === expectedHash));

    // An edited Dockerfile gets a new hash and the run notes the dirty work tree.
    fs.appendFileSync(path.join(root, "svc", "Dockerfile"), "USER 1000\n");
    await recordMetrics([{ kind: "build", image: "svc:dev", dockerfile: "svc/Dockerfile", metrics: { sizeBytes: 123_000 } }], { cwd: root });
    const after = readAll(dbPath);
    assert.equal(after.runs[1]?.git_dirty, 1);
    assert.notEqual(after.measurements.at(-1)?.dockerfile_hash, expectedHash);
  });

  it("works outside git: no commit or branch, the database under the working directory, or --db", async () => {
    const cwd = tempDir();
    assert.deepEqual(await readGitFacts(cwd), { root: cwd, commit: null, branch: null, dirty: null });
    assert.equal(await resolveGitRef(cwd, "main"), null);
    await recordMetrics([{ kind: "verify", image: "app", metrics: { equivalent: 1, differences: 0 } }], { cwd });
    const { runs, measurements } = readAll(path.join(cwd, ".shipshape", "metrics.db"));
    assert.equal(runs[0]?.git_commit, null);
    assert.equal(runs[0]?.git_branch, null);
    assert.equal(measurements.length, 2);
    assert.equal(measurements[0]?.dockerfile, null);

    const explicit = path.join(cwd, "elsewhere", "history.db");
    await recordMetrics([{ kind: "layers", image: "app", metrics: { wastedBytes: 10 } }], { cwd, dbPath: "elsewhere/history.db" });
    assert.equal(readAll(explicit).measurements.length, 1);
  });

  it("an empty list records nothing and creates no file", async () => {
    const cwd = tempDir();
    await recordMetrics([], { cwd });
    assert.equal(fs.existsSync(path.join(cwd, ".shipshape")), false);
  });
});
