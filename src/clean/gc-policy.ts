// `shipshape clean --print-gc-policy`: the configured caps as BuildKit garbage-collection
// settings, so the engine enforces the policy between shipshape runs. Two files, one policy:
// - daemon.json `builder.gc` for the engine's built-in BuildKit (the docker driver);
// - buildkitd.toml `[worker.oci]` / `[[worker.oci.gcpolicy]]` for buildx builders that run their
//   own BuildKit (docker-container, remote, kubernetes drivers).
// Fields as Docker's "Build garbage collection" page documents them: reservedSpace (keep at
// least this much), maxUsedSpace (never more), minFreeSpace (keep this much of the disk free),
// keepDuration (records unused for longer go first). Engines before Docker 27/BuildKit 0.17 read
// keepStorage / keepBytes instead; the daemon.json output names both where they differ.
import { formatBytes } from "../format/index.ts";

export interface GcPolicyInput {
  maxCacheBytes: number;
  /** Records unused for longer than this go first (ms). */
  keepDurationMs: number;
  /** Free space the engine's disk keeps (bytes); 0: not set. */
  minFreeBytes: number;
}

/** "48h" for BuildKit's duration fields. */
function hours(ms: number): string {
  return `${Math.max(1, Math.round(ms / 3_600_000))}h`;
}

/** "10GB": the decimal units daemon.json's size fields parse (go-units FromHumanSize). */
function size(bytes: number): string {
  return formatBytes(bytes).replace(/\s+/g, "");
}

export function daemonJsonGcPolicy(input: GcPolicyInput): Record<string, unknown> {
  const transient = Math.min(input.maxCacheBytes, Math.max(512e6, Math.round(input.maxCacheBytes / 10)));
  const policy: Record<string, unknown>[] = [
    // Build contexts, cache mounts and git checkouts first: cheap to recreate.
    { reservedSpace: size(transient), keepDuration: hours(input.keepDurationMs), filter: ["type=source.local,type=exec.cachemount,type=source.git.checkout"] },
    { reservedSpace: size(input.maxCacheBytes), keepDuration: hours(input.keepDurationMs) },
    { maxUsedSpace: size(input.maxCacheBytes), ...(input.minFreeBytes > 0 ? { minFreeSpace: size(input.minFreeBytes) } : {}), all: true },
  ];
  return { builder: { gc: { enabled: true, defaultKeepStorage: size(input.maxCacheBytes), policy } } };
}

export function buildkitdTomlGcPolicy(input: GcPolicyInput): string {
  const transient = Math.min(input.maxCacheBytes, Math.max(512e6, Math.round(input.maxCacheBytes / 10)));
  const lines = [
    "[worker.oci]",
    "  gc = true",
    `  maxUsedSpace = "${size(input.maxCacheBytes)}"`,
    ...(input.minFreeBytes > 0 ? [`  minFreeSpace = "${size(input.minFreeBytes)}"`] : []),
    "",
    "[[worker.oci.gcpolicy]]",
    `  reservedSpace = "${size(transient)}"`,
    `  keepDuration = "${hours(input.keepDurationMs)}"`,
    '  filters = ["type==source.local", "type==exec.cachemount", "type==source.git.checkout"]',
    "",
    "[[worker.oci.gcpolicy]]",
    `  reservedSpace = "${size(input.maxCacheBytes)}"`,
    `  keepDuration = "${hours(input.keepDurationMs)}"`,
    "",
    "[[worker.oci.gcpolicy]]",
    "  all = true",
    `  maxUsedSpace = "${size(input.maxCacheBytes)}"`,
    ...(input.minFreeBytes > 0 ? [`  minFreeSpace = "${size(input.minFreeBytes)}"`] : []),
  ];
  return `${lines.join("\n")}\n`;
}

/** Both files with a line on where each goes. */
export function renderGcPolicy(input: GcPolicyInput): string {
  return [
    `# BuildKit garbage collection for a ${size(input.maxCacheBytes)} build cache cap (shipshape clean --print-gc-policy)`,
    "",
    "# 1. The engine's own BuildKit (docker driver): merge into /etc/docker/daemon.json, then restart dockerd.",
    "#    Engines before Docker 27 read keepStorage in place of reservedSpace/maxUsedSpace.",
    JSON.stringify(daemonJsonGcPolicy(input), null, 2),
    "",
    "# 2. A buildx builder with its own BuildKit (docker-container, remote, kubernetes drivers): buildkitd.toml,",
    "#    e.g. docker buildx create --name shared --driver docker-container --buildkitd-config buildkitd.toml",
    buildkitdTomlGcPolicy(input),
  ].join("\n");
}
