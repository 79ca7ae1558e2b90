// The metrics history's view of a bench: one "bench" record per target and scenario measured.
// Shared by `shipshape bench` and `shipshape optimize`.
import path from "node:path";
import type { BuildTarget } from "../builds/targets.ts";
import { imageTagFor } from "../builds/targets.ts";
import type { MetricsRecord } from "../metrics/record.ts";
import type { BenchResult } from "./result.ts";

/** One "bench" record per target and scenario measured, for the Dockerfile as it is in the tree (whichever side it is). */
export function benchRecords(result: BenchResult, targets: readonly BuildTarget[], repositoryName: string): MetricsRecord[] {
  const records: MetricsRecord[] = [];
  for (const bench of result.targets) {
    const target = targets.find((candidate) => candidate.name === bench.name);
    const dockerfile = target ? path.resolve(target.contextDir, target.dockerfile) : undefined;
    const own = [bench.before, ...(bench.after ? [bench.after] : [])].find((side) => side.ownDockerfile);
    for (const scenario of own?.scenarios ?? []) {
      if (scenario.status !== "measured" || scenario.medianMs === undefined) continue;
      const metrics: Record<string, number> = { medianMs: scenario.medianMs, minMs: scenario.minMs ?? scenario.medianMs, maxMs: scenario.maxMs ?? scenario.medianMs };
      if (scenario.cacheHitRatio !== undefined) metrics.cacheHitRatio = scenario.cacheHitRatio;
      if (scenario.sizeBytes !== undefined) metrics.sizeBytes = scenario.sizeBytes;
      const record: MetricsRecord = { kind: "bench", image: imageTagFor(repositoryName, bench.name), scenario: scenario.scenario, metrics };
      if (dockerfile !== undefined) record.dockerfile = dockerfile;
      records.push(record);
    }
  }
  return records;
}
