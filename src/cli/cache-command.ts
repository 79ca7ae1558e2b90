// `shipshape cache status [PATH]` and `shipshape cache warm [PATH]` (docs/cache.md).
// status: the build cache in total, by kind, its cache mounts, and per service whether its
// dependency layers are cached (answered from the cache records, nothing is built).
// warm: builds every service's dependency stage so the next build hits the cache.
// Exit codes: status 0; warm 0 every warm-up built, 1 one failed; 2 usage error or no engine.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { summarizeCache, type CacheStatus } from "../cache/status.ts";
import { warmTargets, type WarmResult } from "../cache/warm.ts";
import { discoverBuildTargets, imageTagFor, repositoryNameOf } from "../builds/targets.ts";
import { ApiClient } from "../engine/api-client.ts";
import { EngineDisk } from "../engine/disk.ts";
import { createEngine, ENGINE_DRIVERS, isEngineDriver } from "../engine/select.ts";
import { UsageError } from "../errors.ts";
import { alignColumns, formatBytes, formatDuration } from "../format/index.ts";
import { configFor } from "./config-for.ts";
import { ENV_HELP, environmentFiles } from "./environment-option.ts";
import { commandHelp } from "./help.ts";
import type { CliIO } from "./io.ts";
import { NETWORK_HELP, networkOption } from "./network-option.ts";

export const CACHE_HELP = commandHelp({
  usage: "shipshape cache status|warm [PATH] [options]",
  summary:
    "status: the build cache (total, by kind, shared/private/reclaimable, last used), its cache mounts by target,\nand for each service whether its dependency layers are in the cache now, read from the cache records\nwithout building (docs/cache.md says how exact that is).\nwarm: builds each service's dependency stage so the first build after a clean, or on a fresh CI runner,\nhits the cache; --cache-to/--cache-from export and import it (local directory or registry, buildx).",
  options: `Options:
  --service S                        only this service (repeatable)
  --cache-from REF                   warm: import cache (type=local,src=DIR | type=registry,ref=REF; repeatable)
  --cache-to REF                     warm: export cache (type=local,dest=DIR | type=registry,ref=REF,mode=max; buildx)
  --driver api|buildx|auto           warm: how to reach BuildKit (default: auto)
  --builder NAME                     warm: build on this buildx builder
${NETWORK_HELP}${ENV_HELP}  --context NAME                     status: the docker context to use
  --format tty|json                  output format (default: tty)
`,
  examples: ["shipshape cache status", "shipshape cache status --format json", "shipshape cache warm --cache-to type=local,dest=.cache/buildkit", "shipshape cache warm --service api --cache-from type=registry,ref=registry.example/shop/cache"],
  exitCodes: "0 done, 1 a warm-up build failed, 2 usage error or no engine.",
});

export async function runCacheCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      service: { type: "string", multiple: true },
      "cache-from": { type: "string", multiple: true },
      "cache-to": { type: "string", multiple: true },
      driver: { type: "string", default: "auto" },
      builder: { type: "string" },
      network: { type: "string" },
      env: { type: "string" },
      context: { type: "string" },
      format: { type: "string", default: "tty" },
    },
  });
  const [action, ...rest] = positionals;
  if (action !== "status" && action !== "warm") throw new UsageError("shipshape cache takes status or warm (shipshape cache --help)");
  if (rest.length > 1) throw new UsageError(`shipshape cache ${action} takes one PATH`);
  const format = values.format ?? "tty";
  if (format !== "tty" && format !== "json") throw new UsageError("--format must be one of tty, json");
  const given = rest[0] ?? ".";
  const root = path.resolve(io.cwd, given);
  if (!fs.existsSync(root)) throw new UsageError(`no such file or directory: ${given}`);
  const composeFiles = environmentFiles(configFor(io, given), values.env);
  const targets = discoverBuildTargets(root, { services: values.service ?? [], env: io.env, ...(composeFiles !== undefined ? { composeFiles } : {}) });

  if (action === "status") {
    const disk = new EngineDisk(new ApiClient(io.env, values.context));
    const services = targets.map((target) => {
      const dockerfile = path.resolve(target.contextDir, target.dockerfile);
      let text: string | undefined;
      try {
        text = fs.readFileSync(dockerfile, "utf8");
      } catch {
        text = undefined;
      }
      return { service: target.name, dockerfile: path.relative(io.cwd, dockerfile) || dockerfile, ...(text !== undefined ? { text } : {}) };
    });
    const status = summarizeCache(await disk.buildCache(), services);
    io.stdout(format === "json" ? `${JSON.stringify(status, null, 2)}\n` : renderCacheStatus(status));
    return 0;
  }

  const driver = values.driver ?? "auto";
  if (!isEngineDriver(driver)) throw new UsageError(`--driver must be one of ${ENGINE_DRIVERS.join(", ")}`);
  if (targets.length === 0) throw new UsageError(`nothing to warm in ${given}: no compose service with build: and no Dockerfile`);
  const engine = await createEngine({ driver, env: io.env, ...(values.builder !== undefined ? { builder: values.builder } : {}) });
  await engine.ping();
  const repository = repositoryNameOf(root);
  const network = networkOption(values.network, io, given);
  const results = await warmTargets(engine, targets, {
    tagFor: (target) => imageTagFor(repository, `${target.name}-warm`, "shipshape-warm"),
    ...(values["cache-from"] !== undefined ? { cacheFrom: values["cache-from"] } : {}),
    ...(values["cache-to"] !== undefined ? { cacheTo: values["cache-to"] } : {}),
    ...(network !== undefined ? { network } : {}),
    onStart: (target, stage) => io.stderr(`warming ${target.name}${stage !== undefined ? ` (stage ${stage})` : " (whole image: no named dependency stage)"}\n`),
  });
  io.stdout(format === "json" ? `${JSON.stringify({ services: results }, null, 2)}\n` : renderWarm(results));
  return results.every((result) => result.ok) ? 0 : 1;
}

export function renderCacheStatus(status: CacheStatus): string {
  const lines = [
    `Build cache: ${formatBytes(status.totalBytes)} in ${status.records} record(s); shared ${formatBytes(status.sharedBytes)}, private ${formatBytes(status.privateBytes)}, reclaimable ${formatBytes(status.reclaimableBytes)}${status.lastUsedAt !== undefined ? `; last used ${status.lastUsedAt}` : ""}`,
    "",
    ...alignColumns([["KIND", "RECORDS", "SIZE", "SHARED", "PRIVATE", "RECLAIMABLE", "LAST USED"], ...status.kinds.map((kind) => [kind.kind, String(kind.records), formatBytes(kind.bytes), formatBytes(kind.sharedBytes), formatBytes(kind.privateBytes), formatBytes(kind.reclaimableBytes), kind.lastUsedAt ?? "-"])], { rightAligned: new Set([1, 2, 3, 4, 5]) }).map((line) => `  ${line}`),
  ];
  if (status.cacheMounts.length > 0) {
    lines.push("", "Cache mounts (RUN --mount=type=cache):");
    lines.push(...alignColumns([["TARGET", "RECORDS", "SIZE", "IN USE", "LAST USED"], ...status.cacheMounts.map((mount) => [mount.target, String(mount.records), formatBytes(mount.bytes), mount.inUse ? "yes" : "no", mount.lastUsedAt ?? "-"])], { rightAligned: new Set([1, 2]) }).map((line) => `  ${line}`));
  }
  if (status.services.length > 0) {
    lines.push("", "Dependency layers per service (from the cache records; a changed lockfile still misses):");
    for (const service of status.services) {
      lines.push(`  ${service.service}: ${service.state === "none" ? "no dependency-install step found" : service.state} (${service.dockerfile})`);
      for (const step of service.steps) lines.push(`    line ${step.line} [${step.stage}] ${step.cached ? "cached" : "missing"}: ${step.command.length > 80 ? `${step.command.slice(0, 77)}...` : step.command}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

function renderWarm(results: readonly WarmResult[]): string {
  const rows = results.map((result) => [result.service, result.stage ?? "(image)", result.ok ? "ok" : `failed: ${result.error ?? ""}`, formatDuration(result.durationMs), `${result.cachedSteps}/${result.steps} cached`]);
  return `${alignColumns([["SERVICE", "STAGE", "RESULT", "TIME", "STEPS"], ...rows]).join("\n")}\n`;
}
