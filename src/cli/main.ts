// The command line: find the command, load its module (lazily: `--version` loads nothing else),
// run it, and turn user errors into one line and exit 2. Exit codes: 0 clean, 1 findings (each
// command documents its own), 2 usage or fatal error.
import path from "node:path";
import { UserError } from "../errors.ts";
import { closestMatch } from "../suggest.ts";
import { optionsInHelp } from "./help.ts";
import { EXIT_OK, EXIT_USAGE, invocationCwd } from "./io.ts";
import type { CliIO } from "./io.ts";
import { packageVersion } from "./version.ts";

interface LoadedCommand {
  help: string;
  run: (args: string[], io: CliIO) => number | Promise<number>;
}

interface CommandEntry {
  /** The line in `shipshape --help`. */
  synopsis: string;
  load: () => Promise<LoadedCommand>;
}

const COMMANDS: Record<string, CommandEntry> = {
  audit: {
    synopsis: "audit [PATH...]          audit Dockerfiles, compose files and build contexts",
    load: async () => import("./audit-command.ts").then((m) => ({ help: m.AUDIT_HELP, run: m.runAuditCommand })),
  },
  fix: {
    synopsis: "fix [PATH...]            fix what the audit can fix: prints a diff, --write applies it",
    load: async () => import("./fix-command.ts").then((m) => ({ help: m.FIX_HELP, run: m.runFixCommand })),
  },
  rules: {
    synopsis: "rules                    list the rules",
    load: async () => import("./rules-command.ts").then((m) => ({ help: m.RULES_HELP, run: m.runRulesCommand })),
  },
  init: {
    synopsis: "init [PATH]              write a starter shipshape.config.yaml",
    load: async () => import("./init-command.ts").then((m) => ({ help: m.INIT_HELP, run: m.runInitCommand })),
  },
  build: {
    synopsis: "build [PATH]             build every image: size, layers, time, cache hits",
    load: async () => import("./build-command.ts").then((m) => ({ help: m.BUILD_HELP, run: m.runBuildCommand })),
  },
  bench: {
    synopsis: "bench [PATH]             timed builds: cold, warm, code/deps/Dockerfile change; before/after",
    load: async () => import("./bench-command.ts").then((m) => ({ help: m.BENCH_HELP, run: m.runBenchCommand })),
  },
  history: {
    synopsis: "history [PATH]           metrics trends per image; --fail-on-regression for CI",
    load: async () => import("./history-command.ts").then((m) => ({ help: m.HISTORY_HELP, run: m.runHistoryCommand })),
  },
  layers: {
    synopsis: "layers IMAGE|ARCHIVE     per-layer sizes, wasted bytes, efficiency; --ci thresholds",
    load: async () => import("./layers-command.ts").then((m) => ({ help: m.LAYERS_HELP, run: m.runLayersCommand })),
  },
  ci: {
    synopsis: "ci [PATH]                CI workflow (GitHub/GitLab) with a build cache sized from measurements",
    load: async () => import("./ci-command.ts").then((m) => ({ help: m.CI_HELP, run: m.runCiCommand })),
  },
  cost: {
    synopsis: "cost [PATH]              what builds and images cost per month and year, before and after",
    load: async () => import("./cost-command.ts").then((m) => ({ help: m.COST_HELP, run: m.runCostCommand })),
  },
  verify: {
    synopsis: "verify BEFORE AFTER      are two images equivalent for their users?",
    load: async () => import("./verify-command.ts").then((m) => ({ help: m.VERIFY_HELP, run: m.runVerifyCommand })),
  },
  optimize: {
    synopsis: "optimize [PATH]          measure, fix, verify, measure again, write the documents (on a new branch)",
    load: async () => import("./optimize-command.ts").then((m) => ({ help: m.OPTIMIZE_HELP, run: m.runOptimizeCommand })),
  },
  report: {
    synopsis: "report [PATH] --html F   self-contained HTML report: trends, layers, last optimize",
    load: async () => import("./report-command.ts").then((m) => ({ help: m.REPORT_HELP, run: m.runReportCommand })),
  },
  clean: {
    synopsis: "clean [PATH]             remove old project images, trim build cache; --dry-run shows the plan",
    load: async () => import("./clean-command.ts").then((m) => ({ help: m.CLEAN_HELP, run: m.runCleanCommand })),
  },
  cache: {
    synopsis: "cache status|warm [PATH] build cache by kind and per service; warm dependency stages",
    load: async () => import("./cache-command.ts").then((m) => ({ help: m.CACHE_HELP, run: m.runCacheCommand })),
  },
  monitor: {
    synopsis: "monitor [PATH]           project images against their size budgets; --watch follows builds",
    load: async () => import("./monitor-command.ts").then((m) => ({ help: m.MONITOR_HELP, run: m.runMonitorCommand })),
  },
};

const HELP_FLAGS = new Set(["--help", "-h"]);

export const GLOBAL_HELP = `shipshape: make Docker builds small, fast and cheap, with measured savings

Usage: shipshape <command> [options]

Commands:
${Object.values(COMMANDS)
  .map((command) => `  shipshape ${command.synopsis}\n`)
  .join("")}
  shipshape help <command>           a command's options, examples and exit codes (also: shipshape <command> --help)
  shipshape --version                print the version

Docs: https://github.com/shipshape-dev/shipshape#readme
`;

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [first, ...rest] = argv;
  if (first === "--version" || first === "-v" || first === "version") {
    io.stdout(`${packageVersion()}\n`);
    return EXIT_OK;
  }
  if (first === undefined) {
    io.stderr(GLOBAL_HELP);
    return EXIT_USAGE;
  }
  if (first === "help" || HELP_FLAGS.has(first)) {
    const topic = rest[0];
    if (topic === undefined) {
      io.stdout(GLOBAL_HELP);
      return EXIT_OK;
    }
    const entry = COMMANDS[topic];
    if (entry === undefined) return unknownCommand(topic, io);
    io.stdout((await entry.load()).help);
    return EXIT_OK;
  }
  const entry = COMMANDS[first];
  if (entry === undefined) return unknownCommand(first, io);

  let command: LoadedCommand | undefined;
  try {
    command = await entry.load();
    if (wantsHelp(rest)) {
      io.stdout(command.help);
      return EXIT_OK;
    }
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UserError) {
      io.stderr(`shipshape: ${oneLine(error.message)}\n`);
      return EXIT_USAGE;
    }
    const parseArgsMessage = describeParseArgsError(error, first, command?.help ?? "");
    if (parseArgsMessage !== undefined) {
      io.stderr(`shipshape: ${parseArgsMessage}\n`);
      return EXIT_USAGE;
    }
    io.stderr(`shipshape: internal error (a bug; please report it with this output): ${(error as Error).stack ?? String(error)}\n`);
    return EXIT_USAGE;
  }
}

/** `--help` or `-h` anywhere before `--` (an option's value that starts with a dash is written `--opt=-x`). */
function wantsHelp(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === "--") return false;
    if (HELP_FLAGS.has(arg)) return true;
  }
  return false;
}

function unknownCommand(name: string, io: CliIO): number {
  const suggestion = closestMatch(name, Object.keys(COMMANDS));
  io.stderr(`shipshape: unknown command '${name}'${suggestion !== undefined ? `; did you mean '${suggestion}'?` : ""} (shipshape --help lists the commands)\n`);
  return EXIT_USAGE;
}

/** node:util parseArgs' errors as one line that names the command's help, with a suggestion for a mistyped option. */
function describeParseArgsError(error: unknown, command: string, help: string): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (!(error instanceof TypeError) || typeof code !== "string" || !code.startsWith("ERR_PARSE_ARGS")) return undefined;
  const seeHelp = `(shipshape ${command} --help)`;
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const option = /^Unknown option '([^']+)'/.exec(error.message)?.[1] ?? "?";
    const name = option.split("=")[0] ?? option;
    const suggestion = name.startsWith("--") ? closestMatch(name, optionsInHelp(help)) : undefined;
    return `unknown option '${name}'${suggestion !== undefined ? `; did you mean '${suggestion}'?` : ""} ${seeHelp}`;
  }
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    const argument = /'([^']+)'/.exec(error.message)?.[1];
    return `unexpected argument${argument !== undefined ? ` '${argument}'` : ""}: shipshape ${command} takes no PATH ${seeHelp}`;
  }
  const sentence = oneLine(error.message).replace(/\.$/, "");
  return `${sentence.charAt(0).toLowerCase()}${sentence.slice(1)} ${seeHelp}`;
}

function oneLine(message: string): string {
  return message.split("\n").map((line) => line.trim()).filter((line) => line !== "").join(" ");
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${path.resolve(process.argv[1])}`).href;
const isBin = process.argv[1] !== undefined && /shipshape(\.js)?$/.test(process.argv[1]);
if (isMain || isBin) {
  const code = await runCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: invocationCwd(process.cwd(), process.env),
    env: process.env,
    isTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
  });
  process.exitCode = code;
}
