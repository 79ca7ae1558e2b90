// `shipshape cache status`: the build cache as BuildKit keeps it (/system/df's BuildCache
// records), in total and by kind, and for each service whether its dependency layers are in the
// cache right now, answered without running anything:
//
// A service's dependency steps are the RUN instructions of its Dockerfile that install packages
// (npm ci, pip install, go mod download, cargo build/fetch, ...). BuildKit describes the record a
// RUN leaves as `mount / from exec /bin/sh -c <command>`; a step counts as cached when an unused or
// in-use record with exactly that command exists. How exact: BuildKit's real cache key also covers
// the parent layers and the files the step sees (the lockfile), which the description does not
// show, so "cached" means "a build ran this command and its result is kept", not "the next build
// will hit": a changed lockfile still misses. "missing" is exact: without the record, the step runs.
import type { BuildCacheRecord } from "../engine/disk.ts";
import { parseDockerfile } from "../dockerfile/parse.ts";
import { isRun } from "../dockerfile/model.ts";

export interface CacheKindSummary {
  kind: string;
  records: number;
  bytes: number;
  sharedBytes: number;
  privateBytes: number;
  reclaimableBytes: number;
  lastUsedAt?: string;
}

export interface CacheMountSummary {
  target: string;
  records: number;
  bytes: number;
  lastUsedAt?: string;
  inUse: boolean;
}

export interface DependencyStep {
  line: number;
  stage: string;
  command: string;
  cached: boolean;
  bytes?: number;
  lastUsedAt?: string;
}

export interface ServiceCacheStatus {
  service: string;
  dockerfile: string;
  steps: DependencyStep[];
  /** "cached": every dependency step has a record; "partial"; "missing"; "none": no dependency step found. */
  state: "cached" | "partial" | "missing" | "none";
}

export interface CacheStatus {
  totalBytes: number;
  records: number;
  sharedBytes: number;
  privateBytes: number;
  reclaimableBytes: number;
  lastUsedAt?: string;
  kinds: CacheKindSummary[];
  cacheMounts: CacheMountSummary[];
  services: ServiceCacheStatus[];
}

const DEPENDENCY_COMMAND = /\b(?:npm (?:ci|install|i)\b|yarn(?: install)?\b|pnpm (?:install|i|fetch)\b|pip3? install\b|python3? -m pip install\b|poetry install\b|uv (?:sync|pip install)\b|pipenv install\b|go mod download\b|cargo (?:build|fetch|chef cook)\b|bundle install\b|composer install\b|mvn\b.*dependency:|gradle\b.*dependencies\b|dotnet restore\b)/;

function later(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

/** The RUN commands of a Dockerfile that install dependencies, as BuildKit's records describe them. */
export function dependencySteps(text: string, path: string): { line: number; stage: string; command: string }[] {
  const model = parseDockerfile(text, path);
  const steps: { line: number; stage: string; command: string }[] = [];
  for (const stage of model.stages) {
    for (const instruction of stage.instructions) {
      if (!isRun(instruction)) continue;
      if (instruction.form !== "shell") continue;
      const command = instruction.script.replace(/\\\r?\n/g, "").trim();
      if (!DEPENDENCY_COMMAND.test(command)) continue;
      steps.push({ line: instruction.span.start.line, stage: stage.name ?? String(stage.index), command });
    }
  }
  return steps;
}

export function summarizeCache(records: readonly BuildCacheRecord[], services: { service: string; dockerfile: string; text?: string }[]): CacheStatus {
  const kinds = new Map<string, CacheKindSummary>();
  const mounts = new Map<string, CacheMountSummary>();
  const status: CacheStatus = { totalBytes: 0, records: records.length, sharedBytes: 0, privateBytes: 0, reclaimableBytes: 0, kinds: [], cacheMounts: [], services: [] };
  for (const record of records) {
    const kind = kinds.get(record.Type) ?? { kind: record.Type, records: 0, bytes: 0, sharedBytes: 0, privateBytes: 0, reclaimableBytes: 0 };
    kind.records++;
    kind.bytes += record.Size;
    if (record.Shared) kind.sharedBytes += record.Size;
    else kind.privateBytes += record.Size;
    if (!record.InUse && !record.Shared) kind.reclaimableBytes += record.Size;
    const used = later(kind.lastUsedAt, record.LastUsedAt ?? undefined);
    if (used !== undefined) kind.lastUsedAt = used;
    kinds.set(record.Type, kind);
    if (record.Type === "exec.cachemount") {
      const target = /^cached mount (\S+)/.exec(record.Description)?.[1] ?? record.Description;
      const mount = mounts.get(target) ?? { target, records: 0, bytes: 0, inUse: false };
      mount.records++;
      mount.bytes += record.Size;
      mount.inUse ||= record.InUse;
      const mountUsed = later(mount.lastUsedAt, record.LastUsedAt ?? undefined);
      if (mountUsed !== undefined) mount.lastUsedAt = mountUsed;
      mounts.set(target, mount);
    }
  }
  for (const kind of kinds.values()) {
    status.totalBytes += kind.bytes;
    status.sharedBytes += kind.sharedBytes;
    status.privateBytes += kind.privateBytes;
    status.reclaimableBytes += kind.reclaimableBytes;
    const used = later(status.lastUsedAt, kind.lastUsedAt);
    if (used !== undefined) status.lastUsedAt = used;
  }
  status.kinds = [...kinds.values()].sort((a, b) => b.bytes - a.bytes);
  status.cacheMounts = [...mounts.values()].sort((a, b) => b.bytes - a.bytes);

  const byCommand = new Map<string, BuildCacheRecord>();
  for (const record of records) {
    const command = /^mount \/ from exec \/bin\/sh -c (.*)$/s.exec(record.Description)?.[1];
    if (command === undefined) continue;
    const known = byCommand.get(command);
    if (known === undefined || (later(known.LastUsedAt ?? undefined, record.LastUsedAt ?? undefined) === record.LastUsedAt)) byCommand.set(command, record);
  }
  for (const service of services) {
    let steps: DependencyStep[] = [];
    try {
      steps = service.text === undefined ? [] : dependencySteps(service.text, service.dockerfile).map((step) => {
        const record = byCommand.get(step.command);
        return { ...step, cached: record !== undefined, ...(record !== undefined ? { bytes: record.Size, ...(record.LastUsedAt ? { lastUsedAt: record.LastUsedAt } : {}) } : {}) };
      });
    } catch {
      steps = [];
    }
    const cached = steps.filter((step) => step.cached).length;
    const state = steps.length === 0 ? "none" : cached === steps.length ? "cached" : cached === 0 ? "missing" : "partial";
    status.services.push({ service: service.service, dockerfile: service.dockerfile, steps, state });
  }
  return status;
}
