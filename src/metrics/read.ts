// Reading the metrics history for commands that only look at it (ci, cost): read-only, never
// migrated, never created. A missing file is an empty history.
import fs from "node:fs";
import { DEFAULT_BUSY_TIMEOUT_MS, describeSqliteError, loadSqlite, openMetricsDatabase, queryMeasurements, type MeasurementRow } from "./store.ts";

export async function readMeasurementRows(dbPath: string, busyTimeoutMs = DEFAULT_BUSY_TIMEOUT_MS): Promise<MeasurementRow[]> {
  if (!fs.existsSync(dbPath)) return [];
  const sqlite = await loadSqlite();
  const db = openMetricsDatabase(sqlite, dbPath, { busyTimeoutMs, readOnly: true });
  try {
    return queryMeasurements(db);
  } catch (error) {
    throw describeSqliteError(error, dbPath, busyTimeoutMs);
  } finally {
    db.close();
  }
}
