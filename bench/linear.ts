// Huge single inputs: does the audit stay linear? `shipshape audit DIR` as a whole process (the
// installed package by default) on three generated inputs, each at full size and at half size, so
// the table shows the growth as well as the time:
//   - one Dockerfile of 85,000 RUN lines (3.9 MiB),
//   - one RUN of 20,000 `&&` commands,
//   - a compose file of 10,000 services (one in a hundred builds the Dockerfile next to it).
// Goal: each full-size input within 5 s; linear: full size at most 2.5x the half size's time.
// See bench/README.md.
//
//   npm run bench:linear -- [--runs R] [--cli installed|sources] [--scale F] [--json FILE]
//
// Exits 0 whatever the numbers (it is a benchmark, not a test); 2 when it cannot run.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { median } from "../src/bench/statistics.ts";
import { GNU_TIME, measureProcess, prepareCli } from "./installed-cli.ts";
import type { CliKind } from "./installed-cli.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const GOAL_SECONDS = 5;
/** Doubling the input may at most multiply the time by this (2 is linear; start-up makes it less). */
const GOAL_DOUBLING = 2.5;

const COMMANDS = [
  (i: number) => `apt-get update && apt-get install -y --no-install-recommends curl${i % 7}`,
  (i: number) => `echo building step ${i} > /tmp/step-${i}`,
  (i: number) => `mkdir -p /opt/app/${i} && chmod 755 /opt/app/${i}`,
  (i: number) => `pip install --no-cache-dir package${i}==1.${i % 50}`,
  (i: number) => `npm install -g tool${i}`,
];

interface Input {
  name: string;
  /** Size parameter at full scale. */
  full: number;
  unit: string;
  write(dir: string, size: number): void;
}

const INPUTS: Input[] = [
  {
    name: "Dockerfile of {n} RUN lines",
    full: 85_000,
    unit: "RUN lines",
    write(dir, size) {
      const lines = ["FROM debian:bookworm", "WORKDIR /app"];
      for (let i = 0; i < size; i++) lines.push(`RUN ${COMMANDS[i % COMMANDS.length]?.(i)}`);
      lines.push('CMD ["/app/run"]');
      fs.writeFileSync(path.join(dir, "Dockerfile"), `${lines.join("\n")}\n`);
    },
  },
  {
    name: "one RUN of {n} && commands",
    full: 20_000,
    unit: "commands",
    write(dir, size) {
      const parts = ["FROM debian:bookworm\nRUN set -eux \\\n"];
      for (let i = 0; i < size; i++) parts.push(` && ${COMMANDS[i % COMMANDS.length]?.(i)} \\\n`);
      parts.push(' && true\nCMD ["/app/run"]\n');
      fs.writeFileSync(path.join(dir, "Dockerfile"), parts.join(""));
    },
  },
  {
    name: "compose file of {n} services",
    full: 10_000,
    unit: "services",
    write(dir, size) {
      const lines = ["services:"];
      for (let i = 0; i < size; i++) {
        lines.push(`  svc${i}:`);
        if (i % 100 === 0) lines.push("    build:", "      context: ./app", "      target: runtime");
        else lines.push(`    image: registry.example.com/team/svc${i}:1.${i % 50}`);
        if (i > 0) lines.push(`    depends_on: [svc${i - 1}]`);
        lines.push("    environment:", `      - SERVICE_INDEX=${i}`, "    ports:", `      - "${10000 + (i % 50000)}:8080"`);
      }
      fs.writeFileSync(path.join(dir, "compose.yaml"), `${lines.join("\n")}\n`);
      fs.mkdirSync(path.join(dir, "app"));
      fs.writeFileSync(path.join(dir, "app", "Dockerfile"), 'FROM node:22 AS build\nWORKDIR /app\nCOPY package.json ./\nRUN npm install\nCOPY . .\nRUN npm run build\nFROM node:22-slim AS runtime\nCOPY --from=build /app/dist /app\nCMD ["node", "/app/index.js"]\n');
      fs.writeFileSync(path.join(dir, "app", "package.json"), '{"name":"app","scripts":{"build":"tsc"}}\n');
    },
  },
];

function fail(message: string): never {
  process.stderr.write(`bench:linear: ${message}\n`);
  process.exit(2);
}

function main(): void {
  const { values } = parseArgs({
    options: {
      runs: { type: "string", default: "3" },
      cli: { type: "string", default: "installed" },
      scale: { type: "string", default: "1" },
      json: { type: "string", default: path.join(ROOT, "bench", ".linear-bench.json") },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write("usage: node bench/linear.ts [--runs R] [--cli installed|sources] [--scale F] [--json FILE]\n");
    return;
  }
  const runs = Number(values.runs);
  const scale = Number(values.scale);
  if (!Number.isInteger(runs) || runs < 1) fail("--runs needs a positive integer");
  if (!(scale > 0)) fail("--scale needs a positive number");
  if (values.cli !== "installed" && values.cli !== "sources") fail("--cli takes installed or sources");
  if (!fs.existsSync(GNU_TIME)) fail(`${GNU_TIME} (GNU time) is missing: apt-get install time`);

  const work = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-bench-linear-"));
  process.stderr.write(`bench:linear: preparing the CLI (${values.cli})...\n`);
  const cli = prepareCli(values.cli as CliKind);
  const rows: { input: string; size: number; unit: string; bytes: number; wallSeconds: number; cpuSeconds: number; peakRssMB: number; findings: number; pass?: boolean; doubling?: number }[] = [];
  const started = performance.now();
  try {
    for (const input of INPUTS) {
      const full = Math.max(2, Math.round(input.full * scale));
      for (const size of [Math.round(full / 2), full]) {
        const dir = path.join(work, `${rows.length}`);
        fs.mkdirSync(dir);
        input.write(dir, size);
        // The whole audit is timed: without this, the per-file time budget (5 s of wall time by
        // default) skips a slow file's remaining rules and the time would look better than it is.
        fs.writeFileSync(path.join(dir, "shipshape.config.yaml"), "fileTimeBudget: 3600\n");
        const bytes = fs.readdirSync(dir).reduce((sum, name) => sum + fs.statSync(path.join(dir, name)).size, 0);
        const output = path.join(work, "report.jsonl");
        const measured: { wall: number; cpu: number; rss: number }[] = [];
        process.stderr.write(`bench:linear: ${input.name.replace("{n}", String(size))}, ${runs} runs...\n`);
        for (let run = 0; run < runs; run++) {
          const result = measureProcess(cli.bin, ["audit", dir, "--format", "jsonl", "--fail-on", "none"], { stdoutFile: output });
          if (result.status !== 0) fail(`audit exited ${result.status}: ${result.stderr.trim().split("\n")[0] ?? ""}`);
          measured.push({ wall: result.wallSeconds, cpu: result.cpuSeconds, rss: result.peakRssBytes });
        }
        const summaryLine = fs.readFileSync(output, "utf8").trimEnd().split("\n").at(-1) ?? "{}";
        const summary = (JSON.parse(summaryLine) as { summary?: { findings?: number; filesWithErrors?: number } }).summary;
        const findings = summary?.findings ?? 0;
        if ((summary?.filesWithErrors ?? 0) > 0) fail(`the audit of ${input.name.replace("{n}", String(size))} reported ${summary?.filesWithErrors} files with errors: it did not run every rule`);
        const row: (typeof rows)[number] = { input: input.name, size, unit: input.unit, bytes, wallSeconds: median(measured.map((m) => m.wall)), cpuSeconds: median(measured.map((m) => m.cpu)), peakRssMB: Math.max(...measured.map((m) => m.rss)) / (1024 * 1024), findings };
        const half = rows.at(-1);
        if (size === full) {
          row.pass = row.wallSeconds <= GOAL_SECONDS;
          if (half !== undefined && half.input === input.name) row.doubling = row.cpuSeconds / half.cpuSeconds;
        }
        rows.push(row);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    cli.dispose();
    fs.rmSync(work, { recursive: true, force: true });
  }

  const header = ["input", "size", "MiB", "wall s", "CPU s", "peak RSS MB", "findings", "CPU x half", `wall <= ${GOAL_SECONDS} s`, `CPU <= ${GOAL_SECONDS} s`];
  const cells = rows.map((row) => [
    row.input.replace("{n}", row.size.toLocaleString("en-US")),
    `${row.size} ${row.unit}`,
    (row.bytes / (1024 * 1024)).toFixed(1),
    row.wallSeconds.toFixed(2),
    row.cpuSeconds.toFixed(2),
    row.peakRssMB.toFixed(0),
    String(row.findings),
    row.doubling === undefined ? "" : `${row.doubling.toFixed(2)}x`,
    row.pass === undefined ? "" : row.pass ? "PASS" : "FAIL",
    row.pass === undefined ? "" : row.cpuSeconds <= GOAL_SECONDS ? "PASS" : "FAIL",
  ]);
  const widths = header.map((_, column) => Math.max(...[header, ...cells].map((line) => (line[column] ?? "").length)));
  const format = (line: string[]): string => `| ${line.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join(" | ")} |`;
  const fullRows = rows.filter((row) => row.pass !== undefined);
  process.stdout.write(
    [
      `shipshape audit --format jsonl as a whole process (${cli.description}); ${runs} runs each, medians`,
      `${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((load) => load.toFixed(1)).join(" ")}; ${((performance.now() - started) / 1000).toFixed(0)} s`,
      "",
      format(header),
      `| ${widths.map((width, column) => (column === 0 ? "-".repeat(width) : `${"-".repeat(width - 1)}:`)).join(" | ")} |`,
      ...cells.map(format),
      "",
      `goal: every full-size input within ${GOAL_SECONDS} s wall — ${fullRows.every((row) => row.pass) ? "PASS" : "FAIL"}`,
      `linear: CPU time at full size <= ${GOAL_DOUBLING}x the half size's — ${fullRows.every((row) => (row.doubling ?? Infinity) <= GOAL_DOUBLING) ? "PASS" : "FAIL"}`,
    ].join("\n") + "\n",
  );
  fs.writeFileSync(path.resolve(values.json), `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cores: os.cpus().length, cli: cli.description, runs, goals: { seconds: GOAL_SECONDS, doubling: GOAL_DOUBLING }, rows }, null, 2)}\n`);
}

main();
