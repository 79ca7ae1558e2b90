// Start-up benchmark: the CLI as users run it (`bin/shipshape.js`, a whole process each time)
// for `--version`, `--help` and an audit of one small Dockerfile, against `node -e 0` in the
// same run. The commands are run round-robin (one of each per round) so load drifts hit all of
// them alike; medians over the rounds. See bench/README.md.
//
//   npm run bench:startup -- [--runs N] [--cli installed|sources] [--json FILE]
//
// By default the CLI is installed as users get it (`npm pack`, then `npm install` of the tarball
// into a temporary prefix, bench/installed-cli.ts): its bin/shipshape.js runs the compiled dist/.
// `--cli sources` times bin/shipshape.js of the checkout, which strips the TypeScript types.
// Exits 0 whatever the numbers: it is a benchmark, not a test.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { median } from "../src/bench/statistics.ts";
import { measureProcess, prepareCli } from "./installed-cli.ts";
import type { CliKind } from "./installed-cli.ts";

interface Case {
  name: string;
  args: string[];
  /** Goal for the median wall time in milliseconds; undefined for the baseline. */
  goalMs?: number;
}

interface Options {
  runs: number;
  cli: CliKind;
  json?: string;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { runs: 20, cli: "installed" };
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index];
    if (flag === "--runs") {
      const runs = Number(argv[++index]);
      if (!Number.isInteger(runs) || runs < 1) fail("--runs needs a positive integer");
      options.runs = runs;
    } else if (flag === "--cli") {
      const kind = argv[++index];
      if (kind !== "installed" && kind !== "sources") fail("--cli takes installed or sources");
      options.cli = kind;
    } else if (flag === "--json") {
      const file = argv[++index];
      if (file === undefined) fail("--json needs a file");
      options.json = path.resolve(file);
    } else if (flag === "--help" || flag === "-h") {
      process.stdout.write("usage: node bench/startup.ts [--runs N] [--cli installed|sources] [--json FILE]\n");
      process.exit(0);
    } else fail(`unknown option ${flag}`);
  }
  return options;
}

function fail(message: string): never {
  process.stderr.write(`bench:startup: ${message}\n`);
  process.exit(2);
}

/** Wall and CPU time (user + system, GNU time) of one whole process, in milliseconds; a failing command stops the benchmark. */
function timeProcess(args: string[], cwd: string): { wallMs: number; cpuMs: number } {
  const [command = process.execPath, ...rest] = args;
  const result = measureProcess(command, rest, { cwd, env: { ...process.env, NO_COLOR: "1" } });
  // audit exits 1 when it finds something: that is a result, not a failure.
  if (result.status !== 0 && result.status !== 1) fail(`${args.join(" ")} exited ${result.status}: ${result.stderr.trim().split("\n")[0] ?? ""}`);
  return { wallMs: result.wallSeconds * 1000, cpuMs: result.cpuSeconds * 1000 };
}

function main(): void {
  const options = parseOptions(process.argv.slice(2));
  process.stderr.write(`bench:startup: preparing the CLI (${options.cli})...\n`);
  const cli = prepareCli(options.cli);
  const BIN = cli.bin;
  const project = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-startup-"));
  try {
    fs.writeFileSync(path.join(project, "Dockerfile"), "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm install\nCMD [\"node\", \"server.js\"]\n");
    fs.writeFileSync(path.join(project, "package.json"), '{"name":"app","version":"1.0.0","dependencies":{"express":"^4.0.0"}}\n');
    const cases: Case[] = [
      { name: "node -e 0", args: [process.execPath, "-e", "0"] },
      { name: "shipshape --version", args: [BIN, "--version"], goalMs: 150 },
      { name: "shipshape --help", args: [BIN, "--help"], goalMs: 150 },
      { name: "shipshape audit Dockerfile", args: [BIN, "audit", "Dockerfile", "--fail-on", "none"], goalMs: 300 },
    ];
    const runsOf = cases.map((): { wallMs: number; cpuMs: number }[] => []);
    // One warm-up round (file-system cache, Node's compile cache), then round-robin rounds.
    for (const item of cases) timeProcess(item.args, project);
    for (let round = 0; round < options.runs; round++) {
      cases.forEach((item, index) => runsOf[index]?.push(timeProcess(item.args, project)));
    }
    const baseline = median((runsOf[0] ?? []).map((run) => run.wallMs));
    const baselineCpu = median((runsOf[0] ?? []).map((run) => run.cpuMs));
    const runs = cli.description;
    const rows = cases.map((item, index) => {
      const values = (runsOf[index] ?? []).map((run) => run.wallMs);
      const medianMs = median(values);
      const cpuMs = median((runsOf[index] ?? []).map((run) => run.cpuMs));
      return {
        command: item.name,
        medianMs: Math.round(medianMs),
        minMs: Math.round(Math.min(...values)),
        ratioToNode: medianMs / baseline,
        cpuMs: Math.round(cpuMs),
        cpuRatioToNode: cpuMs / baselineCpu,
        goalMs: item.goalMs,
        pass: item.goalMs === undefined ? undefined : medianMs <= item.goalMs,
      };
    });
    const header = ["command", "median wall", "min wall", "x node -e 0", "median CPU", "CPU x node", "goal (wall)", "result"];
    const table = [header, ...rows.map((row) => [row.command, `${row.medianMs} ms`, `${row.minMs} ms`, `${row.ratioToNode.toFixed(2)}x`, `${row.cpuMs} ms`, `${row.cpuRatioToNode.toFixed(2)}x`, row.goalMs === undefined ? "" : `<= ${row.goalMs} ms`, row.pass === undefined ? "" : row.pass ? "PASS" : "FAIL"])];
    const widths = header.map((_, column) => Math.max(...table.map((line) => (line[column] ?? "").length)));
    const lines = table.map((line) => line.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join("  ").trimEnd());
    process.stdout.write(`shipshape start-up: ${options.runs} rounds, whole processes, round-robin; node ${process.version}; ${os.cpus().length} cores; load average ${os.loadavg().map((load) => load.toFixed(1)).join(" ")}; runs ${runs}\n\n${lines.join("\n")}\n`);
    process.stdout.write("CPU is user + system time (GNU time): on a shared machine it moves less than wall time; the goals are on wall time.\n");
    const failed = rows.filter((row) => row.pass === false).length;
    process.stdout.write(`\ngoal: every command within its goal: ${failed === 0 ? "PASS" : `FAIL (${failed} over)`}\n`);
    if (options.json !== undefined) {
      fs.writeFileSync(options.json, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cores: os.cpus().length, runs: options.runs, code: runs, rows }, null, 2)}\n`);
    }
  } finally {
    fs.rmSync(project, { recursive: true, force: true });
    cli.dispose();
  }
}

main();
