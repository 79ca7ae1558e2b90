// `shipshape layers IMAGE|ARCHIVE`: what each layer of an image adds, changes and removes, the
// bytes later layers waste, and dive's efficiency numbers; with --ci, dive's pass/fail thresholds.
// Reads `docker save` / OCI layout archives (files, stdin, or an image exported by the engine)
// as one stream: nothing is extracted, memory grows with the number of files, not their bytes.
// Exit codes: 0 ok, 1 a --ci threshold crossed, 2 usage error or unreadable archive.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { UsageError } from "../errors.ts";
import { EngineApiError } from "../engine/api-client.ts";
import { createEngine, ENGINE_DRIVERS, isEngineDriver, type EngineDriver } from "../engine/select.ts";
import { DIVE_CI_DEFAULTS, evaluateCi, parseByteSize, type CiThresholds, type ImageAnalysis } from "../image/analysis.ts";
import { ImageArchiveError } from "../image/archive.ts";
import { analyzeImageStream, classifyImageArgument, openImageSource, type ImageSource } from "../image/layers.ts";
import { ciPassed, LAYERS_FORMATS, renderLayers, type LayersFormat, type LayersReport } from "../image/report.ts";
import { recordMetrics, type MetricsRecord } from "../metrics/record.ts";
import { shouldUseColor } from "../report/tty.ts";
import { breachLines, budgetFor, checkBudget } from "../budgets/check.ts";
import { configFor } from "./config-for.ts";
import { commandHelp } from "./help.ts";
import type { CliIO } from "./io.ts";

export const LAYERS_OPTIONS = `Options:
  --format tty|json|markdown         output format (default: tty)
  --ci                               check dive's thresholds and the image's budget (budgets: in the config), exit 1 when one is crossed
                                     (defaults: --lowest-efficiency 0.9 --highest-user-wasted-percent 0.1)
  --lowest-efficiency R              fail below this efficiency, 0..1 (implies --ci; "disabled" turns it off)
  --highest-wasted-bytes SIZE        fail above these wasted bytes: 20MB, 20MiB, 5000000 (implies --ci)
  --highest-user-wasted-percent R    fail above this wasted/user-size ratio, 0..1 (implies --ci)
  --top N                            wasted paths to list (default 10)
  --driver api|buildx|auto           engine driver for image references (default: auto)
  --no-history                       do not record the measurements in the metrics database
  --db PATH                          metrics database (default: .shipshape/metrics.db in the repository)
`;

export const LAYERS_HELP = commandHelp({
  usage: "shipshape layers IMAGE|ARCHIVE|- [options]",
  summary: "What each layer of an image adds, changes and removes, the bytes later layers waste, and dive's efficiency.\nIMAGE is an image reference (exported from the engine as a stream); ARCHIVE a docker save / OCI layout\narchive (.tar, .tar.gz); - reads the archive from stdin.",
  options: LAYERS_OPTIONS,
  examples: ["shipshape layers shop-api:latest", "docker save shop-api:latest | shipshape layers - --format json", "shipshape layers image.tar --ci --highest-wasted-bytes 20MB"],
  exitCodes: "0 ok, 1 a --ci threshold crossed, 2 usage error, unknown image or unreadable archive.",
});

function isDisabled(value: string): boolean {
  return ["disabled", "off", "false", ""].includes(value.trim().toLowerCase());
}

function ratioOption(name: string, value: string | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  if (isDisabled(value)) return null;
  const ratio = Number(value);
  if (value.trim() === "" || !Number.isFinite(ratio) || ratio < 0 || ratio > 1) throw new UsageError(`--${name} must be a number from 0 to 1 (or "disabled"), got '${value}'`);
  return ratio;
}

/** dive's rules: --ci starts from dive's defaults, each flag overrides (or disables) one rule. */
export function ciThresholdsFrom(values: { ci: boolean; lowestEfficiency?: string; highestWastedBytes?: string; highestUserWastedPercent?: string }): CiThresholds | undefined {
  const lowest = ratioOption("lowest-efficiency", values.lowestEfficiency);
  const userPercent = ratioOption("highest-user-wasted-percent", values.highestUserWastedPercent);
  let wastedBytes: number | null | undefined;
  if (values.highestWastedBytes !== undefined) {
    if (isDisabled(values.highestWastedBytes)) wastedBytes = null;
    else {
      wastedBytes = parseByteSize(values.highestWastedBytes);
      if (wastedBytes === undefined) throw new UsageError(`--highest-wasted-bytes must be a size like 20MB, 20MiB or 5000000, got '${values.highestWastedBytes}'`);
    }
  }
  const anyThreshold = lowest !== undefined || userPercent !== undefined || wastedBytes !== undefined;
  if (!values.ci && !anyThreshold) return undefined;
  const thresholds: CiThresholds = { ...DIVE_CI_DEFAULTS };
  const apply = (key: keyof CiThresholds, value: number | null | undefined): void => {
    if (value === null) delete thresholds[key];
    else if (value !== undefined) thresholds[key] = value;
  };
  apply("lowestEfficiency", lowest);
  apply("highestWastedBytes", wastedBytes);
  apply("highestUserWastedPercent", userPercent);
  return thresholds;
}

function metricsOf(analysis: ImageAnalysis): Record<string, number> {
  const metrics: Record<string, number> = {
    sizeBytes: analysis.sizeBytes,
    layers: analysis.layers.length,
    wastedBytes: analysis.wastedBytes,
    efficiency: analysis.efficiency,
    reclaimableBytes: analysis.reclaimableBytes,
  };
  // The store takes finite numbers only; an infinite ratio (no user bytes) is left out.
  if (Number.isFinite(analysis.userWastedPercent)) metrics.userWastedPercent = analysis.userWastedPercent;
  return metrics;
}

export async function runLayersCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: "string", default: "tty" },
      ci: { type: "boolean", default: false },
      "lowest-efficiency": { type: "string" },
      "highest-wasted-bytes": { type: "string" },
      "highest-user-wasted-percent": { type: "string" },
      top: { type: "string" },
      driver: { type: "string", default: "auto" },
      "no-history": { type: "boolean", default: false },
      db: { type: "string" },
    },
  });
  const [target] = positionals;
  if (target === undefined || positionals.length > 1) throw new UsageError("shipshape layers takes one IMAGE, ARCHIVE (.tar, .tar.gz) or - for stdin");
  const format = values.format ?? "tty";
  if (!(LAYERS_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${LAYERS_FORMATS.join(", ")}`);
  const driver = values.driver ?? "auto";
  if (!isEngineDriver(driver)) throw new UsageError(`--driver must be one of ${ENGINE_DRIVERS.join(", ")}`);
  let topPaths = 10;
  if (values.top !== undefined) {
    topPaths = Number(values.top);
    if (!Number.isInteger(topPaths) || topPaths < 0) throw new UsageError(`--top must be a whole number, got '${values.top}'`);
  }
  const thresholds = ciThresholdsFrom({
    ci: values.ci ?? false,
    lowestEfficiency: values["lowest-efficiency"],
    highestWastedBytes: values["highest-wasted-bytes"],
    highestUserWastedPercent: values["highest-user-wasted-percent"],
  });

  if (isDirectory(path.resolve(io.cwd, target))) throw new UsageError(`${target} is a directory: give a tar of it (tar -cf layout.tar -C ${target} .)`);
  const source = classifyImageArgument(target, io.cwd);
  if (source === undefined) throw new UsageError(`no such file: ${target}`);

  let analysis: ImageAnalysis;
  try {
    const stream = await openImageSource(source, () => createEngine({ driver: driver as EngineDriver, env: io.env }));
    analysis = await analyzeImageStream(stream, { topPaths });
  } catch (error) {
    if (error instanceof ImageArchiveError) {
      io.stderr(`shipshape: ${describeSource(source)}: ${error.message}\n`);
      return 2;
    }
    if (error instanceof EngineApiError && source.kind === "engine") {
      throw new UsageError(
        error.statusCode === 404
          ? `no image ${source.reference} in the Docker Engine (${error.message}): build or pull it first, or give an archive (docker save -o image.tar ${source.reference})`
          : `image ${source.reference}: the Docker Engine answered: ${error.message}`,
      );
    }
    throw error;
  }

  const report: LayersReport = { analysis, ...(thresholds === undefined ? {} : { ci: evaluateCi(analysis, thresholds) }) };
  io.stdout(renderLayers(report, format as LayersFormat, { color: format === "tty" && shouldUseColor(io.env, io.isTTY), topPaths }));

  if (!(values["no-history"] ?? false)) {
    const record: MetricsRecord = { kind: "layers", image: source.kind === "engine" ? source.reference : analysis.reference, metrics: metricsOf(analysis) };
    try {
      await recordMetrics([record], { cwd: io.cwd, ...(values.db !== undefined ? { dbPath: values.db } : {}) });
    } catch (error) {
      // The analysis is printed; a history that cannot be written does not undo it.
      io.stderr(`shipshape: measurements not recorded: ${(error as Error).message}\n`);
    }
  }
  // --ci also checks the image's budget (budgets: in the config of the current directory).
  let overBudget = false;
  if (report.ci !== undefined) {
    const reference = source.kind === "engine" ? source.reference : analysis.reference;
    const found = budgetFor(configFor(io, ".")?.budgets, { reference });
    if (found !== undefined) {
      const lines = breachLines(reference, found.key, checkBudget(found.budget, { sizeBytes: analysis.sizeBytes, layers: analysis.layers.length, wastedBytes: analysis.wastedBytes }));
      for (const line of lines) io.stderr(`${line}\n`);
      overBudget = lines.length > 0;
    }
  }
  return (report.ci !== undefined && !ciPassed(report.ci)) || overBudget ? 1 : 0;
}

function isDirectory(candidate: string): boolean {
  try {
    return fs.statSync(candidate).isDirectory();
  } catch {
    return false;
  }
}

function describeSource(source: ImageSource): string {
  if (source.kind === "file") return source.path;
  if (source.kind === "stdin") return "stdin";
  return source.reference;
}
