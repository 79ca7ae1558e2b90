// The latest measured facts per image, as `ci` (cache sizing) and `cost` (sizes, build times) read
// them from the metrics history. Pure: rows in, facts out. Each fact names where it came from.
import type { MeasurementRow } from "./store.ts";

export interface MeasuredValue {
  value: number;
  /** `build durationMs`, `bench cold medianMs`, `layers sizeBytes`... */
  source: string;
  runId: number;
  recordedAt: string;
}

export interface ImageMeasurements {
  image: string;
  /** Image size (uncompressed, as `docker images` reports it). */
  sizeBytes?: MeasuredValue;
  /** A build with no cache: bench `cold` median. */
  coldBuildMs?: MeasuredValue;
  /** A typical CI build with a warm cache: bench `code` median, else the latest `build` duration. */
  ciBuildMs?: MeasuredValue;
  /** Build cache hits, 0..1: bench `code`, else `build`. */
  cacheHitRatio?: MeasuredValue;
}

/**
 * The latest value of each fact per image, looking only at runs up to `upToRunId` (all when
 * undefined), so two history points give a before and an after.
 */
export function latestImageMeasurements(rows: readonly MeasurementRow[], upToRunId?: number): Map<string, ImageMeasurements> {
  const byImage = new Map<string, ImageMeasurements>();
  // Later rows (higher run ids) win: rows come oldest run first.
  const ordered = [...rows].filter((row) => upToRunId === undefined || row.runId <= upToRunId).sort((a, b) => a.runId - b.runId);
  // Preference order inside one image: a lower rank wins over a later value of a higher rank.
  const ranks = new Map<string, number>();
  for (const row of ordered) {
    let facts = byImage.get(row.image);
    if (facts === undefined) {
      facts = { image: row.image };
      byImage.set(row.image, facts);
    }
    const value: MeasuredValue = { value: row.value, source: `${row.kind}${row.scenario === "" ? "" : ` ${row.scenario}`} ${row.metric}`, runId: row.runId, recordedAt: row.recordedAt };
    const set = (fact: keyof Omit<ImageMeasurements, "image">, rank: number): void => {
      const key = `${row.image}\u0000${fact}`;
      const previous = ranks.get(key);
      if (previous !== undefined && previous < rank) return;
      ranks.set(key, rank);
      facts[fact] = value;
    };
    if (row.metric === "sizeBytes") {
      // The image as built from the tree: build and layers measure it; a bench scenario's image is the same Dockerfile.
      set("sizeBytes", row.kind === "bench" ? 1 : 0);
    } else if (row.kind === "bench" && row.scenario === "cold" && row.metric === "medianMs") {
      set("coldBuildMs", 0);
    } else if (row.kind === "bench" && row.scenario === "code" && row.metric === "medianMs") {
      set("ciBuildMs", 0);
    } else if (row.kind === "build" && row.metric === "durationMs") {
      set("ciBuildMs", 1);
    } else if (row.kind === "bench" && row.scenario === "code" && row.metric === "cacheHitRatio") {
      set("cacheHitRatio", 0);
    } else if (row.kind === "build" && row.metric === "cacheHitRatio") {
      set("cacheHitRatio", 1);
    }
  }
  return byImage;
}
