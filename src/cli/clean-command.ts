// `shipshape clean [PATH]`: removes the project's old images and trims the build cache by policy
// (options over `clean:` in shipshape.config.yaml over defaults), with a dry run that shows
// exactly what goes, and the engine's disk use before and after. Exit 0 done (or planned),
// 1 something planned could not be removed, 2 usage error or no engine.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import type { CleanPolicyConfig } from "../audit/config.ts";
import { renderGcPolicy } from "../clean/gc-policy.ts";
import { DEFAULT_AGGRESSIVE_MAX_CACHE_BYTES, DEFAULT_KEEP_IMAGES, DEFAULT_MAX_CACHE_BYTES, type CleanPolicy } from "../clean/plan.ts";
import { CLEAN_FORMATS, renderCleanReport, type CleanFormat } from "../clean/report.ts";
import { runClean } from "../clean/run.ts";
import { projectScope } from "../clean/scope.ts";
import { ApiClient } from "../engine/api-client.ts";
import { EngineDisk } from "../engine/disk.ts";
import { UsageError } from "../errors.ts";
import { parseByteSize } from "../format/index.ts";
import { shouldUseColor } from "../report/tty.ts";
import { configFor } from "./config-for.ts";
import { commandHelp } from "./help.ts";
import type { CliIO } from "./io.ts";

export const DEFAULT_KEEP_DURATION_MS = 48 * 3_600_000;

export const CLEAN_OPTIONS = `Options:
  --dry-run                          print the plan (each item, why, bytes) and change nothing
  --keep-images N                    newest images kept per repository (default 2; --aggressive: 1)
  --max-cache SIZE                   trim the build cache to SIZE: 10GB, 500MiB (default 10GB; --aggressive: 1GB)
  --aggressive                       keep 1 image, lower cache cap, remove the project's stopped containers and unused cache mounts
  --include-bases                    remove the project's base images too (FROM images, pulled compose images)
  --all-projects                     every image shipshape built (any project) and every untagged image
  --keep REF                         never remove REF (a reference, repository or glob; repeatable)
  --builder NAME                     prune the build cache of this buildx builder (docker buildx prune)
  --context NAME                     the docker context to use (default: DOCKER_HOST, DOCKER_CONTEXT, docker's current context)
  --tag-prefix P                     the prefix shipshape build tagged with (default: shipshape)
  --print-gc-policy                  print daemon.json and buildkitd.toml garbage-collection settings for the caps
  --format tty|json                  output format (default: tty)
`;

export const CLEAN_HELP = commandHelp({
  usage: "shipshape clean [PATH] [options]",
  summary:
    "Removes the project's dangling images and all but the newest N images per repository, and trims the build\ncache to a cap (POST /build/prune keep-storage). Never removes an image a container uses, an image outside\nthe project, an image a keep rule names, or a base image (unless --include-bases). Prints the engine's disk\nuse (/system/df) before and after and the bytes reclaimed. Settings also come from `clean:` in the config.",
  options: CLEAN_OPTIONS,
  examples: ["shipshape clean --dry-run", "shipshape clean . --keep-images 3 --max-cache 5GB", "shipshape clean --aggressive --format json", "shipshape clean --print-gc-policy > gc.txt"],
  exitCodes: "0 cleaned (or planned), 1 something planned could not be removed, 2 usage error or no engine.",
});

function sizeOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const bytes = parseByteSize(value);
  if (bytes === undefined) throw new UsageError(`--${name} must be a size such as 10GB or 500MiB, got '${value}'`);
  return bytes;
}

/** Options over the config's `clean:` over the defaults. */
export function resolveCleanPolicy(
  values: { keepImages?: string; maxCache?: string; aggressive?: boolean; includeBases?: boolean; allProjects?: boolean; keep?: string[] },
  config: CleanPolicyConfig | undefined,
): CleanPolicy {
  const aggressive = (values.aggressive ?? false) || (config?.aggressive ?? false);
  let keepImages = aggressive ? 1 : (config?.keepImages ?? DEFAULT_KEEP_IMAGES);
  if (values.keepImages !== undefined) {
    keepImages = Number(values.keepImages);
    if (!Number.isInteger(keepImages) || keepImages < 0) throw new UsageError(`--keep-images must be a whole number (0 or more), got '${values.keepImages}'`);
  }
  const maxCacheBytes = sizeOption("max-cache", values.maxCache) ?? (aggressive ? (config?.aggressiveMaxCache ?? Math.min(DEFAULT_AGGRESSIVE_MAX_CACHE_BYTES, config?.maxCache ?? Infinity)) : (config?.maxCache ?? DEFAULT_MAX_CACHE_BYTES));
  return {
    keepImages,
    maxCacheBytes,
    aggressive,
    includeBases: (values.includeBases ?? false) || (config?.includeBases ?? false),
    allProjects: values.allProjects ?? false,
    keep: [...(config?.keep ?? []), ...(values.keep ?? [])],
  };
}

export async function runCleanCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      "dry-run": { type: "boolean", default: false },
      "keep-images": { type: "string" },
      "max-cache": { type: "string" },
      aggressive: { type: "boolean", default: false },
      "include-bases": { type: "boolean", default: false },
      "all-projects": { type: "boolean", default: false },
      keep: { type: "string", multiple: true },
      builder: { type: "string" },
      context: { type: "string" },
      "tag-prefix": { type: "string", default: "shipshape" },
      "print-gc-policy": { type: "boolean", default: false },
      format: { type: "string", default: "tty" },
    },
  });
  if (positionals.length > 1) throw new UsageError("shipshape clean takes one PATH (a directory or a Dockerfile)");
  const format = values.format ?? "tty";
  if (!(CLEAN_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${CLEAN_FORMATS.join(", ")}`);
  const given = positionals[0] ?? ".";
  if (!fs.existsSync(path.resolve(io.cwd, given))) throw new UsageError(`no such file or directory: ${given}`);
  const config = configFor(io, given);
  const policy = resolveCleanPolicy(
    {
      ...(values["keep-images"] !== undefined ? { keepImages: values["keep-images"] } : {}),
      ...(values["max-cache"] !== undefined ? { maxCache: values["max-cache"] } : {}),
      aggressive: values.aggressive ?? false,
      includeBases: values["include-bases"] ?? false,
      allProjects: values["all-projects"] ?? false,
      keep: values.keep ?? [],
    },
    config?.clean,
  );
  if (values["print-gc-policy"]) {
    io.stdout(renderGcPolicy({ maxCacheBytes: policy.maxCacheBytes, keepDurationMs: config?.clean?.keepDuration ?? DEFAULT_KEEP_DURATION_MS, minFreeBytes: config?.clean?.minFreeSpace ?? 0 }));
    return 0;
  }
  const scope = projectScope(path.resolve(io.cwd, given), { tagPrefix: values["tag-prefix"] ?? "shipshape", env: io.env });
  const client = new ApiClient(io.env, values.context);
  const disk = new EngineDisk(client);
  const live = (io.stderrIsTTY ?? false) && format === "tty";
  const report = await runClean(disk, scope, policy, {
    dryRun: values["dry-run"] ?? false,
    env: io.env,
    ...(values.builder !== undefined ? { builder: values.builder } : {}),
    ...(live ? { onProgress: (line: string) => io.stderr(`${line}\n`) } : {}),
  });
  io.stdout(renderCleanReport(format as CleanFormat, report, { color: format === "tty" && shouldUseColor(io.env, io.isTTY), engine: client.endpoint.display }));
  return report.failures.length > 0 ? 1 : 0;
}
