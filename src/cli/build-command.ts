// `shipshape build [PATH]`: builds every image of a repository (compose services with build:,
// else each Dockerfile), shows progress on stderr and ends with a table on stdout: image, size,
// layers, build time, cache hit %. Exit 0 when every image built, 1 when one failed (the others
// still build), 2 on usage errors or when no engine answers.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { BuildDisplay } from "../builds/display.ts";
import { PROJECT_LABEL, runBuilds } from "../builds/run-builds.ts";
import { defaultParallelism } from "../builds/schedule.ts";
import { BUILD_FORMATS, renderBuildReport } from "../builds/summary.ts";
import type { BuildFormat, BuildRunReport, ImageBuildReport } from "../builds/summary.ts";
import { discoverBuildTargets, imageTagFor, repositoryNameOf } from "../builds/targets.ts";
import { createEngine, ENGINE_DRIVERS, isEngineDriver } from "../engine/select.ts";
import { recordMetrics } from "../metrics/record.ts";
import type { MetricsRecord } from "../metrics/record.ts";
import { shouldUseColor } from "../report/tty.ts";
import { parseAssignments } from "./assignments.ts";
import { commandHelp } from "./help.ts";
import type { CliIO } from "./io.ts";
import { UsageError } from "../errors.ts";
import type { BudgetConfig } from "../audit/config.ts";
import { breachLines, budgetFor, checkBudget, type Measured } from "../budgets/check.ts";
import { cleanBeforeBuild, DEFAULT_MIN_FREE_BYTES } from "../clean/pre-build.ts";
import { projectScope } from "../clean/scope.ts";
import { ApiClient } from "../engine/api-client.ts";
import { EngineDisk } from "../engine/disk.ts";
import { resolveCleanPolicy } from "./clean-command.ts";
import { configFor } from "./config-for.ts";
import { ENV_HELP, environmentFiles } from "./environment-option.ts";
import { NETWORK_HELP, networkOption } from "./network-option.ts";

export const BUILD_OPTIONS = `Options:
  --service S                        build only this compose service (repeatable)
  --target T                         build this stage (overrides compose's target)
  --build-arg K=V                    build argument (repeatable; K alone takes it from the environment)
  --no-cache                         build without BuildKit's cache
  --parallel N                       images built at once (default: cores, at most 4; 1 = one after
                                     the other); an image waits for those it is built FROM or after
  --driver api|buildx|auto           how to reach BuildKit (default: auto)
  --builder NAME                     build on this buildx builder (remote, docker-container, kubernetes drivers; docs/remote.md)
${NETWORK_HELP}  --clean-first                      run the clean policy (clean: in the config) before building
${ENV_HELP}  --tag-prefix P                     tag images P/<dir>-<service>:latest (default: shipshape)
  --format tty|json|markdown         the final table's format (default: tty)
  --no-history                       do not record the measurements in the metrics database
  --db PATH                          metrics database (default: .shipshape/metrics.db in the repository)
`;

export const BUILD_HELP = commandHelp({
  usage: "shipshape build [PATH] [options]",
  summary: "Builds every image of PATH (a repository, a context directory or a Dockerfile; default: the current\ndirectory): compose services with build:, else each Dockerfile. Progress on stderr, then a table of\nimage, size, layers, build time and cache hits; the numbers go to the metrics history.",
  options: BUILD_OPTIONS,
  examples: ["shipshape build", "shipshape build . --service api --build-arg NODE_ENV=production", "shipshape build . --parallel 1", "shipshape build services/web/Dockerfile --no-cache --format json"],
  exitCodes: "0 every image built, 1 an image failed to build (the others still build) or broke its budget (budgets: in the config), 2 usage error or no engine.",
});

export async function runBuildCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      service: { type: "string", multiple: true },
      target: { type: "string" },
      "build-arg": { type: "string", multiple: true },
      "no-cache": { type: "boolean", default: false },
      parallel: { type: "string" },
      driver: { type: "string", default: "auto" },
      builder: { type: "string" },
      "clean-first": { type: "boolean", default: false },
      env: { type: "string" },
      "tag-prefix": { type: "string", default: "shipshape" },
      format: { type: "string", default: "tty" },
      "no-history": { type: "boolean", default: false },
      db: { type: "string" },
      network: { type: "string" },
    },
  });
  if (positionals.length > 1) throw new UsageError("shipshape build takes one PATH (a directory or a Dockerfile)");
  const format = values.format ?? "tty";
  if (!(BUILD_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${BUILD_FORMATS.join(", ")}`);
  const driver = values.driver ?? "auto";
  if (!isEngineDriver(driver)) throw new UsageError(`--driver must be one of ${ENGINE_DRIVERS.join(", ")}`);
  const buildArgs = parseBuildArgs(values["build-arg"] ?? [], io.env);
  const tagPrefix = values["tag-prefix"] ?? "shipshape";
  const parallel = parseParallel(values.parallel);

  const given = positionals[0] ?? ".";
  const root = path.resolve(io.cwd, given);
  const config = configFor(io, given);
  const composeFiles = environmentFiles(config, values.env);
  // The driver probe (`docker buildx version`, a process) runs while the targets are discovered.
  const engineFound = createEngine({ driver, env: io.env, ...(values.builder !== undefined ? { builder: values.builder } : {}) });
  // Awaited below; when discovery fails first, its usage error is the one reported.
  engineFound.catch(() => undefined);
  const targets = discoverBuildTargets(root, { services: values.service ?? [], env: io.env, ...(composeFiles !== undefined ? { composeFiles } : {}) });
  if (targets.length === 0) throw new UsageError(`nothing to build in ${given}: no compose service with build: and no Dockerfile`);
  const repositoryName = repositoryNameOf(root);
  const network = networkOption(values.network, io, given);

  const engine = await engineFound;
  await engine.ping();
  // Low on disk (or --clean-first): the normal clean policy runs first, and says so.
  const disk = new EngineDisk(new ApiClient(io.env));
  await cleanBeforeBuild(disk, {
    cleanFirst: values["clean-first"] ?? false,
    minFreeBytes: config?.clean?.minFreeSpace ?? DEFAULT_MIN_FREE_BYTES,
    policy: resolveCleanPolicy({}, config?.clean),
    scope: () => projectScope(root, { tagPrefix, env: io.env, ...(composeFiles !== undefined ? { composeFiles } : {}) }),
    say: (line) => io.stderr(`${line}\n`),
  });

  const live = io.stderrIsTTY ?? false;
  const display = new BuildDisplay(
    targets.map((target) => target.name),
    { write: io.stderr, live, color: shouldUseColor(io.env, live), columns: () => (live ? process.stderr.columns : undefined) },
  );
  const startedAt = performance.now();
  let images;
  try {
    images = await runBuilds(engine, targets, {
      tagFor: (target) => imageTagFor(repositoryName, target.name, tagPrefix),
      noCache: values["no-cache"] ?? false,
      parallel,
      buildArgs,
      labels: { [PROJECT_LABEL]: repositoryName },
      ...(network !== undefined ? { network } : {}),
      ...(values.target !== undefined ? { stage: values.target } : {}),
      onStart: (target) => display.start(target.name, target.origin),
      onEvent: (target, event) => display.event(target.name, event),
      onFinish: (target, report) => display.finish(target.name, report.ok),
      onNotBuilt: (target, dependency) => display.notBuilt(target.name, `${dependency}, which it is built from or after, did not build`),
    });
  } finally {
    display.close();
  }
  const report: BuildRunReport = { path: given, driver: engine.kind, images, durationMs: Math.round(performance.now() - startedAt) };
  io.stdout(renderBuildReport(format as BuildFormat, report, { color: format === "tty" && shouldUseColor(io.env, io.isTTY) }));
  if (!values["no-history"]) {
    const byName = new Map(targets.map((target) => [target.name, target]));
    const records = buildMetricsRecords(images, (name) => {
      const target = byName.get(name);
      return target ? path.resolve(target.contextDir, target.dockerfile) : undefined;
    });
    try {
      // The repository that was built (not the current directory) decides which history this is.
      await recordMetrics(records, { cwd: directoryOf(root), ...(values.db !== undefined ? { dbPath: path.resolve(io.cwd, values.db) } : {}) });
    } catch (error) {
      // The images are built; a history that cannot be written does not undo that.
      io.stderr(`shipshape: measurements not recorded: ${(error as Error).message}\n`);
    }
  }
  const breaches = budgetBreaches(images, config?.budgets);
  for (const line of breaches) io.stderr(`${line}\n`);
  return images.every((image) => image.ok) && breaches.length === 0 ? 0 : 1;
}

/** The budget lines an image broke (size, layers, build time: what a build measures). */
export function budgetBreaches(images: readonly ImageBuildReport[], budgets: Record<string, BudgetConfig> | undefined): string[] {
  const lines: string[] = [];
  for (const image of images) {
    if (!image.ok) continue;
    const found = budgetFor(budgets, { name: image.name, reference: image.tag });
    if (found === undefined) continue;
    const measured: Measured = { durationMs: image.durationMs };
    if (image.sizeBytes !== undefined) measured.sizeBytes = image.sizeBytes;
    if (image.layers !== undefined) measured.layers = image.layers;
    lines.push(...breachLines(image.name, found.key, checkBudget(found.budget, measured)));
  }
  return lines;
}

/** One "build" record per image that built: failed builds have no size and would skew the trends. */
export function buildMetricsRecords(images: readonly ImageBuildReport[], dockerfileOf: (name: string) => string | undefined): MetricsRecord[] {
  return images
    .filter((image) => image.ok)
    .map((image) => {
      const metrics: Record<string, number> = { durationMs: image.durationMs, cacheHitRatio: image.cacheHitRatio };
      if (image.sizeBytes !== undefined) metrics.sizeBytes = image.sizeBytes;
      if (image.layers !== undefined) metrics.layers = image.layers;
      const record: MetricsRecord = { kind: "build", image: image.tag, metrics };
      const dockerfile = dockerfileOf(image.name);
      if (dockerfile !== undefined) record.dockerfile = dockerfile;
      return record;
    });
}

function directoryOf(absolute: string): string {
  return fs.statSync(absolute).isDirectory() ? absolute : path.dirname(absolute);
}

/** `--parallel N`: a whole number >= 1; the default is schedule.ts's (cores, at most 4). */
export function parseParallel(value: string | undefined): number {
  if (value === undefined) return defaultParallelism();
  const parallel = Number(value);
  if (value.trim() === "" || !Number.isInteger(parallel) || parallel < 1) throw new UsageError(`--parallel must be a whole number >= 1, got '${value}'`);
  return parallel;
}

/** `--build-arg K=V`; `--build-arg K` takes K from the environment, as `docker build` does (skipped when unset). */
export function parseBuildArgs(values: readonly string[], env: Record<string, string | undefined>): Record<string, string> {
  return parseAssignments("--build-arg", values, env);
}
