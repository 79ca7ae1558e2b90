// Audit throughput as users meet it: `shipshape audit DIR` as a whole process (the installed
// package by default, which runs dist/) over real public Dockerfiles, in two shapes (all files in
// one folder; one file per repository folder) and growing counts, against the peer linter
// dockerfilelint (npm) on the same files in the same run, alternated. A second run does the same
// over the generated corpus (bench/corpus.ts), which needs no mirror. See bench/README.md.
//
//   npm run bench:audit -- [--mirror DIR] [--sizes 500,1000,2000,4000] [--shapes folder,repos] [--runs R]
//                          [--format json|jsonl] [--cli installed|sources] [--generated N] [--json FILE]
//
// Exits 0 whatever the numbers (it is a benchmark, not a test); 2 when it cannot run.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { median } from "../src/bench/statistics.ts";
import { DEFAULT_CORPUS_SEED, generateCorpus } from "./corpus.ts";
import { GNU_TIME, measureProcess, prepareCli } from "./installed-cli.ts";
import type { CliKind } from "./installed-cli.ts";
import { DEFAULT_LIST, DEFAULT_MIRROR, missingMirrorMessage, mirrorGitDir, pinnedEntries, readFiles, repositoryName } from "./real-corpus.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const PEER = path.join(ROOT, "bench", "dockerfilelint-peer.mjs");
const GOAL_FILES_PER_SECOND = 1000;
const GOAL_PEAK_RSS_MB = 300;
/** Linear: the time per file at the largest count is at most this times the one at the smallest. */
const GOAL_LINEAR_GROWTH = 1.25;
const MB = 1024 * 1024;

const USAGE = `usage: node bench/audit.ts [options]
  --mirror DIR        folder with yinyuanzhang+dockerfiles/repo (default ${DEFAULT_MIRROR}); without it only the generated run
  --sizes LIST        file counts, comma-separated (default 500,1000,2000,4000)
  --shapes LIST       folder (every file in one folder), repos (one folder per repository) (default both)
  --runs R            measured runs of each side per row, alternated (default 3)
  --format F          shipshape's --format: jsonl (default, streams) or json
  --cli KIND          installed (default: npm pack + install into a temporary prefix, runs dist/) or sources
  --generated N       projects in the generated-corpus run (default 2000; 0 skips it)
  --json FILE         results as JSON (default bench/.audit-bench.json)`;

interface Row {
  corpus: "real" | "generated";
  shape: string;
  files: number;
  shipshape: SideResult;
  peer: SideResult;
  /** shipshape's files/s over dockerfilelint's (wall medians). */
  ratio: number;
}

interface SideResult {
  wallSeconds: number;
  cpuSeconds: number;
  filesPerSecond: number;
  filesPerCpuSecond: number;
  peakRssMB: number;
  runs: number[];
  note: string;
}

function fail(message: string): never {
  process.stderr.write(`bench:audit: ${message}\n`);
  process.exit(2);
}

function list(value: string, what: string): string[] {
  const items = value.split(",").map((item) => item.trim()).filter((item) => item !== "");
  if (items.length === 0) fail(`${what} needs a comma-separated list`);
  return items;
}

/** Writes the texts as the shape wants them; returns how many files it wrote. */
function materialize(dir: string, shape: string, names: readonly string[], texts: readonly (string | undefined)[]): number {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  let written = 0;
  names.forEach((name, index) => {
    const text = texts[index];
    if (text === undefined) return;
    written++;
    if (shape === "folder") fs.writeFileSync(path.join(dir, `${name}.Dockerfile`), text);
    else {
      fs.mkdirSync(path.join(dir, name));
      fs.writeFileSync(path.join(dir, name, "Dockerfile"), text);
    }
  });
  return written;
}

/** Dockerfiles the report covers (JSON: `files[]`; JSON Lines: `file` records), so a run that skipped files shows. */
function reportedDockerfiles(outputFile: string, format: string): number {
  const text = fs.readFileSync(outputFile, "utf8");
  if (format === "json") return (JSON.parse(text) as { files: { kind: string }[] }).files.filter((file) => file.kind === "dockerfile").length;
  let files = 0;
  for (const line of text.split("\n")) if (line.startsWith('{"type":"file"') && line.includes('"kind":"dockerfile"')) files++;
  return files;
}

function measureRow(options: { bin: string; dir: string; files: number; runs: number; format: string; work: string }): { shipshape: SideResult; peer: SideResult } {
  const shipshapeRuns: { wall: number; cpu: number; rss: number }[] = [];
  const peerRuns: typeof shipshapeRuns = [];
  let shipshapeNote = "";
  let peerNote = "";
  const output = path.join(options.work, "report.out");
  const runShipshape = (): void => {
    const result = measureProcess(options.bin, ["audit", options.dir, "--format", options.format, "--fail-on", "none"], { stdoutFile: output, env: { ...process.env, NO_COLOR: "1" } });
    if (result.status !== 0) fail(`shipshape audit exited ${result.status}: ${result.stderr.trim().split("\n")[0] ?? ""}`);
    const reported = reportedDockerfiles(output, options.format);
    shipshapeNote = reported === options.files ? "" : `report has ${reported} of ${options.files} files`;
    shipshapeRuns.push({ wall: result.wallSeconds, cpu: result.cpuSeconds, rss: result.peakRssBytes });
  };
  const runPeer = (): void => {
    const result = measureProcess(process.execPath, [PEER, options.dir], { stdoutFile: output });
    if (result.status !== 0) fail(`dockerfilelint exited ${result.status}: ${result.stderr.trim().split("\n")[0] ?? ""}`);
    const crashed = /crashed (\d+)/.exec(result.stderr)?.[1] ?? "0";
    peerNote = crashed === "0" ? "" : `crashed on ${crashed} files`;
    peerRuns.push({ wall: result.wallSeconds, cpu: result.cpuSeconds, rss: result.peakRssBytes });
  };
  // Alternate who goes first, so load drifts on the shared machine hit both alike.
  for (let run = 0; run < options.runs; run++) {
    if (run % 2 === 0) {
      runShipshape();
      runPeer();
    } else {
      runPeer();
      runShipshape();
    }
  }
  fs.rmSync(output, { force: true });
  const summarize = (runs: typeof shipshapeRuns, note: string): SideResult => {
    const wallSeconds = median(runs.map((run) => run.wall));
    const cpuSeconds = median(runs.map((run) => run.cpu));
    return {
      wallSeconds,
      cpuSeconds,
      filesPerSecond: options.files / wallSeconds,
      filesPerCpuSecond: options.files / cpuSeconds,
      peakRssMB: Math.max(...runs.map((run) => run.rss)) / MB,
      runs: runs.map((run) => run.wall),
      note,
    };
  };
  return { shipshape: summarize(shipshapeRuns, shipshapeNote), peer: summarize(peerRuns, peerNote) };
}

function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? "").length)));
  const line = (row: string[]): string => `| ${row.map((cell, column) => (column <= 1 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join(" | ")} |`;
  return [line(header), `| ${widths.map((width, column) => (column <= 1 ? "-".repeat(width) : `${"-".repeat(Math.max(1, width - 1))}:`)).join(" | ")} |`, ...rows.map(line)].join("\n");
}

function verdict(pass: boolean): string {
  return pass ? "PASS" : "FAIL";
}

function rowCells(row: Row): string[] {
  const { shipshape: s, peer: p } = row;
  return [
    `${row.corpus}/${row.shape}`,
    String(row.files),
    s.wallSeconds.toFixed(2),
    s.cpuSeconds.toFixed(2),
    s.filesPerSecond.toFixed(0),
    s.filesPerCpuSecond.toFixed(0),
    s.peakRssMB.toFixed(0),
    p.filesPerSecond.toFixed(0),
    p.peakRssMB.toFixed(0),
    `${row.ratio.toFixed(2)}x`,
    verdict(s.filesPerSecond >= GOAL_FILES_PER_SECOND),
    verdict(s.peakRssMB <= GOAL_PEAK_RSS_MB),
    [s.note, p.note ? `dockerfilelint ${p.note}` : ""].filter((note) => note !== "").join("; "),
  ];
}

function main(): void {
  const { values } = parseArgs({
    options: {
      mirror: { type: "string", default: DEFAULT_MIRROR },
      sizes: { type: "string", default: "500,1000,2000,4000" },
      shapes: { type: "string", default: "folder,repos" },
      runs: { type: "string", default: "3" },
      format: { type: "string", default: "jsonl" },
      cli: { type: "string", default: "installed" },
      generated: { type: "string", default: "2000" },
      json: { type: "string", default: path.join(ROOT, "bench", ".audit-bench.json") },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const sizes = list(values.sizes, "--sizes").map(Number);
  if (sizes.some((size) => !Number.isInteger(size) || size < 1)) fail("--sizes needs positive integers");
  sizes.sort((a, b) => a - b);
  const shapes = list(values.shapes, "--shapes");
  if (shapes.some((shape) => shape !== "folder" && shape !== "repos")) fail("--shapes takes folder and repos");
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) fail("--runs needs a positive integer");
  if (values.format !== "json" && values.format !== "jsonl") fail("--format takes json or jsonl");
  if (values.cli !== "installed" && values.cli !== "sources") fail("--cli takes installed or sources");
  const generatedCount = Number(values.generated);
  if (!Number.isInteger(generatedCount) || generatedCount < 0) fail("--generated needs a count (0 skips the run)");
  if (!fs.existsSync(GNU_TIME)) fail(`${GNU_TIME} (GNU time, for peak RSS) is missing: apt-get install time`);
  if (!fs.existsSync(path.join(ROOT, "node_modules", "dockerfilelint"))) fail("dockerfilelint is missing: npm install (it is a devDependency)");

  const mirror = path.resolve(values.mirror);
  const missing = missingMirrorMessage(mirror);
  if (missing !== undefined) process.stderr.write(`bench:audit: ${missing}\nbench:audit: the real-file rows are skipped; only the generated corpus runs.\n`);

  const work = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-bench-audit-"));
  process.stderr.write(`bench:audit: preparing the CLI (${values.cli})...\n`);
  const cli = prepareCli(values.cli as CliKind);
  const rows: Row[] = [];
  const started = performance.now();
  try {
    if (missing === undefined) {
      const largest = sizes.at(-1) ?? 0;
      const gitDir = mirrorGitDir(mirror);
      process.stderr.write(`bench:audit: reading ${largest} pinned Dockerfiles from ${gitDir}...\n`);
      const { entries, extended } = pinnedEntries(gitDir, DEFAULT_LIST, largest);
      if (extended > 0) process.stderr.write(`bench:audit: ${path.relative(ROOT, DEFAULT_LIST)} holds ${largest - extended}; ${extended} more by its rule (next paths by sha256 at the pinned commit)\n`);
      const texts = readFiles(gitDir, entries);
      const names = entries.map((entry) => repositoryName(entry.path));
      for (const shape of shapes) {
        for (const size of sizes) {
          const dir = path.join(work, `${shape}-${size}`);
          const files = materialize(dir, shape, names.slice(0, size), texts.slice(0, size));
          process.stderr.write(`bench:audit: real/${shape} ${files} files, ${runs} runs per side...\n`);
          const measured = measureRow({ bin: cli.bin, dir, files, runs, format: values.format, work });
          rows.push({ corpus: "real", shape, files, ...measured, ratio: measured.shipshape.filesPerSecond / measured.peer.filesPerSecond });
          fs.rmSync(dir, { recursive: true, force: true });
        }
      }
    }
    if (generatedCount > 0) {
      const dir = path.join(work, "generated");
      process.stderr.write(`bench:audit: generating ${generatedCount} projects...\n`);
      const stats = generateCorpus(dir, { count: generatedCount, seed: DEFAULT_CORPUS_SEED });
      const files = stats.dockerfiles.length;
      process.stderr.write(`bench:audit: generated ${files} Dockerfiles, ${runs} runs per side...\n`);
      const measured = measureRow({ bin: cli.bin, dir, files, runs, format: values.format, work });
      rows.push({ corpus: "generated", shape: "projects", files, ...measured, ratio: measured.shipshape.filesPerSecond / measured.peer.filesPerSecond });
    }
  } finally {
    cli.dispose();
    fs.rmSync(work, { recursive: true, force: true });
  }

  const header = ["corpus/shape", "files", "wall s", "CPU s", "files/s", "files/CPU s", "peak RSS MB", "dockerfilelint files/s", "its RSS MB", "ratio", `>= ${GOAL_FILES_PER_SECOND}/s`, `RSS <= ${GOAL_PEAK_RSS_MB}`, "note"];
  const linear = shapes.map((shape) => {
    const shapeRows = rows.filter((row) => row.corpus === "real" && row.shape === shape);
    const first = shapeRows[0];
    const last = shapeRows.at(-1);
    const growth = first && last && last !== first ? last.shipshape.wallSeconds / last.files / (first.shipshape.wallSeconds / first.files) : undefined;
    const cpuGrowth = first && last && last !== first ? last.shipshape.cpuSeconds / last.files / (first.shipshape.cpuSeconds / first.files) : undefined;
    return { shape, from: first?.files, to: last?.files, growth, cpuGrowth };
  });
  const lines = [
    `shipshape audit --format ${values.format} as a whole process (${cli.description}) against dockerfilelint ${dockerfilelintVersion()} (bench/dockerfilelint-peer.mjs), ${runs} alternated runs per side, medians`,
    `${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((load) => load.toFixed(1)).join(" ")}; ${((performance.now() - started) / 1000).toFixed(0)} s`,
    "",
    table(header, rows.map(rowCells)),
    "",
    ...linear
      .filter((entry) => entry.growth !== undefined)
      .map((entry) => `linear (real/${entry.shape}): wall time per file at ${entry.to} files / at ${entry.from} files = ${entry.growth?.toFixed(2)} (CPU ${entry.cpuGrowth?.toFixed(2)}); goal <= ${GOAL_LINEAR_GROWTH} — ${verdict((entry.growth ?? Infinity) <= GOAL_LINEAR_GROWTH)}`),
    `goal: >= ${GOAL_FILES_PER_SECOND} files/s wall and peak RSS <= ${GOAL_PEAK_RSS_MB} MB on every row — ${verdict(rows.every((row) => row.shipshape.filesPerSecond >= GOAL_FILES_PER_SECOND && row.shipshape.peakRssMB <= GOAL_PEAK_RSS_MB))}`,
    "files/s includes Node's start and module loading, as users pay it; CPU s is user + system time (GNU time), steadier than wall time on a shared machine.",
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  fs.writeFileSync(path.resolve(values.json), `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cores: os.cpus().length, cli: cli.description, format: values.format, runs, goals: { filesPerSecond: GOAL_FILES_PER_SECOND, peakRssMB: GOAL_PEAK_RSS_MB, linearGrowth: GOAL_LINEAR_GROWTH }, rows, linear }, null, 2)}\n`);
  process.stderr.write(`bench:audit: wrote ${path.relative(process.cwd(), path.resolve(values.json))}\n`);
}

function dockerfilelintVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", "dockerfilelint", "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "?";
  }
}

main();
