// `shipshape monitor [PATH]`: the project's images against their budgets (budgets: in the
// config), with the audit's recommendations for each image's Dockerfile; --sizes for sizes only;
// --watch follows the engine's events until Ctrl-C. Exit 0 within budget (and after --watch),
// 1 an image over its budget, 2 usage error or no engine.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { projectScope } from "../clean/scope.ts";
import { ApiClient } from "../engine/api-client.ts";
import { ApiEngine } from "../engine/api-engine.ts";
import { EngineDisk } from "../engine/disk.ts";
import { UsageError } from "../errors.ts";
import { MONITOR_FORMATS, renderMonitor, renderWatchLine, type MonitorFormat } from "../monitor/report.ts";
import { runMonitor, watchImages } from "../monitor/run.ts";
import { shouldUseColor } from "../report/tty.ts";
import { configFor } from "./config-for.ts";
import { ENV_HELP, environmentFiles } from "./environment-option.ts";
import { commandHelp } from "./help.ts";
import type { CliIO } from "./io.ts";

export const MONITOR_OPTIONS = `Options:
  --sizes                            sizes and layers only (no layer analysis, no audit)
  --watch                            check each image as it is built or tagged (GET /events), until Ctrl-C
${ENV_HELP}  --context NAME                     the docker context to use (default: DOCKER_HOST, DOCKER_CONTEXT, docker's current context)
  --tag-prefix P                     the prefix shipshape build tagged with (default: shipshape)
  --format tty|json                  output format (default: tty; with --watch, json is one object per line)
`;

export const MONITOR_HELP = commandHelp({
  usage: "shipshape monitor [PATH] [options]",
  summary:
    "Every image of the project on the engine against its budget (budgets: in shipshape.config.yaml): size, layers,\nwasted bytes and efficiency (dive's), with the audit's recommendations for the Dockerfile it came from.",
  options: MONITOR_OPTIONS,
  examples: ["shipshape monitor", "shipshape monitor --sizes --format json", "shipshape monitor --watch"],
  exitCodes: "0 every image within its budget (and after --watch ends), 1 an image over its budget, 2 usage error or no engine.",
});

export interface MonitorIO extends CliIO {
  /** Aborts --watch (the CLI wires SIGINT/SIGTERM to it; tests pass their own). */
  stopSignal?: AbortSignal;
}

export async function runMonitorCommand(args: string[], io: MonitorIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      sizes: { type: "boolean", default: false },
      watch: { type: "boolean", default: false },
      env: { type: "string" },
      context: { type: "string" },
      "tag-prefix": { type: "string", default: "shipshape" },
      format: { type: "string", default: "tty" },
    },
  });
  if (positionals.length > 1) throw new UsageError("shipshape monitor takes one PATH (a directory or a Dockerfile)");
  const format = values.format ?? "tty";
  if (!(MONITOR_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${MONITOR_FORMATS.join(", ")}`);
  const given = positionals[0] ?? ".";
  const root = path.resolve(io.cwd, given);
  if (!fs.existsSync(root)) throw new UsageError(`no such file or directory: ${given}`);
  const config = configFor(io, given);
  const composeFiles = environmentFiles(config, values.env);
  const scope = projectScope(root, { tagPrefix: values["tag-prefix"] ?? "shipshape", env: io.env, ...(composeFiles !== undefined ? { composeFiles } : {}) });
  const client = new ApiClient(io.env, values.context);
  const engine = new ApiEngine({ client });
  const disk = new EngineDisk(client);
  await engine.ping();
  const options = { sizesOnly: values.sizes ?? false, budgets: config?.budgets, cwd: fs.statSync(root).isDirectory() ? root : path.dirname(root) };
  const color = format === "tty" && shouldUseColor(io.env, io.isTTY);

  if (values.watch) {
    const controller = new AbortController();
    const stop = (): void => controller.abort();
    io.stopSignal?.addEventListener("abort", stop, { once: true });
    const ownSignals = io.stopSignal === undefined;
    if (ownSignals) {
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    }
    io.stderr(`shipshape: watching ${client.endpoint.display} for images of ${scope.project} (Ctrl-C to stop)\n`);
    let over = 0;
    try {
      for await (const image of watchImages(engine, disk, scope, { ...options, signal: controller.signal })) {
        if (image.checks.some((check) => !check.passed)) over++;
        io.stdout(renderWatchLine(format as MonitorFormat, image, { color }));
      }
    } finally {
      if (ownSignals) {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
      }
    }
    io.stderr(`shipshape: stopped watching${over > 0 ? ` (${over} image(s) over budget)` : ""}\n`);
    return 0;
  }

  const images = await runMonitor(engine, disk, scope, options);
  io.stdout(renderMonitor(format as MonitorFormat, images, { color, sizesOnly: options.sizesOnly }));
  return images.some((image) => image.checks.some((check) => !check.passed)) ? 1 : 0;
}
