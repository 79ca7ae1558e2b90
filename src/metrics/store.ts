// The metrics store: schema, versioned migrations, inserts and queries over one node:sqlite
// DatabaseSync. No clock and no git in here: callers pass the time and the git facts, so tests can
// drive the store with fixed values.
//
// Safety rules (a metrics file is history that cannot be rebuilt):
// - WAL journal and a busy timeout, so a reader never blocks a writer and two writers wait for
//   each other instead of failing at once;
// - every write (a migration, a run) is one BEGIN IMMEDIATE transaction: all rows or none;
// - the first statements on a file are reads (header, schema, quick_check), so a file that is not a
//   database, is damaged, or has a newer schema is reported and never written, truncated or deleted;
// - commands that only read (history) open the file read-only and do not migrate it.
import path from "node:path";
import { pathToFileURL } from "node:url";
import type * as NodeSqlite from "node:sqlite";
import type { DatabaseSync } from "node:sqlite";
import { MetricsStoreError } from "../errors.ts";

export type SqliteModule = typeof NodeSqlite;


export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

let sqliteModule: SqliteModule | undefined;

/**
 * Loads node:sqlite on first use. Node 22 prints an ExperimentalWarning when the module loads; that
 * one warning is dropped so it cannot mix into a report on stdout/stderr. Other warnings pass.
 */
export async function loadSqlite(): Promise<SqliteModule> {
  if (sqliteModule !== undefined) return sqliteModule;
  const originalEmitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === "string" ? warning : warning.message;
    const type = typeof rest[0] === "string" ? rest[0] : (rest[0] as { type?: string } | undefined)?.type ?? (warning as Error).name;
    if (type === "ExperimentalWarning" && /sqlite/i.test(text)) return;
    (originalEmitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    sqliteModule = await import("node:sqlite");
    return sqliteModule;
  } catch (error) {
    throw new MetricsStoreError("unavailable", `metrics need node:sqlite (Node >= 22.13); this is Node ${process.versions.node}`, { cause: error });
  } finally {
    process.emitWarning = originalEmitWarning;
  }
}

// SQLite primary result codes (https://sqlite.org/rescode.html) that node:sqlite puts in `errcode`.
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_CORRUPT = 11;
const SQLITE_NOTADB = 26;
const SQLITE_READONLY = 8;

function immutableUrl(dbPath: string): URL {
  const url = pathToFileURL(path.resolve(dbPath));
  url.searchParams.set("immutable", "1");
  return url;
}

/** Turns a node:sqlite error into a MetricsStoreError with a message a person can act on. */
export function describeSqliteError(error: unknown, dbPath: string, busyTimeoutMs: number): unknown {
  if (error instanceof MetricsStoreError) return error;
  const errcode = (error as { errcode?: unknown } | null)?.errcode;
  if (typeof errcode !== "number") return error;
  const primary = errcode & 0xff;
  const detail = (error as Error).message;
  if (primary === SQLITE_BUSY || primary === SQLITE_LOCKED) {
    return new MetricsStoreError(
      "busy",
      `metrics database ${dbPath} is locked by another process (waited ${busyTimeoutMs} ms): ${detail}. Nothing was written; run the command again when the other shipshape finishes.`,
      { cause: error },
    );
  }
  if (primary === SQLITE_CORRUPT || primary === SQLITE_NOTADB) {
    return new MetricsStoreError(
      "corrupt",
      `metrics database ${dbPath} is not a readable SQLite database (${detail}). The file was left untouched: move it aside to start a new history, or pass --db PATH.`,
      { cause: error },
    );
  }
  return new MetricsStoreError("io", `metrics database ${dbPath}: ${detail}`, { cause: error });
}

export interface OpenOptions {
  busyTimeoutMs?: number;
  readOnly?: boolean;
}

/**
 * Opens the file and checks it is a SQLite database (a read, nothing written yet), then switches a
 * writable connection to WAL. Does not migrate: call migrate() next.
 */
export function openMetricsDatabase(sqlite: SqliteModule, dbPath: string, options: OpenOptions = {}): DatabaseSync {
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  let db: DatabaseSync;
  try {
    db = new sqlite.DatabaseSync(dbPath, { timeout: busyTimeoutMs, readOnly: options.readOnly ?? false });
  } catch (error) {
    throw describeSqliteError(error, dbPath, busyTimeoutMs);
  }
  try {
    // Every check that can refuse the file runs before the first write (the switch to WAL).
    try {
      checkSchema(db, dbPath);
    } catch (error) {
      const errcode = (error as { errcode?: unknown } | null)?.errcode;
      if (options.readOnly !== true || typeof errcode !== "number" || (errcode & 0xff) !== SQLITE_READONLY) throw error;
      // A WAL database in a folder we cannot write: SQLite cannot create the -shm index a reader
      // needs. No writer can be active there either (it could not create -wal), so read the file
      // as immutable.
      db.close();
      db = new sqlite.DatabaseSync(immutableUrl(dbPath), { timeout: busyTimeoutMs, readOnly: true });
      checkSchema(db, dbPath);
    }
    if (options.readOnly !== true) db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA foreign_keys = ON");
    return db;
  } catch (error) {
    db.close();
    throw describeSqliteError(error, dbPath, busyTimeoutMs);
  }
}

/**
 * Reads the header and the whole schema (so a damaged file fails here, on a read) and refuses a
 * newer schema or another program's database, naming the file. Writes nothing.
 */
function checkSchema(db: DatabaseSync, dbPath: string): void {
  const version = readSchemaVersion(db);
  const foreign = hasForeignTables(db);
  const check = db.prepare("PRAGMA quick_check").all() as Record<string, unknown>[];
  const verdict = check.map((row) => String(Object.values(row)[0])).join("; ");
  if (verdict !== "ok") {
    throw new MetricsStoreError("corrupt", `metrics database ${dbPath} is damaged (${verdict.slice(0, 200)}). The file was left untouched: move it aside to start a new history, or pass --db PATH.`);
  }
  if (version > LATEST_SCHEMA_VERSION) {
    throw new MetricsStoreError("newer-schema", `metrics database ${dbPath} has schema version ${version}, newer than this shipshape understands (${LATEST_SCHEMA_VERSION}); upgrade shipshape. The file was left untouched.`);
  }
  if (version === 0 && foreign) {
    throw new MetricsStoreError("foreign-database", `${dbPath} is a SQLite database but not a shipshape metrics database (it has other tables); pass --db PATH to use another file. The file was left untouched.`);
  }
}

export function readSchemaVersion(db: DatabaseSync): number {
  const row = db.prepare("PRAGMA user_version").get() as { user_version: number } | undefined;
  return row?.user_version ?? 0;
}

/**
 * MIGRATIONS[n] moves the schema from version n to n + 1. Append only: a released step never
 * changes, because databases out there are already at its version.
 */
export const MIGRATIONS: ReadonlyArray<(db: DatabaseSync) => void> = [
  // 0 -> 1: runs (one per recordMetrics call) and their measurements, one row per metric value.
  (db) => {
    db.exec(`
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        recorded_at TEXT NOT NULL,
        repository TEXT NOT NULL,
        git_commit TEXT,
        git_branch TEXT
      );
      CREATE TABLE measurements (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id),
        kind TEXT NOT NULL,
        image TEXT NOT NULL,
        scenario TEXT NOT NULL DEFAULT '',
        dockerfile TEXT,
        dockerfile_hash TEXT,
        metric TEXT NOT NULL,
        value REAL NOT NULL
      );
      CREATE INDEX measurements_by_run ON measurements(run_id);
    `);
  },
  // 1 -> 2: whether the work tree had uncommitted changes and which shipshape wrote the run, plus
  // an index for the per-series queries of `shipshape history`.
  (db) => {
    db.exec(`
      ALTER TABLE runs ADD COLUMN git_dirty INTEGER;
      ALTER TABLE runs ADD COLUMN tool_version TEXT;
      CREATE INDEX measurements_by_series ON measurements(image, kind, scenario, metric, run_id);
    `);
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;

/** Runs the missing migrations, each in its own transaction together with its user_version bump. */
export function migrate(db: DatabaseSync, targetVersion: number = LATEST_SCHEMA_VERSION): number {
  let version = readSchemaVersion(db);
  if (version > LATEST_SCHEMA_VERSION) {
    throw new MetricsStoreError("newer-schema", `metrics database has schema version ${version}, newer than this shipshape understands (${LATEST_SCHEMA_VERSION}); upgrade shipshape`);
  }
  if (version === 0 && hasForeignTables(db)) {
    throw new MetricsStoreError("foreign-database", "file is a SQLite database but not a shipshape metrics database (it has other tables); pass --db PATH to use another file");
  }
  while (version < targetVersion) {
    inTransaction(db, () => {
      // Another process may have migrated between our read and our lock: read again under the lock.
      version = readSchemaVersion(db);
      if (version >= targetVersion) return;
      const step = MIGRATIONS[version];
      if (step === undefined) throw new Error(`no migration from schema version ${version}`);
      step(db);
      db.exec(`PRAGMA user_version = ${version + 1}`);
      version += 1;
    });
  }
  return version;
}

function hasForeignTables(db: DatabaseSync): boolean {
  const row = db.prepare("SELECT count(*) AS count FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").get() as { count: number };
  return row.count > 0;
}

/** BEGIN IMMEDIATE takes the write lock up front, so a busy database fails before any row is written. */
export function inTransaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = work();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw error;
  }
}

export interface MeasurementInput {
  kind: string;
  image: string;
  scenario: string;
  dockerfile: string | null;
  dockerfileHash: string | null;
  metric: string;
  value: number;
}

export interface RunInput {
  /** ISO 8601 time of the run. */
  recordedAt: string;
  repository: string;
  gitCommit: string | null;
  gitBranch: string | null;
  gitDirty: boolean | null;
  toolVersion: string | null;
  measurements: MeasurementInput[];
}

/** Inserts one run and all its measurements atomically; returns the run id. */
export function insertRun(db: DatabaseSync, run: RunInput): number {
  return inTransaction(db, () => {
    const inserted = db
      .prepare("INSERT INTO runs (recorded_at, repository, git_commit, git_branch, git_dirty, tool_version) VALUES (?, ?, ?, ?, ?, ?)")
      .run(run.recordedAt, run.repository, run.gitCommit, run.gitBranch, run.gitDirty === null ? null : run.gitDirty ? 1 : 0, run.toolVersion);
    const runId = Number(inserted.lastInsertRowid);
    const insertMeasurement = db.prepare(
      "INSERT INTO measurements (run_id, kind, image, scenario, dockerfile, dockerfile_hash, metric, value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    );
    for (const measurement of run.measurements) {
      insertMeasurement.run(runId, measurement.kind, measurement.image, measurement.scenario, measurement.dockerfile, measurement.dockerfileHash, measurement.metric, measurement.value);
    }
    return runId;
  });
}

/** One measurement joined with its run, as the history and regression code read it. */
export interface MeasurementRow extends MeasurementInput {
  runId: number;
  recordedAt: string;
  repository: string;
  gitCommit: string | null;
  gitBranch: string | null;
  gitDirty: boolean | null;
}

export interface MeasurementFilter {
  image?: string;
  repository?: string;
}

/** Every measurement matching the filter, oldest run first (run ids grow with insertion order). */
export function queryMeasurements(db: DatabaseSync, filter: MeasurementFilter = {}): MeasurementRow[] {
  const conditions: string[] = [];
  const parameters: string[] = [];
  if (filter.image !== undefined) {
    conditions.push("m.image = ?");
    parameters.push(filter.image);
  }
  if (filter.repository !== undefined) {
    conditions.push("r.repository = ?");
    parameters.push(filter.repository);
  }
  const where = conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "";
  // A reader opens the file read-only and does not migrate it: before schema 2 there is no git_dirty.
  const gitDirty = readSchemaVersion(db) >= 2 ? "r.git_dirty" : "NULL";
  const rows = db
    .prepare(
      `SELECT r.id AS runId, r.recorded_at AS recordedAt, r.repository, r.git_commit AS gitCommit, r.git_branch AS gitBranch,
              ${gitDirty} AS gitDirty, m.kind, m.image, m.scenario, m.dockerfile, m.dockerfile_hash AS dockerfileHash, m.metric, m.value
         FROM measurements m JOIN runs r ON r.id = m.run_id ${where}
        ORDER BY r.id, m.id`,
    )
    .all(...parameters) as Array<Omit<MeasurementRow, "gitDirty"> & { gitDirty: number | null }>;
  return rows.map((row) => ({ ...row, gitDirty: row.gitDirty === null ? null : row.gitDirty !== 0 }));
}
