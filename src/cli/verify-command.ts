// `shipshape verify BEFORE AFTER`: are two images equivalent for their users? Prints the checks,
// differences and notes; records one "verify" measurement. Exit 0 equivalent, 1 not equivalent,
// 2 usage errors, unknown images, or no engine.
import path from "node:path";
import { parseArgs } from "node:util";
import { findConfigFile, loadConfigFile } from "../audit/audit-paths.ts";
import { ConfigError, UsageError } from "../errors.ts";
import { EngineApiError } from "../engine/api-client.ts";
import { chooseNetwork } from "../engine/network.ts";
import { createEngine, ENGINE_DRIVERS, isEngineDriver } from "../engine/select.ts";
import { recordMetrics } from "../metrics/record.ts";
import type { MetricsRecord } from "../metrics/record.ts";
import { shouldUseColor } from "../report/tty.ts";
import type { AllowClass } from "../verify/allow.ts";
import { AllowClassError, parseAllowClass } from "../verify/allow.ts";
import type { CommandOverride } from "../verify/executables.ts";
import { ImageFilesError } from "../verify/image-files.ts";
import type { HttpTarget } from "../verify/outputs.ts";
import { splitArguments } from "../repo/shell-words.ts";
import { parseHttpTarget } from "../verify/outputs.ts";
import { VERIFY_FORMATS, renderVerify } from "../verify/report.ts";
import type { VerifyFormat } from "../verify/report.ts";
import type { VerifyResult } from "../verify/result.ts";
import { countDifferences } from "../verify/result.ts";
import { DEFAULT_READY_TIMEOUT_MS, DEFAULT_SMOKE_TIMEOUT_MS, verifyImages } from "../verify/run.ts";
import { parseAssignments } from "./assignments.ts";
import { commandHelp } from "./help.ts";
import type { CliIO } from "./io.ts";
import { writeFileAtomic } from "./write.ts";

export const VERIFY_OPTIONS = `Options:
  --smoke 'ARGS'                     run both images with ARGS (--network=none), compare exit code and output (repeatable; '' = default command)
  --smoke-ignore REGEX               text to ignore in smoke output and HTTP bodies, e.g. timestamps (repeatable)
  --smoke-timeout SECONDS            per smoke run (default: ${DEFAULT_SMOKE_TIMEOUT_MS / 1000})
  --http PORT/PATH                   start both images (env PORT, the port published on 127.0.0.1), compare GET PATH (repeatable)
  --http-assets                      also request every same-server asset an HTML answer references; AFTER's must answer 2xx
  --ready-timeout SECONDS            how long a server may take to answer (default: ${DEFAULT_READY_TIMEOUT_MS / 1000})
  --env KEY=VALUE                    environment of both images' smoke runs and HTTP servers (repeatable; KEY alone takes it from the shell)
  --command 'ARGS' / --entrypoint 'ARGS'  run both images with this command/entrypoint instead of their own (as compose's command:/entrypoint:); its programs must resolve in AFTER too
  --allow CLASS                      accept a reviewed settings difference (user, cmd-form, cmd, entrypoint, workdir, env:KEY, ...; repeatable; docs/verify.md)
  --config FILE                      config file (default: shipshape.config.yaml in the current directory); its verify.allow adds to --allow
  --format tty|json|markdown         output format (default: tty)
  --output FILE                      write the report to FILE instead of stdout
  --driver api|buildx|auto           how to reach the engine (default: auto)
  --network NAME                     network of the --http containers (default: the engine's; "host": no port publishing; env SHIPSHAPE_NETWORK, config build.network)
  --no-history                       do not record the result in the metrics database
  --db PATH                          metrics database (default: .shipshape/metrics.db in the repository)
`;

export const VERIFY_HELP = commandHelp({
  usage: "shipshape verify BEFORE AFTER [options]",
  summary: "Are two images equivalent for their users? Compares config, files, executables, shared libraries and\nNode packages; --smoke and --http also run both images and compare what they do.",
  options: VERIFY_OPTIONS,
  examples: ["shipshape verify shop-api:before shop-api:after", "shipshape verify old:1 new:1 --smoke '--version' --http 3000/health", "shipshape verify a.tar b.tar --format json --output verify.json"],
  exitCodes: "0 equivalent, 1 not equivalent, 2 usage error, unknown image or no engine.",
});

function seconds(value: string | undefined, option: string, fallbackMs: number): number {
  if (value === undefined) return fallbackMs;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new UsageError(`${option} expects a number of seconds, got ${JSON.stringify(value)}`);
  return Math.round(number * 1000);
}

/** `--command` / `--entrypoint` as words (split like --smoke); undefined when neither is given. */
function overrideFrom(command: string | undefined, entrypoint: string | undefined): CommandOverride | undefined {
  const words = (text: string | undefined, option: string): string[] | undefined => {
    if (text === undefined) return undefined;
    let argv: string[];
    try {
      argv = splitArguments(text);
    } catch (error) {
      throw new UsageError(`${option}: ${(error as Error).message}`);
    }
    if (argv.length === 0) throw new UsageError(`${option} needs a program`);
    return argv;
  };
  const commandWords = words(command, "--command");
  const entrypointWords = words(entrypoint, "--entrypoint");
  if (commandWords === undefined && entrypointWords === undefined) return undefined;
  return { source: "The given command", ...(commandWords !== undefined ? { command: commandWords } : {}), ...(entrypointWords !== undefined ? { entrypoint: entrypointWords } : {}) };
}

function regexes(values: readonly string[]): RegExp[] {
  return values.map((value) => {
    try {
      return new RegExp(value, "g");
    } catch (error) {
      throw new UsageError(`--smoke-ignore ${JSON.stringify(value)}: ${(error as Error).message}`);
    }
  });
}

function httpTargets(values: readonly string[]): HttpTarget[] {
  const targets = values.map((value) => {
    try {
      return parseHttpTarget(value);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  });
  const ports = new Set(targets.map((target) => target.port));
  // One PORT variable per container: every probed path must be served on the same port.
  if (ports.size > 1) throw new UsageError(`--http targets must share one port (the app gets one PORT), got ${[...ports].join(", ")}`);
  return targets;
}

/** `--allow` values and the config's `verify.allow`, parsed; an unknown class is a one-line error naming the valid ones. */
export function allowClasses(commandLine: readonly string[], configured: readonly string[], configFile: string | undefined): AllowClass[] {
  const classes: AllowClass[] = [];
  configured.forEach((text, index) => {
    try {
      classes.push(parseAllowClass(text));
    } catch (error) {
      if (!(error instanceof AllowClassError)) throw error;
      throw new ConfigError(`${configFile ?? "config"}: invalid config at verify.allow.${index}: ${error.message}`);
    }
  });
  for (const text of commandLine) {
    try {
      classes.push(parseAllowClass(text));
    } catch (error) {
      if (!(error instanceof AllowClassError)) throw error;
      throw new UsageError(`--allow: ${error.message}`);
    }
  }
  return classes;
}

/** The "verify" record for the metrics history. */
export function verifyMetricsRecord(result: VerifyResult): MetricsRecord {
  return { kind: "verify", image: result.after.reference, scenario: `vs ${result.before.reference}`, metrics: { equivalent: result.equivalent ? 1 : 0, differences: countDifferences(result.differences) } };
}

export async function runVerifyCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      smoke: { type: "string", multiple: true },
      "smoke-ignore": { type: "string", multiple: true },
      "smoke-timeout": { type: "string" },
      http: { type: "string", multiple: true },
      "http-assets": { type: "boolean", default: false },
      "ready-timeout": { type: "string" },
      env: { type: "string", multiple: true },
      command: { type: "string" },
      entrypoint: { type: "string" },
      format: { type: "string", default: "tty" },
      output: { type: "string" },
      driver: { type: "string", default: "auto" },
      "no-history": { type: "boolean", default: false },
      db: { type: "string" },
      allow: { type: "string", multiple: true },
      network: { type: "string" },
      config: { type: "string" },
    },
  });
  if (positionals.length !== 2) throw new UsageError("shipshape verify takes two images: BEFORE AFTER");
  const [before, after] = positionals as [string, string];
  const format = values.format ?? "tty";
  if (!(VERIFY_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${VERIFY_FORMATS.join(", ")}`);
  const driver = values.driver ?? "auto";
  if (!isEngineDriver(driver)) throw new UsageError(`--driver must be one of ${ENGINE_DRIVERS.join(", ")}`);
  const smoke = values.smoke ?? [];
  for (const text of smoke) {
    try {
      splitArguments(text);
    } catch (error) {
      throw new UsageError(`--smoke: ${(error as Error).message}`);
    }
  }
  const ignore = regexes(values["smoke-ignore"] ?? []);
  const http = httpTargets(values.http ?? []);
  const smokeTimeoutMs = seconds(values["smoke-timeout"], "--smoke-timeout", DEFAULT_SMOKE_TIMEOUT_MS);
  const readyTimeoutMs = seconds(values["ready-timeout"], "--ready-timeout", DEFAULT_READY_TIMEOUT_MS);
  const env = parseAssignments("--env", values.env ?? [], io.env);
  const commandOverride = overrideFrom(values.command, values.entrypoint);
  const configFile = values.config !== undefined ? path.resolve(io.cwd, values.config) : findConfigFile(io.cwd);
  const config = configFile !== undefined ? loadConfigFile(configFile) : undefined;
  const allow = allowClasses(values.allow ?? [], config?.verify?.allow ?? [], configFile);
  const network = chooseNetwork(values.network, io.env, config?.build?.network);

  const engine = await createEngine({ driver, env: io.env });
  await engine.ping();
  let result: VerifyResult;
  try {
    result = await verifyImages(engine, { before, after, smoke, ignore, http, env, ...(commandOverride !== undefined ? { commandOverride } : {}), allow, ...(network !== undefined ? { network } : {}), httpAssets: values["http-assets"], smokeTimeoutMs, readyTimeoutMs, onProgress: (message) => io.stderr(`shipshape verify: ${message}\n`) });
  } catch (error) {
    // An image that is not there, or an archive we cannot read: say which, exit 2.
    if (error instanceof EngineApiError || error instanceof ImageFilesError) throw new UsageError(error.message);
    throw error;
  }
  const output = renderVerify(format as VerifyFormat, result, { color: format === "tty" && values.output === undefined && shouldUseColor(io.env, io.isTTY) });
  if (values.output !== undefined) {
    writeFileAtomic(path.resolve(io.cwd, values.output), output);
    io.stderr(`shipshape: wrote ${values.output} (${result.equivalent ? "equivalent" : `${countDifferences(result.differences)} differences`})\n`);
  } else io.stdout(output);

  if (!values["no-history"]) {
    try {
      await recordMetrics([verifyMetricsRecord(result)], { cwd: io.cwd, ...(values.db !== undefined ? { dbPath: path.resolve(io.cwd, values.db) } : {}) });
    } catch (error) {
      io.stderr(`shipshape: result not recorded: ${(error as Error).message}\n`);
    }
  }
  return result.equivalent ? 0 : 1;
}
