// Before a build: `build --clean-first`, and the low-disk check. When the engine's data root
// (/info DockerRootDir) has less free space than `clean.minFreeSpace` (default 5GB), the normal
// clean policy runs first. Free space is read with statfs on the engine's machine, so the check
// runs only for engines on this machine (a unix socket, or tcp:// to a loopback address); for a
// remote engine it is skipped, and said so.
import fs from "node:fs";
import type { DockerEndpoint } from "../engine/docker-host.ts";
import type { EngineDisk } from "../engine/disk.ts";
import { formatBytes } from "../format/index.ts";
import type { CleanPolicy } from "./plan.ts";
import { runClean, type CleanReport } from "./run.ts";
import type { ProjectScope } from "./scope.ts";

export const DEFAULT_MIN_FREE_BYTES = 5e9;

export function isLocalEndpoint(endpoint: DockerEndpoint): boolean {
  if (endpoint.socketPath !== undefined) return true;
  if (endpoint.ssh !== undefined) return false;
  return endpoint.hostname === "localhost" || endpoint.hostname === "::1" || /^127\./.test(endpoint.hostname ?? "");
}

/** Free bytes where the engine keeps its data, or why that is unknown. */
export async function dataRootFreeSpace(disk: EngineDisk): Promise<{ dataRoot: string; freeBytes: number } | { unknown: string }> {
  if (!isLocalEndpoint(disk.client.endpoint)) return { unknown: `the engine at ${disk.client.endpoint.display} is not on this machine` };
  const { dockerRootDir } = await disk.info();
  if (dockerRootDir === "") return { unknown: "the engine does not report its data root" };
  try {
    const stats = await fs.promises.statfs(dockerRootDir);
    return { dataRoot: dockerRootDir, freeBytes: stats.bavail * stats.bsize };
  } catch (error) {
    return { unknown: `cannot read the free space of ${dockerRootDir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
}

export interface PreBuildOptions {
  cleanFirst: boolean;
  minFreeBytes: number;
  policy: CleanPolicy;
  /** Read only when a clean-up runs (it scans the repository). */
  scope: () => ProjectScope;
  say: (line: string) => void;
}

/** Runs the clean policy when asked to or when the data root is low on space; returns its report, if it ran. */
export async function cleanBeforeBuild(disk: EngineDisk, options: PreBuildOptions): Promise<CleanReport | undefined> {
  let reason: string | undefined = options.cleanFirst ? "--clean-first" : undefined;
  if (reason === undefined && options.minFreeBytes > 0) {
    const free = await dataRootFreeSpace(disk);
    if ("freeBytes" in free && free.freeBytes < options.minFreeBytes) reason = `the engine's data root ${free.dataRoot} has ${formatBytes(free.freeBytes)} free, below clean.minFreeSpace ${formatBytes(options.minFreeBytes)}`;
  }
  if (reason === undefined) return undefined;
  options.say(`shipshape: cleaning before the build (${reason})`);
  const report = await runClean(disk, options.scope(), options.policy, { dryRun: false });
  options.say(`shipshape: clean-up reclaimed ${formatBytes(Math.max(0, report.reclaimedBytes ?? 0))} (${report.removed.images.length} image(s), ${report.removed.cacheRecords.length} cache record(s))`);
  return report;
}
