// Recording metrics: the edge where the clock, git and the file system are read. Build, bench,
// layers and verify call recordMetrics() after they measured something; the store does the rest.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { readGitFacts, type GitFacts } from "./git.ts";
import { DEFAULT_BUSY_TIMEOUT_MS, describeSqliteError, insertRun, loadSqlite, migrate, openMetricsDatabase, type MeasurementInput, type RunInput } from "./store.ts";

export interface MetricsRecord {
  kind: "build" | "bench" | "layers" | "verify";
  /** Image name/tag or service name. */
  image: string;
  scenario?: string;
  /** Path of the Dockerfile (relative to the repository root), hashed into the key. */
  dockerfile?: string;
  metrics: Record<string, number>;
}

export interface RecordOptions {
  dbPath?: string;
  cwd: string;
}

/** The metrics file when no --db is given: under the repository root, or the directory itself outside git. */
export const DEFAULT_DB_RELATIVE_PATH = path.join(".shipshape", "metrics.db");

export function resolveDbPath(dbPath: string | undefined, cwd: string, repositoryRoot: string): string {
  return dbPath !== undefined ? path.resolve(cwd, dbPath) : path.join(repositoryRoot, DEFAULT_DB_RELATIVE_PATH);
}

/** Appends the records with the repository, git commit, branch, Dockerfile hash and time. */
export async function recordMetrics(records: MetricsRecord[], options: RecordOptions): Promise<void> {
  if (records.length === 0) return;
  const git = await readGitFacts(options.cwd);
  await recordMetricsAt(records, { ...options, git, now: new Date(), busyTimeoutMs: DEFAULT_BUSY_TIMEOUT_MS });
}

export interface RecordContext extends RecordOptions {
  git: GitFacts;
  now: Date;
  busyTimeoutMs: number;
  toolVersion?: string | null;
  /**
   * The repository the run belongs to, when it is not git.root: `shipshape optimize` measures a
   * temporary worktree of the user's repository, whose series must continue the repository's own.
   */
  repository?: string;
}

/** recordMetrics with the clock, git facts and busy timeout given, for tests and callers that already know them. */
export async function recordMetricsAt(records: MetricsRecord[], context: RecordContext): Promise<void> {
  if (records.length === 0) return;
  const run = buildRun(records, context);
  const dbPath = resolveDbPath(context.dbPath, context.cwd, context.git.root);
  const sqlite = await loadSqlite();
  fs.mkdirSync(path.dirname(dbPath), { recursive: true });
  const db = openMetricsDatabase(sqlite, dbPath, { busyTimeoutMs: context.busyTimeoutMs });
  try {
    migrate(db);
    insertRun(db, run);
  } catch (error) {
    throw describeSqliteError(error, dbPath, context.busyTimeoutMs);
  } finally {
    db.close();
  }
}

function buildRun(records: MetricsRecord[], context: RecordContext): RunInput {
  const hashes = new Map<string, string | null>();
  const measurements: MeasurementInput[] = [];
  for (const record of records) {
    const dockerfile = record.dockerfile === undefined ? null : repositoryRelative(record.dockerfile, context.cwd, context.git.root);
    let dockerfileHash: string | null = null;
    if (dockerfile !== null) {
      if (!hashes.has(dockerfile)) hashes.set(dockerfile, hashFile(path.resolve(context.git.root, dockerfile)));
      dockerfileHash = hashes.get(dockerfile) ?? null;
    }
    for (const [metric, value] of Object.entries(record.metrics)) {
      // NaN and Infinity carry no measurement (e.g. a hit ratio over zero steps); they are not stored.
      if (typeof value !== "number" || !Number.isFinite(value)) continue;
      measurements.push({ kind: record.kind, image: record.image, scenario: record.scenario ?? "", dockerfile, dockerfileHash, metric, value });
    }
  }
  return {
    recordedAt: context.now.toISOString(),
    repository: context.repository ?? context.git.root,
    gitCommit: context.git.commit,
    gitBranch: context.git.branch,
    gitDirty: context.git.dirty,
    toolVersion: context.toolVersion === undefined ? readToolVersion() : context.toolVersion,
    measurements,
  };
}

/** Dockerfile paths are stored relative to the repository root with "/" separators, whatever the caller passed. */
function repositoryRelative(dockerfile: string, cwd: string, root: string): string {
  const absolute = path.isAbsolute(dockerfile) ? dockerfile : fs.existsSync(path.resolve(root, dockerfile)) ? path.resolve(root, dockerfile) : path.resolve(cwd, dockerfile);
  const relative = path.relative(root, absolute);
  return (relative.startsWith("..") || path.isAbsolute(relative) ? absolute : relative).split(path.sep).join("/");
}

/** sha256 of the Dockerfile bytes, or null when it cannot be read (the measurement is still kept). */
function hashFile(absolute: string): string | null {
  try {
    return createHash("sha256").update(fs.readFileSync(absolute)).digest("hex");
  } catch {
    return null;
  }
}

function readToolVersion(): string | null {
  try {
    const text = fs.readFileSync(new URL("../../package.json", import.meta.url), "utf8");
    const version = (JSON.parse(text) as { version?: unknown }).version;
    return typeof version === "string" ? version : null;
  } catch {
    return null;
  }
}
