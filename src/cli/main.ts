// The command line: parse arguments, call the library, print. Exit codes:
// 0 clean, 1 findings at or above --fail-on (or files that could not be audited), 2 usage or fatal error.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { auditPaths, findConfigFile, loadConfigFile, UsageError } from "../audit/audit-paths.ts";
import { ConfigError, defaultConfig, impactAtLeast, STARTER_CONFIG } from "../audit/config.ts";
import type { AuditResult } from "../audit/result.ts";
import { EngineDriverError } from "../engine/select.ts";
import { EngineUnavailableError } from "../engine/types.ts";
import { allRules } from "../rules/index.ts";
import { FORMATS, renderAudit } from "../report/index.ts";
import { renderRulesJson } from "../report/json.ts";
import { renderRulesTable, shouldUseColor } from "../report/tty.ts";
import { BENCH_HELP, runBenchCommand } from "./bench-command.ts";
import { BUILD_HELP, runBuildCommand } from "./build-command.ts";
import { writeFileAtomic } from "./write.ts";
import { HISTORY_HELP, runHistoryCommand } from "./history-command.ts";
import { LAYERS_HELP, runLayersCommand } from "./layers-command.ts";
import { MetricsStoreError } from "../metrics/store.ts";
import { runFixCommand } from "./fix-command.ts";
import { runVerifyCommand, VERIFY_HELP } from "./verify-command.ts";

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  env: Record<string, string | undefined>;
  isTTY: boolean;
  /** Whether stderr is a terminal (live progress); defaults to false. */
  stderrIsTTY?: boolean;
}

const HELP = `shipshape: make Docker builds small, fast and cheap, with measured savings

Usage:
  shipshape audit [PATH...]   audit Dockerfiles, compose files and build contexts
  shipshape rules             list the rules
  shipshape init              write a starter shipshape.config.yaml
  shipshape fix [PATH...]     fix what the audit can fix safely: prints a diff, --write applies it
  shipshape build [PATH]      build every image (compose services, else each Dockerfile): size, layers, time, cache hits
  shipshape bench [PATH]      timed builds: cold, warm, code/deps/Dockerfile change; --compare REF|FILE for before/after
  shipshape history           metrics trends per image from .shipshape/metrics.db; --fail-on-regression for CI
  shipshape layers IMAGE|ARCHIVE  per-layer sizes, added/modified/removed files, wasted bytes, dive efficiency; --ci thresholds
  shipshape verify BEFORE AFTER   are two images equivalent for their users? config, files, executables, libraries, Node packages; --smoke, --http

Audit options:
  --format tty|json|sarif|markdown   output format (default: tty)
  --output FILE                      write the report to FILE instead of stdout
  --fail-on high|medium|low|none     exit 1 when a finding at or above this impact remains (default: low)
  --config FILE                      config file (default: shipshape.config.yaml|yml|json)

Fix options:
  --write                            write the changes (atomically) instead of printing a diff
  --rule ID                          only this rule's fixes (repeatable)
  --config FILE                      config file, as for audit
  --level safe|rewrite               rewrite: also replace single-stage Dockerfiles with a multi-stage rewrite (docs/fix.md)
  --accept-review                    apply rewrites that need review too (otherwise they are shown, not applied)
  --dev                              with --level rewrite: add a dev target and compose.dev.yaml
  --verify                           build each changed Dockerfile before and after and verify the images; failures are not written
  --smoke 'ARGS' / --http PORT/PATH  probes for --verify on every target (else verify.services in the config)
  --env KEY=VALUE                    environment of --verify's probes (repeatable), over compose's environment: and the config's env
  --driver api|buildx|auto           how --verify reaches the engine (default: auto)
  --network NAME                     network of --verify's builds and probes (default: the engine's; env SHIPSHAPE_NETWORK, config build.network)
  --consolidate                      merge near-duplicate Dockerfiles into one multi-target Dockerfile + docker-bake.hcl (docs/consolidate.md)

Rules options:
  --format tty|json

${BUILD_HELP}
${BENCH_HELP}
${HISTORY_HELP}
${LAYERS_HELP}
${VERIFY_HELP}
Exit codes: 0 clean, 1 findings (or files that could not be audited), 2 usage or fatal error.
Docs: docs/rules/<id>.md for every rule.
`;

export function packageVersion(): string {
  try {
    const text = fs.readFileSync(new URL("../../package.json", import.meta.url), "utf8");
    return (JSON.parse(text) as { version?: string }).version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "audit":
        return runAudit(rest, io);
      case "rules":
        return runRules(rest, io);
      case "bench":
        return await runBenchCommand(rest, io);
      case "build":
        return await runBuildCommand(rest, io);
      case "history":
        return await runHistoryCommand(rest, io);
      case "fix":
        return await runFixCommand(rest, io);
      case "layers":
        return await runLayersCommand(rest, io);
      case "verify":
        return await runVerifyCommand(rest, io);
      case "init":
        return runInit(rest, io);
      case "--version":
      case "-v":
      case "version":
        io.stdout(`${packageVersion()}\n`);
        return EXIT_OK;
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.stdout(HELP);
        return command === undefined ? EXIT_USAGE : EXIT_OK;
      default:
        io.stderr(`shipshape: unknown command '${command}'\n\n${HELP}`);
        return EXIT_USAGE;
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError || error instanceof EngineUnavailableError || error instanceof EngineDriverError || error instanceof MetricsStoreError || isParseArgsError(error)) {
      io.stderr(`shipshape: ${(error as Error).message}\n`);
      return EXIT_USAGE;
    }
    io.stderr(`shipshape: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT_USAGE;
  }
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof TypeError && typeof code === "string" && code.startsWith("ERR_PARSE_ARGS");
}

function runAudit(args: string[], io: CliIO): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: "string", default: "tty" },
      output: { type: "string" },
      "fail-on": { type: "string" },
      config: { type: "string" },
    },
  });
  const format = values.format ?? "tty";
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(", ")}`);
  const failOnValue = values["fail-on"];
  if (failOnValue !== undefined && !["high", "medium", "low", "none"].includes(failOnValue)) throw new UsageError("--fail-on must be high, medium, low or none");

  const firstDirectory = directoryOf(path.resolve(io.cwd, positionals[0] ?? "."));
  const configFile = values.config !== undefined ? path.resolve(io.cwd, values.config) : findConfigFile(firstDirectory, io.cwd);
  const config = configFile !== undefined ? loadConfigFile(configFile) : defaultConfig();
  const result = auditPaths(positionals, { cwd: io.cwd, config });

  const color = values.output === undefined && format === "tty" && shouldUseColor(io.env, io.isTTY);
  const output = renderAudit(format as (typeof FORMATS)[number], result, { color, rules: allRules, toolVersion: packageVersion() });
  if (values.output !== undefined) {
    writeFileAtomic(path.resolve(io.cwd, values.output), output);
    io.stderr(`shipshape: wrote ${values.output} (${result.summary.findings} findings in ${result.summary.files} files)\n`);
  } else io.stdout(output);

  const failOn = (failOnValue ?? config.failOn ?? "low") as "high" | "medium" | "low" | "none";
  return exitCodeFor(result, failOn);
}

function directoryOf(absolute: string): string {
  try {
    return fs.statSync(absolute).isDirectory() ? absolute : path.dirname(absolute);
  } catch {
    return path.dirname(absolute);
  }
}

export function exitCodeFor(result: AuditResult, failOn: "high" | "medium" | "low" | "none"): number {
  if (failOn === "none") return EXIT_OK;
  const failing = result.files.some((file) => file.error !== undefined || file.findings.some((finding) => impactAtLeast(finding.impact, failOn)));
  return failing ? EXIT_FINDINGS : EXIT_OK;
}

function runRules(args: string[], io: CliIO): number {
  const { values } = parseArgs({ args, options: { format: { type: "string", default: "tty" } } });
  if (values.format === "json") io.stdout(renderRulesJson(allRules));
  else if (values.format === "tty") io.stdout(renderRulesTable(allRules, { color: shouldUseColor(io.env, io.isTTY) }));
  else throw new UsageError("--format must be tty or json for `shipshape rules`");
  return EXIT_OK;
}

function runInit(args: string[], io: CliIO): number {
  const { values } = parseArgs({ args, options: { force: { type: "boolean", default: false } } });
  const target = path.join(io.cwd, "shipshape.config.yaml");
  if (fs.existsSync(target) && !values.force) {
    io.stderr("shipshape: shipshape.config.yaml already exists (use --force to overwrite)\n");
    return EXIT_USAGE;
  }
  writeFileAtomic(target, STARTER_CONFIG);
  io.stdout("wrote shipshape.config.yaml\n");
  return EXIT_OK;
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${path.resolve(process.argv[1])}`).href;
const isBin = process.argv[1] !== undefined && /shipshape(\.js)?$/.test(process.argv[1]);
if (isMain || isBin) {
  const code = await runCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env,
    isTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
  });
  process.exitCode = code;
}
