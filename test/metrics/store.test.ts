import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { describe, it } from "node:test";
import { tempDirectory } from "../helpers/temp-dir.ts";
import { recordMetricsAt, type RecordContext } from "../../src/metrics/record.ts";
import {
  inTransaction,
  insertRun,
  LATEST_SCHEMA_VERSION,
  loadSqlite,
  migrate,
  MIGRATIONS,
  openMetricsDatabase,
  queryMeasurements,
  readSchemaVersion,
  type RunInput,
} from "../../src/metrics/store.ts";
import { MetricsStoreError } from "../../src/errors.ts";

function tempDir(): string {
  return tempDirectory("shipshape-metrics-");
}

function columnsOf(db: DatabaseSync, table: string): string[] {
  return (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((column) => column.name);
}

function countRows(dbPath: string, table: string): number {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  try {
    return (db.prepare(`SELECT count(*) AS count FROM ${table}`).get() as { count: number }).count;
  } finally {
    db.close();
  }
}

const buildRun = (recordedAt: string, image: string, sizeBytes: number): RunInput => ({
  recordedAt,
  repository: "/repo",
  gitCommit: "a".repeat(40),
  gitBranch: "main",
  gitDirty: false,
  toolVersion: "0.1.0",
  measurements: [
    { kind: "build", image, scenario: "", dockerfile: "Dockerfile", dockerfileHash: "f".repeat(64), metric: "sizeBytes", value: sizeBytes },
    { kind: "build", image, scenario: "", dockerfile: "Dockerfile", dockerfileHash: "f".repeat(64), metric: "durationMs", value: 1234.5 },
  ],
});

function context(root: string, overrides: Partial<RecordContext> = {}): RecordContext {
  return {
    cwd: root,
    git: { root, commit: "b".repeat(40), branch: "main", dirty: false },
    now: new Date("2026-01-02T03:04:05.000Z"),
    busyTimeoutMs: 200,
    toolVersion: "test",
    ...overrides,
  };
}

describe("metrics store: migrations", () => {
  it("migrates an empty file to the latest version in WAL mode", async () => {
    const dbPath = path.join(tempDir(), "metrics.db");
    const db = openMetricsDatabase(await loadSqlite(), dbPath);
    try {
      assert.equal(readSchemaVersion(db), 0);
      assert.equal(migrate(db), LATEST_SCHEMA_VERSION);
      assert.equal(LATEST_SCHEMA_VERSION, MIGRATIONS.length);
      assert.equal(readSchemaVersion(db), LATEST_SCHEMA_VERSION);
      assert.deepEqual(columnsOf(db, "runs"), ["id", "recorded_at", "repository", "git_commit", "git_branch", "git_dirty", "tool_version"]);
      assert.ok(columnsOf(db, "measurements").includes("dockerfile_hash"));
      assert.equal((db.prepare("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode, "wal");
      // Running it again is a no-op.
      assert.equal(migrate(db), LATEST_SCHEMA_VERSION);
    } finally {
      db.close();
    }
  });

  it("migrates a version 1 database with rows to the latest version, keeping the rows", async () => {
    const dbPath = path.join(tempDir(), "metrics.db");
    const sqlite = await loadSqlite();
    const old = openMetricsDatabase(sqlite, dbPath);
    assert.equal(migrate(old, 1), 1);
    assert.ok(!columnsOf(old, "runs").includes("git_dirty"), "version 1 has no git_dirty column");
    old.exec("INSERT INTO runs (id, recorded_at, repository, git_commit, git_branch) VALUES (1, '2025-12-01T00:00:00.000Z', '/repo', 'c0ffee', 'main')");
    old.exec("INSERT INTO measurements (run_id, kind, image, metric, value) VALUES (1, 'build', 'shop:1', 'sizeBytes', 1000)");
    old.close();

    const db = openMetricsDatabase(sqlite, dbPath);
    try {
      assert.equal(readSchemaVersion(db), 1);
      assert.equal(migrate(db), LATEST_SCHEMA_VERSION);
      const rows = queryMeasurements(db);
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.image, "shop:1");
      assert.equal(rows[0]?.value, 1000);
      assert.equal(rows[0]?.gitDirty, null);
      assert.equal(rows[0]?.scenario, "");
      const indexes = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index'").all() as Array<{ name: string }>).map((row) => row.name);
      assert.ok(indexes.includes("measurements_by_series"));
    } finally {
      db.close();
    }
  });

  it("refuses a database from a newer shipshape and a SQLite file that is not a metrics database", async () => {
    const sqlite = await loadSqlite();
    const newer = path.join(tempDir(), "newer.db");
    const raw = new DatabaseSync(newer);
    raw.exec(`PRAGMA user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    raw.close();
    // Refused when opened, before the switch to WAL: the file stays in its journal mode.
    assert.throws(() => openMetricsDatabase(sqlite, newer), (error: unknown) => error instanceof MetricsStoreError && error.reason === "newer-schema" && error.message.includes(newer));
    const reopened = new DatabaseSync(newer, { readOnly: true });
    assert.equal((reopened.prepare("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode, "delete");
    reopened.close();

    const foreign = path.join(tempDir(), "foreign.db");
    const other = new DatabaseSync(foreign);
    other.exec("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('keep me')");
    other.close();
    await assert.rejects(recordMetricsAt([{ kind: "build", image: "x", metrics: { sizeBytes: 1 } }], context(tempDir(), { dbPath: foreign })), (error: unknown) => error instanceof MetricsStoreError && error.reason === "foreign-database");
    assert.equal(countRows(foreign, "notes"), 1);
  });
});

describe("metrics store: insert and query", () => {
  it("stores runs with the injected time and returns them oldest first, filtered by image", async () => {
    const db = openMetricsDatabase(await loadSqlite(), ":memory:");
    try {
      migrate(db);
      const first = insertRun(db, buildRun("2026-01-01T00:00:00.000Z", "shop:api", 100));
      const second = insertRun(db, buildRun("2026-01-02T00:00:00.000Z", "shop:web", 200));
      const third = insertRun(db, buildRun("2026-01-03T00:00:00.000Z", "shop:api", 300));
      assert.ok(first < second && second < third);
      const api = queryMeasurements(db, { image: "shop:api" }).filter((row) => row.metric === "sizeBytes");
      assert.deepEqual(
        api.map((row) => [row.runId, row.recordedAt, row.value]),
        [
          [first, "2026-01-01T00:00:00.000Z", 100],
          [third, "2026-01-03T00:00:00.000Z", 300],
        ],
      );
      assert.equal(api[0]?.gitDirty, false);
      assert.equal(queryMeasurements(db).length, 6);
      assert.equal(queryMeasurements(db, { repository: "/elsewhere" }).length, 0);
    } finally {
      db.close();
    }
  });

  it("a failing transaction writes nothing", async () => {
    const db = openMetricsDatabase(await loadSqlite(), ":memory:");
    try {
      migrate(db);
      assert.throws(() =>
        inTransaction(db, () => {
          db.exec("INSERT INTO runs (recorded_at, repository) VALUES ('2026-01-01T00:00:00.000Z', '/repo')");
          throw new Error("interrupted");
        }),
      );
      assert.equal((db.prepare("SELECT count(*) AS count FROM runs").get() as { count: number }).count, 0);
      assert.equal(db.isTransaction, false);
    } finally {
      db.close();
    }
  });
});

describe("metrics store: locked and corrupt files", () => {
  it("a database locked by another writer gives a clear busy error after the timeout, and no row is lost", async () => {
    const root = tempDir();
    const dbPath = path.join(root, "metrics.db");
    await recordMetricsAt([{ kind: "build", image: "shop:api", metrics: { sizeBytes: 100, durationMs: 10 } }], context(root, { dbPath }));
    assert.equal(countRows(dbPath, "measurements"), 2);

    const holder = new DatabaseSync(dbPath);
    holder.exec("BEGIN IMMEDIATE");
    holder.exec("INSERT INTO runs (recorded_at, repository) VALUES ('2026-01-05T00:00:00.000Z', '/other')");
    const runId = (holder.prepare("SELECT last_insert_rowid() AS id").get() as { id: number }).id;
    holder.prepare("INSERT INTO measurements (run_id, kind, image, metric, value) VALUES (?, 'build', 'other', 'sizeBytes', 5)").run(runId);
    const started = performance.now();
    try {
      await assert.rejects(
        recordMetricsAt([{ kind: "build", image: "shop:api", metrics: { sizeBytes: 110 } }], context(root, { dbPath, busyTimeoutMs: 300 })),
        (error: unknown) => error instanceof MetricsStoreError && error.reason === "busy" && /is locked by another process \(waited 300 ms\)/.test(error.message) && /Nothing was written/.test(error.message),
      );
      assert.ok(performance.now() - started >= 250, "waited for the busy timeout before giving up");
      holder.exec("COMMIT");
    } finally {
      if (holder.isTransaction) holder.exec("ROLLBACK");
      holder.close();
    }
    // The first run and the other writer's run are both there; the refused run wrote nothing.
    assert.equal(countRows(dbPath, "runs"), 2);
    assert.equal(countRows(dbPath, "measurements"), 3);
    await recordMetricsAt([{ kind: "build", image: "shop:api", metrics: { sizeBytes: 110 } }], context(root, { dbPath }));
    assert.equal(countRows(dbPath, "measurements"), 4);
  });

  it("a file of random bytes gives a clear corrupt error and is left untouched", async () => {
    const root = tempDir();
    const dbPath = path.join(root, "metrics.db");
    const bytes = randomBytes(8192);
    fs.writeFileSync(dbPath, bytes);
    await assert.rejects(
      recordMetricsAt([{ kind: "build", image: "shop:api", metrics: { sizeBytes: 100 } }], context(root, { dbPath })),
      (error: unknown) => error instanceof MetricsStoreError && error.reason === "corrupt" && /not a readable SQLite database/.test(error.message) && /left untouched/.test(error.message),
    );
    assert.deepEqual(fs.readFileSync(dbPath), bytes);
    assert.deepEqual(fs.readdirSync(root), ["metrics.db"], "no -wal or -shm file next to it");
  });
});
