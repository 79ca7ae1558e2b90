// Build overhead benchmark: shipshape's build (the library's buildImage over the Engine API
// driver, what `shipshape build` runs per image) against a raw BuildKit client build of the same
// Dockerfile and context (`DOCKER_BUILDKIT=1 /usr/bin/docker build --network=host`), alternating
// in one run, for a cold (--no-cache) and a warm (everything cached) variant. See bench/README.md.
//
//   npm run bench:build -- [--runs N] [--json]
//
// Needs a Docker Engine with debian:bookworm-slim (../shared/docker-lab). Exits 0 whatever the
// numbers: it is a benchmark, not a test; 2 when it cannot run.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildImage } from "../src/builds/run-builds.ts";
import type { BuildTarget } from "../src/builds/targets.ts";
import { ApiEngine } from "../src/engine/api-engine.ts";

const BASE = "debian:bookworm-slim";
const RAW_CLIENT = "/usr/bin/docker";
const GOAL_RATIO = 1.05;
/** Every image this benchmark makes carries it, so that the clean-up finds the untagged ones too. */
const BENCH_LABEL = "shipshape.bench-build";

const USAGE = `usage: node bench/build.ts [--runs N] [--json]
  --runs N   measured builds of each side per variant, after one warm-up of each (default 5)
  --json     print machine-readable results instead of the table`;

interface Options {
  runs: number;
  json: boolean;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { runs: 5, json: false };
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index] as string;
    if (flag === "--json") options.json = true;
    else if (flag === "--runs" || flag.startsWith("--runs=")) {
      const value = flag.includes("=") ? flag.slice(flag.indexOf("=") + 1) : argv[++index];
      const runs = Number(value);
      if (!Number.isInteger(runs) || runs < 1) fail(`--runs needs a positive integer, got ${value ?? "nothing"}`);
      options.runs = runs;
    } else if (flag === "--help" || flag === "-h") {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else fail(`unknown option ${flag}\n${USAGE}`);
  }
  return options;
}

function fail(message: string): never {
  process.stderr.write(`bench:build: ${message}\n`);
  process.exit(2);
}

// A small but real build: a RUN that computes something, a COPY of a few files, a RUN over them.
const DOCKERFILE = `FROM ${BASE}
RUN seq 1 200000 > /numbers.txt && sha256sum /numbers.txt > /numbers.sha
WORKDIR /app
COPY app/ /app/
RUN cat /app/*.txt | wc -c > /app/bytes
CMD ["cat", "/numbers.sha"]
`;

function writeContext(dir: string): void {
  fs.writeFileSync(path.join(dir, "Dockerfile"), DOCKERFILE);
  fs.writeFileSync(path.join(dir, ".dockerignore"), "*.log\n");
  fs.mkdirSync(path.join(dir, "app"));
  for (let index = 0; index < 20; index++) fs.writeFileSync(path.join(dir, "app", `file-${index}.txt`), `${"line of text\n".repeat(200)}${index}\n`);
  fs.writeFileSync(path.join(dir, "ignored.log"), "not sent\n");
}

interface Variant {
  name: string;
  noCache: boolean;
}
const VARIANTS: Variant[] = [
  { name: "cold (--no-cache)", noCache: true },
  { name: "warm (all cached)", noCache: false },
];

interface Side {
  name: "shipshape" | "raw";
  build: (noCache: boolean) => Promise<number>;
}

interface VariantResult {
  variant: string;
  runs: number;
  shipshape: Stats;
  raw: Stats;
  /** shipshape median / raw median. */
  ratio: number;
}

interface Stats {
  samplesMs: number[];
  medianMs: number;
  minMs: number;
  maxMs: number;
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  return { samplesMs: samples.map((sample) => Math.round(sample * 10) / 10), medianMs: median, minMs: sorted[0] ?? 0, maxMs: sorted.at(-1) ?? 0 };
}

/** `DOCKER_BUILDKIT=1 /usr/bin/docker build ...`: wall-clock ms, including the client's start, as a user pays it. */
function rawBuild(contextDir: string, tag: string, noCache: boolean): Promise<number> {
  const args = ["build", "--network=host", "--progress=plain", "-t", tag, "--label", `${BENCH_LABEL}=1`, ...(noCache ? ["--no-cache"] : []), "-f", path.join(contextDir, "Dockerfile"), contextDir];
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const child = spawn(RAW_CLIENT, args, { env: { ...process.env, DOCKER_BUILDKIT: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString("utf8")).slice(-4000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", reject);
    child.on("close", (code) => {
      const elapsed = performance.now() - startedAt;
      if (code === 0) resolve(elapsed);
      else reject(new Error(`${RAW_CLIENT} build exited ${code}:\n${output}`));
    });
  });
}

/** How long the raw client takes to start and exit without talking to the engine. */
function clientStart(): Promise<number> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const child = spawn(RAW_CLIENT, ["--version"], { stdio: "ignore" });
    child.on("error", reject);
    child.on("close", () => resolve(performance.now() - startedAt));
  });
}

function runCommand(command: string, args: string[]): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: "ignore" });
    child.on("error", () => resolve());
    child.on("close", () => resolve());
  });
}

const options = parseOptions(process.argv.slice(2));
const engine = new ApiEngine();
try {
  await engine.ping();
  await engine.inspectImage(BASE);
} catch (error) {
  fail(`needs a Docker Engine with ${BASE}: ${(error as Error).message} (../shared/docker-lab/up, ../shared/docker-lab/forge ${BASE})`);
}
if (!fs.existsSync(RAW_CLIENT)) fail(`${RAW_CLIENT} (Debian's docker.io client, the raw BuildKit client compared against) is missing`);

const contextDir = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-bench-build-"));
writeContext(contextDir);
const suffix = `${process.pid}`;
const shipshapeTag = `shipshape-bench-build:shipshape-${suffix}`;
const rawTag = `shipshape-bench-build:raw-${suffix}`;
const target: BuildTarget = { name: "bench", contextDir, dockerfile: "Dockerfile", buildArgs: {}, origin: "bench/build.ts" };

const sides: Side[] = [
  {
    name: "shipshape",
    build: async (noCache) => {
      const startedAt = performance.now();
      // skipInspect: the raw client does not inspect either; inspect is timed on its own below.
      const report = await buildImage(engine, target, { tag: shipshapeTag, noCache, skipInspect: true, labels: { [BENCH_LABEL]: "1" } });
      const elapsed = performance.now() - startedAt;
      if (!report.ok) throw new Error(`shipshape build failed: ${report.error?.message ?? "unknown"}\n${report.error?.logTail.join("\n") ?? ""}`);
      return elapsed;
    },
  },
  { name: "raw", build: (noCache) => rawBuild(contextDir, rawTag, noCache) },
];

const results: VariantResult[] = [];
let inspect: Stats | undefined;
let rawClientStart: Stats | undefined;
try {
  for (const variant of VARIANTS) {
    const samples: Record<Side["name"], number[]> = { shipshape: [], raw: [] };
    // One untimed build of each side first: the warm variant needs each side's cache filled,
    // and both variants then start with the base image and the client code paths warm.
    for (const side of sides) await side.build(variant.noCache);
    for (let run = 0; run < options.runs; run++) {
      // Alternate who goes first, so that drift (other work on the machine) hits both alike.
      const order = run % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) samples[side.name].push(await side.build(variant.noCache));
      if (!options.json) process.stderr.write(`\r${variant.name}: ${run + 1}/${options.runs}`);
    }
    if (!options.json) process.stderr.write("\n");
    const shipshape = stats(samples.shipshape);
    const raw = stats(samples.raw);
    results.push({ variant: variant.name, runs: options.runs, shipshape, raw, ratio: shipshape.medianMs / raw.medianMs });
  }
  // What `shipshape build` adds after each build for its table (size, layers).
  const inspections: number[] = [];
  for (let run = 0; run < options.runs; run++) {
    const startedAt = performance.now();
    await engine.inspectImage(shipshapeTag);
    inspections.push(performance.now() - startedAt);
  }
  inspect = stats(inspections);
  const starts: number[] = [];
  for (let run = 0; run < options.runs; run++) starts.push(await clientStart());
  rawClientStart = stats(starts);
} finally {
  for (const tag of [shipshapeTag, rawTag]) {
    try {
      await engine.removeImage(tag);
    } catch {
      // Never built.
    }
  }
  // Cold builds leave the previous images untagged: remove them by label.
  await runCommand(RAW_CLIENT, ["image", "prune", "--force", "--filter", `label=${BENCH_LABEL}=1`]);
  fs.rmSync(contextDir, { recursive: true, force: true });
}

const pass = results.every((result) => result.ratio <= GOAL_RATIO);
if (options.json) {
  process.stdout.write(`${JSON.stringify({ goalRatio: GOAL_RATIO, pass, variants: results, inspect, rawClientStart }, null, 2)}\n`);
} else {
  const seconds = (ms: number): string => (ms / 1000).toFixed(3);
  const header = ["variant", "runs", "shipshape median s", "raw median s", "ratio", "shipshape min-max s", "raw min-max s"];
  const rows = results.map((result) => [
    result.variant,
    String(result.runs),
    seconds(result.shipshape.medianMs),
    seconds(result.raw.medianMs),
    `${result.ratio.toFixed(3)}x`,
    `${seconds(result.shipshape.minMs)}-${seconds(result.shipshape.maxMs)}`,
    `${seconds(result.raw.minMs)}-${seconds(result.raw.maxMs)}`,
  ]);
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: string[]): string => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join("  ");
  const lines = [
    `build overhead: shipshape (library, API driver) vs DOCKER_BUILDKIT=1 ${RAW_CLIENT} build --network=host, alternating`,
    line(header),
    ...rows.map(line),
    `inspect after a build (shipshape build's size/layers, not in the times above): median ${seconds(inspect?.medianMs ?? 0)} s`,
    `raw client start (${RAW_CLIENT} --version, part of the raw times): median ${seconds(rawClientStart?.medianMs ?? 0)} s`,
    `goal: ratio of medians <= ${GOAL_RATIO} on every variant — ${pass ? "PASS" : "FAIL"}`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}
