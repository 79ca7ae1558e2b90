// Build benchmark: `shipshape build PATH` as users run it (a whole process, bin/shipshape.js)
// against the BuildKit client users would otherwise run (`docker buildx build --load` where buildx
// exists, else `DOCKER_BUILDKIT=1 /usr/bin/docker build`), on the same Dockerfile and context and
// the same engine, cold (--no-cache) and warm (everything cached: a no-op build), alternated, with
// medians; then the example shop (examples/shop, 6 images) built with `--parallel 1` against the
// default parallelism. See bench/README.md.
//
//   npm run bench:build -- [--runs N] [--shop-runs N] [--no-shop] [--json FILE]
//
// Needs a Docker Engine with node:22-slim (and, for the shop, the images its Dockerfiles name),
// and the npm registry (the fixture runs npm install). Builds use the host network
// (SHIPSHAPE_NETWORK, default host: the lab has no bridge). Exits 0 whatever the numbers: it is a
// benchmark, not a test; 2 when it cannot run.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "../src/bench/statistics.ts";
import type { BuildRunReport } from "../src/builds/summary.ts";
import { defaultParallelism } from "../src/builds/schedule.ts";

const REPOSITORY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BIN = path.join(REPOSITORY, "bin", "shipshape.js");
const SHOP = path.join(REPOSITORY, "examples", "shop");
const BASE = "node:22-slim";
const GOAL_COLD_RATIO = 1.05;
const GOAL_WARM_EXTRA_MS = 300;
/** The cold goal is stated for builds of at least this long. */
const MIN_COLD_MS = 10_000;
/** Every image this benchmark builds carries it (a LABEL in the fixture), so the clean-up finds the untagged ones too. */
const BENCH_LABEL = "shipshape.bench-build";
const TAG_PREFIX = "shipshape-bench-build";

interface Options {
  runs: number;
  shopRuns: number;
  shop: boolean;
  variants: ("cold" | "warm")[];
  json: string;
  network: string;
}

const USAGE = `usage: node bench/build.ts [--runs N] [--shop-runs N] [--no-shop] [--only cold|warm] [--json FILE]
  --runs N        measured builds of each side per variant (cold, warm), after one warm-up of each (default 3)
  --shop-runs N   measured builds of examples/shop per side (--parallel 1, default parallelism) (default 1)
  --no-shop       leave the shop out
  --only V        only the cold or the warm variant of the one-image comparison
  --json FILE     where to write the results (default bench/.results/build.json)`;

function fail(message: string): never {
  process.stderr.write(`bench:build: ${message}\n`);
  process.exit(2);
}

function parseOptions(argv: string[]): Options {
  const options: Options = { runs: 3, shopRuns: 1, shop: true, variants: ["cold", "warm"], json: path.join(REPOSITORY, "bench", ".results", "build.json"), network: process.env.SHIPSHAPE_NETWORK ?? "host" };
  const integer = (flag: string, value: string | undefined): number => {
    const number = Number(value);
    if (value === undefined || !Number.isInteger(number) || number < 1) fail(`${flag} needs a positive integer, got ${value ?? "nothing"}`);
    return number;
  };
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index] ?? "";
    if (flag === "--runs") options.runs = integer(flag, argv[++index]);
    else if (flag === "--shop-runs") options.shopRuns = integer(flag, argv[++index]);
    else if (flag === "--no-shop") options.shop = false;
    else if (flag === "--only") {
      const variant = argv[++index];
      if (variant !== "cold" && variant !== "warm") fail(`--only takes cold or warm, got ${variant ?? "nothing"}`);
      options.variants = [variant];
    }
    else if (flag === "--json") options.json = path.resolve(argv[++index] ?? fail("--json needs a file"));
    else if (flag === "--help" || flag === "-h") {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else fail(`unknown option ${flag}\n${USAGE}`);
  }
  return options;
}

// A real build that takes >= 10 s on an idle 2-core machine: a dependency install from the npm
// registry, then a TypeScript compile and a run of the result.
const DOCKERFILE = `FROM ${BASE}
LABEL ${BENCH_LABEL}=1
WORKDIR /app
COPY package.json ./
RUN npm install --no-audit --no-fund --loglevel=error
COPY tsconfig.json ./
COPY src ./src
RUN npx tsc -p . && node dist/index.js > /app/out.txt
CMD ["node", "dist/index.js"]
`;

const FIXTURE: Record<string, string> = {
  Dockerfile: DOCKERFILE,
  ".dockerignore": "*.log\nnode_modules\n",
  "package.json": `${JSON.stringify(
    {
      name: "bench-build-app",
      version: "1.0.0",
      private: true,
      type: "module",
      dependencies: { express: "4.21.2", zod: "3.24.1", lodash: "4.17.21" },
      devDependencies: { typescript: "5.7.3", "@types/node": "22.10.7", "@types/express": "5.0.0", "@types/lodash": "4.17.14" },
    },
    null,
    2,
  )}\n`,
  "tsconfig.json": `${JSON.stringify({ compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", outDir: "dist", strict: true, skipLibCheck: true, esModuleInterop: true, types: ["node"] }, include: ["src"] }, null, 2)}\n`,
  "src/index.ts": [
    'import express from "express";',
    'import _ from "lodash";',
    'import { z } from "zod";',
    "const Item = z.object({ id: z.number(), name: z.string() });",
    "const items = _.range(100).map((id) => Item.parse({ id, name: `item-${id}` }));",
    "const app = express();",
    'app.get("/items", (_request, response) => void response.json(items));',
    "console.log(`${items.length} items`);",
    "export default app;",
    "",
  ].join("\n"),
  "ignored.log": "not sent\n",
};

function writeFixture(dir: string): void {
  for (const [relative, content] of Object.entries(FIXTURE)) {
    fs.mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true });
    fs.writeFileSync(path.join(dir, relative), content);
  }
}

interface Run {
  ms: number;
  ok: boolean;
  stdout: string;
  output: string;
}

/** A whole process, timed from outside; a failure stops the benchmark with the output's tail. */
function runProcess(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const started = performance.now();
  const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, env: { ...process.env, NO_COLOR: "1", ...env } });
  const ms = performance.now() - started;
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
  return { ms, ok: result.status === 0, stdout: result.stdout ?? "", output };
}

function mustSucceed(run: Run, what: string): Run {
  if (!run.ok) fail(`${what} failed:\n${run.output.slice(-3000)}`);
  return run;
}

interface RawClient {
  /** What the table calls it. */
  label: string;
  build: (contextDir: string, tag: string, noCache: boolean, network: string) => Run;
}

function rawClient(): RawClient | undefined {
  if (spawnSync("docker", ["buildx", "version"], { stdio: "ignore" }).status === 0) {
    return {
      label: "docker buildx build --load",
      build: (contextDir, tag, noCache, network) => runProcess("docker", ["buildx", "build", "--load", `--network=${network}`, "--progress=plain", "-t", tag, ...(noCache ? ["--no-cache"] : []), contextDir]),
    };
  }
  if (fs.existsSync("/usr/bin/docker")) {
    return {
      label: "DOCKER_BUILDKIT=1 /usr/bin/docker build",
      build: (contextDir, tag, noCache, network) => runProcess("/usr/bin/docker", ["build", `--network=${network}`, "--progress=plain", "-t", tag, ...(noCache ? ["--no-cache"] : []), contextDir], { DOCKER_BUILDKIT: "1" }),
    };
  }
  return undefined;
}

const builtImageIds = new Set<string>();

/** `shipshape build PATH` as a user runs it; the measurements go to a database outside the context. */
function shipshapeBuild(target: string, dbPath: string, network: string, extra: string[]): Run {
  const run = runProcess(process.execPath, [BIN, "build", target, "--network", network, "--tag-prefix", TAG_PREFIX, "--format", "json", "--db", dbPath, ...extra]);
  if (run.ok) {
    const report = JSON.parse(run.stdout) as BuildRunReport;
    // The shop's images carry no benchmark label: remembered by id for the clean-up.
    for (const image of report.images) if (image.imageId !== undefined) builtImageIds.add(image.imageId);
    if (!report.images.every((image) => image.ok)) return { ...run, ok: false };
  }
  return run;
}

interface Stats {
  samplesMs: number[];
  medianMs: number;
  minMs: number;
  maxMs: number;
}

function stats(samples: number[]): Stats {
  return { samplesMs: samples.map((ms) => Math.round(ms)), medianMs: median(samples), minMs: Math.min(...samples), maxMs: Math.max(...samples) };
}

interface Comparison {
  name: string;
  sides: [string, string];
  runs: number;
  first: Stats;
  second: Stats;
  ratio: number;
  differenceMs: number;
  goal: string;
  pass: boolean | undefined;
}

/** R rounds of two sides after one untimed build of each; the side that goes first swaps every round. */
function alternate(name: string, runs: number, first: () => Run, second: () => Run): [number[], number[]] {
  mustSucceed(first(), `${name}: first side`);
  mustSucceed(second(), `${name}: second side`);
  const samples: [number[], number[]] = [[], []];
  for (let run = 0; run < runs; run++) {
    const order = run % 2 === 0 ? [0, 1] : [1, 0];
    for (const side of order) samples[side]?.push(mustSucceed(side === 0 ? first() : second(), name).ms);
    process.stderr.write(`${name}: ${run + 1}/${runs}\n`);
  }
  return samples;
}

function cleanUp(tags: string[]): void {
  for (const tag of tags) spawnSync("docker", ["image", "rm", "--force", tag], { stdio: "ignore" });
  // Untagged by later cold builds; an image still used (a base of another) stays.
  if (builtImageIds.size > 0) spawnSync("docker", ["image", "rm", ...builtImageIds], { stdio: "ignore" });
  // Cold builds leave the previous images untagged: only those carrying this benchmark's label.
  spawnSync("docker", ["image", "prune", "--force", "--filter", `label=${BENCH_LABEL}=1`], { stdio: "ignore" });
}

function main(): void {
  const options = parseOptions(process.argv.slice(2));
  const client = rawClient();
  if (client === undefined) fail("needs docker buildx or Debian's /usr/bin/docker (a BuildKit client) to compare against");
  if (spawnSync("docker", ["image", "inspect", BASE], { stdio: "ignore" }).status !== 0) fail(`needs ${BASE} on the engine (../shared/docker-lab/forge ${BASE})`);

  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-bench-build-"));
  const contextDir = path.join(scratch, "app");
  writeFixture(contextDir);
  const dbPath = path.join(scratch, "metrics.db");
  const rawTag = `${TAG_PREFIX}/raw-${process.pid}:latest`;
  // shipshape names the image after the directory: <prefix>/app-app:latest.
  const shipshapeTag = `${TAG_PREFIX}/app-app:latest`;
  const comparisons: Comparison[] = [];
  // Each row is also printed when it is measured: the whole benchmark can take long on a busy machine.
  const record = (row: Comparison): void => {
    comparisons.push(row);
    process.stderr.write(`measured ${row.name}: ${row.sides[0]} ${(row.first.medianMs / 1000).toFixed(2)} s, ${row.sides[1]} ${(row.second.medianMs / 1000).toFixed(2)} s (samples ${row.first.samplesMs.join(", ")} / ${row.second.samplesMs.join(", ")} ms)\n`);
  };
  let shopServices: string[] = [];
  const startSamples = { node: [] as number[], help: [] as number[], client: [] as number[] };
  try {
    // Warm first: its untimed first builds are cold ones, so a stopped run has the quick row.
    const variants = [
      { name: "warm (no-op, all cached)", noCache: false, key: "warm" },
      { name: "cold (--no-cache)", noCache: true, key: "cold" },
    ].filter((variant) => options.variants.includes(variant.key as "cold" | "warm"));
    for (const variant of variants) {
      const [shipshape, raw] = alternate(
        variant.name,
        options.runs,
        () => shipshapeBuild(contextDir, dbPath, options.network, ["--parallel", "1", ...(variant.noCache ? ["--no-cache"] : [])]),
        () => client.build(contextDir, rawTag, variant.noCache, options.network),
      );
      const first = stats(shipshape ?? []);
      const second = stats(raw ?? []);
      const ratio = first.medianMs / second.medianMs;
      const differenceMs = first.medianMs - second.medianMs;
      const cold = variant.noCache;
      record({
        name: variant.name,
        sides: ["shipshape build", client.label],
        runs: options.runs,
        first,
        second,
        ratio,
        differenceMs,
        goal: cold ? `<= ${GOAL_COLD_RATIO}x (builds >= ${MIN_COLD_MS / 1000} s)` : `<= +${GOAL_WARM_EXTRA_MS} ms`,
        // The cold goal says nothing about builds shorter than 10 s: no verdict then.
        pass: cold ? (second.medianMs >= MIN_COLD_MS ? ratio <= GOAL_COLD_RATIO : undefined) : differenceMs <= GOAL_WARM_EXTRA_MS,
      });
    }
    if (options.shop) {
      const parallel = defaultParallelism();
      const shopDb = path.join(scratch, "shop-metrics.db");
      const shop = (extra: string[]): Run => shipshapeBuild(SHOP, shopDb, options.network, ["--no-cache", ...extra]);
      const [sequential, concurrent] = alternate(`examples/shop cold, --parallel 1 vs ${parallel}`, options.shopRuns, () => shop(["--parallel", "1"]), () => shop(["--parallel", String(parallel)]));
      const first = stats(sequential ?? []);
      const second = stats(concurrent ?? []);
      record({
        name: `examples/shop cold (--no-cache), 6 images`,
        sides: ["--parallel 1", `--parallel ${parallel} (default here)`],
        runs: options.shopRuns,
        first,
        second,
        ratio: first.medianMs / second.medianMs,
        differenceMs: first.medianMs - second.medianMs,
        goal: "speed-up (no goal)",
        pass: undefined,
      });
      shopServices = ["api", "worker", "web", "inventory", "pricing", "reports"];
    }
    // Where a no-op build's overhead goes: starting processes and loading the build command.
    for (let run = 0; run < options.runs; run++) {
      startSamples.node.push(runProcess(process.execPath, ["-e", "0"]).ms);
      startSamples.help.push(runProcess(process.execPath, [BIN, "build", "--help"]).ms);
      startSamples.client.push(runProcess(client.label.startsWith("docker buildx") ? "docker" : "/usr/bin/docker", ["--version"]).ms);
    }
  } finally {
    cleanUp([rawTag, shipshapeTag, ...shopServices.map((service) => `${TAG_PREFIX}/shop-${service}:latest`)]);
    fs.rmSync(scratch, { recursive: true, force: true });
  }

  const seconds = (ms: number): string => (ms / 1000).toFixed(2);
  const header = ["variant", "runs", "side A", "A median s", "side B", "B median s", "A / B", "A - B", "A min-max s", "B min-max s", "goal", "result"];
  const rows = comparisons.map((row) => [
    row.name,
    String(row.runs),
    row.sides[0],
    seconds(row.first.medianMs),
    row.sides[1],
    seconds(row.second.medianMs),
    `${row.ratio.toFixed(3)}x`,
    `${row.differenceMs >= 0 ? "+" : ""}${Math.round(row.differenceMs)} ms`,
    `${seconds(row.first.minMs)}-${seconds(row.first.maxMs)}`,
    `${seconds(row.second.minMs)}-${seconds(row.second.maxMs)}`,
    row.goal,
    row.pass === undefined ? (row.goal.startsWith("speed-up") ? "-" : "n/a: build < 10 s") : row.pass ? "PASS" : "FAIL",
  ]);
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: string[]): string => `| ${cells.map((cell, column) => (column < 3 || column === 4 || column >= 10 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join(" | ")} |`;
  const separator = `| ${widths.map((width) => "-".repeat(width)).join(" | ")} |`;
  const judged = comparisons.filter((row) => row.pass !== undefined);
  const pass = judged.length > 0 && judged.every((row) => row.pass === true);
  const lines = [
    `shipshape build PATH (bin/shipshape.js, whole process) vs ${client.label}, same Dockerfile and context, network ${options.network}, alternated, medians`,
    `node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((value) => value.toFixed(1)).join(" ")}, ${new Date().toISOString()}`,
    "",
    line(header),
    separator,
    ...rows.map(line),
    "",
    `start-up, medians of ${options.runs}: node -e 0 ${seconds(median(startSamples.node))} s; shipshape build --help (Node + the build command's modules) ${seconds(median(startSamples.help))} s; the client's --version ${seconds(median(startSamples.client))} s`,
    `goal: cold <= ${GOAL_COLD_RATIO}x on builds >= ${MIN_COLD_MS / 1000} s, warm no-op <= +${GOAL_WARM_EXTRA_MS} ms — ${pass ? "PASS" : "FAIL"}`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  fs.mkdirSync(path.dirname(options.json), { recursive: true });
  fs.writeFileSync(options.json, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cores: os.cpus().length, loadAverage: os.loadavg(), client: client.label, network: options.network, pass, comparisons, startUpMs: { nodeE0: median(startSamples.node), shipshapeBuildHelp: median(startSamples.help), clientVersion: median(startSamples.client) } }, null, 2)}\n`);
  process.stderr.write(`wrote ${options.json}\n`);
}

main();
