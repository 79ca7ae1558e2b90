// Layer analysis benchmark: `shipshape layers ARCHIVE --format json` as users run it (a whole
// process, bin/shipshape.js) against GNU tar listing the same generated `docker save` archive
// and every layer in it, at one or more archive sizes (default 600 MB and 5 GB).
//
//   npm run bench:layers -- [--size 600MB,5GB] [--layers L] [--runs R] [--dir D] [--json FILE]
//
// Per size: the archive is generated into a fresh temporary directory (after checking the free
// space there), streamed to disk chunk by chunk, measured, and deleted. Then one warm-up of each
// side (both read from the page cache afterwards) and R rounds; the side that goes first swaps
// every round, so drift on the machine hits both alike. Medians, the ratio of medians, and each
// side's peak RSS (GNU time's %M). Exits 0 whatever the numbers: a benchmark, not a test; 2 when
// it cannot run (no space, no tar).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "../src/bench/statistics.ts";
import { tarChunks, tarSize, type TarInputEntry } from "../test/helpers/tar-writer.ts";
import { createRandom, type Random } from "./corpus.ts";

const GOAL_RATIO = 1.5;
const REPOSITORY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BIN = path.join(REPOSITORY, "bin", "shipshape.js");
/** Room left free on the disk besides the archive: the disk is shared with other work. */
const DISK_HEADROOM_BYTES = 2e9;

interface Options {
  sizes: number[];
  layers: number;
  runs: number;
  dir: string;
  json: string;
  /** Only write one archive of the first size here (for profiling) and exit. */
  generateOnly?: string;
}

const USAGE = `usage: node bench/layers.ts [--size 600MB,5GB] [--layers L] [--runs R] [--dir D] [--json FILE]
  --size LIST     archive sizes to generate and measure, comma-separated: 600MB, 5GB, 800 (MB)
                  (default 600MB,5GB; the goal is stated for >= 500 MB and >= 5 GB)
  --layers L      layers in each image (default 6)
  --runs R        measured runs of each side per size, after one warm-up (default 5)
  --dir D         where the temporary archive directory is made (default: the OS temp dir)
  --json FILE     where to write the results (default bench/.results/layers.json)
  --generate-only FILE   write the archive of the first --size to FILE and exit (for profiling;
                  remove it yourself)`;

function fail(message: string): never {
  process.stderr.write(`bench:layers: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

/** "600MB", "5GB", "5G", "800" (MB): decimal units, as the archive sizes are reported. */
function parseSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(gb?|mb?)?$/i.exec(text.trim());
  if (!match) return undefined;
  const unit = (match[2] ?? "m").toLowerCase().startsWith("g") ? 1e9 : 1e6;
  const bytes = Math.round(Number(match[1]) * unit);
  return bytes >= 10e6 ? bytes : undefined;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { sizes: [600e6, 5e9], layers: 6, runs: 5, dir: os.tmpdir(), json: path.join(REPOSITORY, "bench", ".results", "layers.json") };
  const integer = (flag: string, value: string | undefined, minimum: number): number => {
    const number = Number(value);
    if (value === undefined || !Number.isInteger(number) || number < minimum) fail(`${flag} needs an integer >= ${minimum}, got ${value ?? "nothing"}`);
    return number;
  };
  const value = (flag: string, next: string | undefined): string => next ?? fail(`${flag} needs a value`);
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index] ?? "";
    switch (flag) {
      case "--size":
      case "--sizes":
        options.sizes = value(flag, argv[++index])
          .split(",")
          .map((item) => parseSize(item) ?? fail(`--size: '${item}' is not a size of at least 10 MB (600MB, 5GB, 800)`));
        break;
      case "--layers":
        options.layers = integer(flag, argv[++index], 2);
        break;
      case "--runs":
        options.runs = integer(flag, argv[++index], 1);
        break;
      case "--dir":
        options.dir = path.resolve(value(flag, argv[++index]));
        break;
      case "--json":
        options.json = path.resolve(value(flag, argv[++index]));
        break;
      case "--generate-only":
        options.generateOnly = path.resolve(value(flag, argv[++index]));
        break;
      case "--help":
      case "-h":
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
        break;
      default:
        fail(`unknown option ${flag}`);
    }
  }
  return options;
}

// ---- The generated archive --------------------------------------------------------------------

const POOL_BYTES = 4 * 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;

/** Random-looking file contents: windows of a seeded random pool (no compression would help). */
function contentPool(random: Random): Buffer {
  const pool = Buffer.alloc(POOL_BYTES + CHUNK_BYTES);
  for (let offset = 0; offset < pool.length; offset += 4) pool.writeUInt32LE(random.int(0, 4294967295), offset);
  return pool;
}

function fileEntry(filePath: string, size: number, pool: Buffer, start: number): TarInputEntry {
  return {
    path: filePath,
    size,
    content: function* () {
      let offset = start % POOL_BYTES;
      for (let left = size; left > 0; ) {
        const length = Math.min(left, CHUNK_BYTES);
        yield pool.subarray(offset, offset + length);
        left -= length;
        offset = (offset + 7919) % POOL_BYTES;
      }
    },
  };
}

interface GeneratedLayer {
  createdBy: string;
  entries: TarInputEntry[];
  /** Sum of the entries' sizes: what the analysis reports as the layer's size. */
  bytes: number;
}

/**
 * Layers like a real image's: a base with thousands of small files, then RUN layers that add
 * small and large files, rewrite caches (waste), delete files (whiteouts), replace a directory
 * (opaque marker) and use names longer than 100 bytes (PAX headers).
 */
function generateLayers(sizeBytes: number, layerCount: number): GeneratedLayer[] {
  const random = createRandom(20260611);
  const pool = contentPool(random);
  const perLayer = Math.floor(sizeBytes / layerCount);
  const smallSize = (): number => Math.floor(200 * Math.pow(320, random.next())); // 200 B .. 64 kB, log-uniform
  const layers: GeneratedLayer[] = [];
  const baseFiles: string[] = [];
  const layerFiles: string[][] = [];

  for (let index = 0; index < layerCount; index++) {
    const entries: TarInputEntry[] = [];
    const files: string[] = [];
    let bytes = 0;
    const add = (filePath: string, size: number): void => {
      entries.push(fileEntry(filePath, size, pool, random.int(0, POOL_BYTES - 1)));
      files.push(filePath);
      bytes += size;
    };
    const directory = (dirPath: string): void => void entries.push({ path: dirPath, type: "directory" });
    const smallCount = index === 0 ? 4000 : 1500;
    const root = index === 0 ? "usr" : `opt/app-${index}`;
    directory(root);
    for (let group = 0; group < smallCount / 50; group++) {
      const groupDir = index % 2 === 1 && group % 5 === 0 ? `${root}/${"nested-package-directory-".repeat(4)}${group}` : `${root}/lib/group-${group}`;
      directory(groupDir);
      for (let file = 0; file < 50; file++) add(`${groupDir}/file-${file}.dat`, smallSize());
    }
    if (index === 0) baseFiles.push(...files);
    if (index > 0) {
      // Rewrite some base files (modified) and the package cache (wasted in every layer).
      directory("usr");
      for (let rewrite = 0; rewrite < 40; rewrite++) add(random.pick(baseFiles), smallSize());
      // Delete some files of the previous layer.
      for (const victim of (layerFiles[index - 1] ?? []).slice(0, 20)) {
        const slash = victim.lastIndexOf("/");
        entries.push({ path: `${victim.slice(0, slash)}/.wh.${victim.slice(slash + 1)}`, content: "" });
      }
      if (index === layerCount - 1 && layerCount > 2) {
        directory("opt/app-1");
        entries.push({ path: "opt/app-1/.wh..wh..opq", content: "" });
      }
    }
    directory("var/cache/apt");
    add("var/cache/apt/pkgcache.bin", random.int(8_000_000, 12_000_000));
    // Large files up to the layer's share of the archive.
    for (let big = 0; bytes < perLayer; big++) add(`${root}/data/blob-${big}.bin`, Math.min(perLayer - bytes + 1, random.int(20_000_000, 60_000_000)));
    layers.push({ createdBy: index === 0 ? "/bin/sh -c #(nop) ADD file:rootfs in / " : `RUN /bin/sh -c ./install-step-${index}.sh # buildkit`, entries, bytes });
    layerFiles.push(files);
  }
  return layers;
}

interface GeneratedArchive {
  archive: string;
  bytes: number;
  layerPaths: string[];
  /** Sum of every layer's entry sizes: the analysis must report exactly this. */
  contentBytes: number;
  generateMs: number;
}

function layerId(index: number): string {
  return index.toString(16).padStart(64, "0");
}

/** Layers first, then the config and manifest.json last, as docker save writes them; streamed to disk. */
function writeArchive(archive: string, sizeBytes: number, layerCount: number): GeneratedArchive {
  const started = performance.now();
  const layers = generateLayers(sizeBytes, layerCount);
  const layerPaths = layers.map((_, index) => `${layerId(index)}/layer.tar`);
  const history: { created_by: string; empty_layer?: boolean }[] = layers.map((layer) => ({ created_by: layer.createdBy }));
  history.splice(1, 0, { created_by: "/bin/sh -c #(nop)  ENV LANG=C.UTF-8", empty_layer: true });
  const config = JSON.stringify({ architecture: "amd64", os: "linux", config: {}, rootfs: { type: "layers", diff_ids: [] }, history });
  const outer: TarInputEntry[] = [];
  layers.forEach((layer, index) => {
    outer.push({ path: layerId(index), type: "directory" });
    outer.push({ path: `${layerId(index)}/VERSION`, content: "1.0" });
    outer.push({ path: `${layerId(index)}/json`, content: JSON.stringify({ id: layerId(index) }) });
    outer.push({ path: `${layerId(index)}/layer.tar`, size: tarSize(layer.entries), content: () => tarChunks(layer.entries) });
  });
  outer.push({ path: "config.json", content: config });
  outer.push({ path: "manifest.json", content: JSON.stringify([{ Config: "config.json", RepoTags: ["bench/layers:latest"], Layers: layerPaths }]) });

  const fd = fs.openSync(archive, "w");
  try {
    const batch: Uint8Array[] = [];
    let batchBytes = 0;
    const flush = (): void => {
      if (batchBytes > 0) fs.writeSync(fd, Buffer.concat(batch, batchBytes));
      batch.length = 0;
      batchBytes = 0;
    };
    for (const chunk of tarChunks(outer)) {
      batch.push(chunk);
      batchBytes += chunk.length;
      if (batchBytes >= 8 * CHUNK_BYTES) flush();
    }
    flush();
  } finally {
    fs.closeSync(fd);
  }
  return { archive, bytes: fs.statSync(archive).size, layerPaths, contentBytes: layers.reduce((sum, layer) => sum + layer.bytes, 0), generateMs: performance.now() - started };
}

/** Bytes an unprivileged user may still write in `dir` (df's "Avail"). */
function freeBytes(dir: string): number {
  const stats = fs.statfsSync(dir);
  return Number(stats.bavail) * Number(stats.bsize);
}

/** The archive's on-disk size for a requested size: the layer tars' headers and padding add about 1 %. */
function expectedArchiveBytes(sizeBytes: number): number {
  return Math.ceil(sizeBytes * 1.02) + 50e6;
}

// ---- Measuring --------------------------------------------------------------------------------

interface Timed {
  ms: number;
  stdout: string;
  maxRssBytes?: number;
}

const GNU_TIME = "/usr/bin/time";
const HAS_GNU_TIME = fs.existsSync(GNU_TIME);

/** Runs a command, timed from outside; with GNU time also its peak RSS (the largest process). */
function timed(command: string, args: string[]): Timed {
  const [file, fileArgs] = HAS_GNU_TIME ? [GNU_TIME, ["-f", "SHIPSHAPE_BENCH_MAXRSS_KB=%M", command, ...args]] : [command, args];
  const started = performance.now();
  const result = spawnSync(file, fileArgs, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, env: { ...process.env, NO_COLOR: "1" } });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${result.status}): ${result.stderr.slice(-2000)}`);
  const rss = /SHIPSHAPE_BENCH_MAXRSS_KB=(\d+)/.exec(result.stderr);
  return { ms, stdout: result.stdout, ...(rss?.[1] === undefined ? {} : { maxRssBytes: Number(rss[1]) * 1024 }) };
}

// Listing only the outer archive would skip the layers' contents (GNU tar seeks over them): this
// lists every header of every layer, the least work that yields the same file tables.
const TAR_BASELINE_SCRIPT = `archive="$1"; shift
tar -tvf "$archive" > /dev/null
for layer in "$@"; do tar -xOf "$archive" "$layer" | tar -tvf - > /dev/null; done`;

interface CliJson {
  layers: { sizeBytes: number; added: { count: number }; modified: { count: number }; removed: { count: number } }[];
  sizeBytes: number;
  wastedBytes: number;
  efficiency: number;
}

function parseCliJson(stdout: string): CliJson {
  const parsed = JSON.parse(stdout) as { analysis?: CliJson } & CliJson;
  return parsed.analysis ?? parsed;
}

interface SideResult {
  samplesMs: number[];
  medianMs: number;
  minMs: number;
  maxMs: number;
  peakRssBytes: number | undefined;
}

interface SizeResult {
  requestedBytes: number;
  archiveBytes: number;
  layers: number;
  generateSeconds: number;
  runs: number;
  shipshape: SideResult;
  tar: SideResult;
  ratio: number;
  pass: boolean;
  /** The CLI reported exactly the generated layer bytes. */
  sizeChecked: boolean;
  wastedBytes: number;
  efficiency: number;
}

function side(samples: Timed[]): SideResult {
  const times = samples.map((sample) => sample.ms);
  const rss = samples.map((sample) => sample.maxRssBytes).filter((value): value is number => value !== undefined);
  return {
    samplesMs: times.map((ms) => Math.round(ms)),
    medianMs: median(times),
    minMs: Math.min(...times),
    maxMs: Math.max(...times),
    peakRssBytes: rss.length === 0 ? undefined : Math.max(...rss),
  };
}

function measureSize(sizeBytes: number, options: Options): SizeResult {
  const needed = expectedArchiveBytes(sizeBytes) + DISK_HEADROOM_BYTES;
  const free = freeBytes(options.dir);
  if (free < needed) fail(`${options.dir} has ${(free / 1e9).toFixed(1)} GB free; a ${(sizeBytes / 1e9).toFixed(1)} GB archive needs ${(needed / 1e9).toFixed(1)} GB (archive + ${DISK_HEADROOM_BYTES / 1e9} GB headroom): pick a smaller --size or another --dir`);
  const dir = fs.mkdtempSync(path.join(options.dir, "shipshape-bench-layers-"));
  const removeDir = (): void => fs.rmSync(dir, { recursive: true, force: true });
  // An interrupted run must not leave gigabytes behind.
  const onSignal = (): void => {
    removeDir();
    process.exit(130);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const generated = writeArchive(path.join(dir, "image.tar"), sizeBytes, options.layers);
    const label = `${(generated.bytes / 1e6).toFixed(0)} MB`;
    process.stderr.write(`${label}: generated in ${(generated.generateMs / 1000).toFixed(1)} s (${dir})\n`);
    const sides = {
      shipshape: () => timed(process.execPath, [BIN, "layers", generated.archive, "--format", "json", "--no-history"]),
      tar: () => timed("sh", ["-c", TAR_BASELINE_SCRIPT, "sh", generated.archive, ...generated.layerPaths]),
    };
    // Warm-up: the page cache holds the archive afterwards (when it fits) for both sides alike.
    const first = parseCliJson(sides.shipshape().stdout);
    sides.tar();
    const samples: Record<keyof typeof sides, Timed[]> = { shipshape: [], tar: [] };
    for (let run = 0; run < options.runs; run++) {
      const order = run % 2 === 0 ? (["shipshape", "tar"] as const) : (["tar", "shipshape"] as const);
      for (const name of order) samples[name].push(sides[name]());
      process.stderr.write(`\r${label}: ${run + 1}/${options.runs}`);
    }
    process.stderr.write("\n");
    const shipshape = side(samples.shipshape);
    const tar = side(samples.tar);
    const ratio = shipshape.medianMs / tar.medianMs;
    return {
      requestedBytes: sizeBytes,
      archiveBytes: generated.bytes,
      layers: first.layers.length,
      generateSeconds: Math.round(generated.generateMs / 100) / 10,
      runs: options.runs,
      shipshape,
      tar,
      ratio,
      pass: ratio <= GOAL_RATIO,
      sizeChecked: first.sizeBytes === generated.contentBytes && first.layers.length === options.layers,
      wastedBytes: first.wastedBytes,
      efficiency: first.efficiency,
    };
  } finally {
    removeDir();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

function main(): void {
  const options = parseOptions(process.argv.slice(2));
  if (options.generateOnly !== undefined) {
    const size = options.sizes[0] ?? 600e6;
    if (freeBytes(path.dirname(options.generateOnly)) < expectedArchiveBytes(size) + DISK_HEADROOM_BYTES) fail(`not enough free space for ${options.generateOnly}`);
    const generated = writeArchive(options.generateOnly, size, options.layers);
    process.stdout.write(`${generated.archive}: ${generated.bytes} bytes, layers ${generated.layerPaths.join(" ")}\n`);
    return;
  }
  if (spawnSync("tar", ["--version"]).status !== 0) fail("needs GNU tar on PATH (the baseline)");
  const results = options.sizes.map((size) => measureSize(size, options));

  const seconds = (ms: number): string => (ms / 1000).toFixed(2);
  const rss = (bytes: number | undefined): string => (bytes === undefined ? "n/a" : `${(bytes / 1e6).toFixed(0)} MB`);
  const header = ["archive", "layers", "runs", "shipshape median s", "tar median s", "ratio", "shipshape MB/s", "shipshape peak RSS", "tar peak RSS", "goal", "result"];
  const rows = results.map((result) => [
    `${(result.archiveBytes / 1e6).toFixed(0)} MB`,
    String(result.layers),
    String(result.runs),
    seconds(result.shipshape.medianMs),
    seconds(result.tar.medianMs),
    `${result.ratio.toFixed(2)}x`,
    (result.archiveBytes / 1e6 / (result.shipshape.medianMs / 1000)).toFixed(0),
    rss(result.shipshape.peakRssBytes),
    rss(result.tar.peakRssBytes),
    `<= ${GOAL_RATIO}x`,
    result.pass ? "PASS" : "FAIL",
  ]);
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: string[]): string => `| ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join(" | ")} |`;
  const separator = `| ${widths.map((width, column) => (column === 0 ? "-".repeat(width) : `${"-".repeat(width - 1)}:`)).join(" | ")} |`;
  const pass = results.every((result) => result.pass);
  const unchecked = results.filter((result) => !result.sizeChecked);
  const lines = [
    `shipshape layers ARCHIVE --format json (bin/shipshape.js) vs tar -tvf of the archive and each layer; whole processes, alternated, medians`,
    `node ${process.version}, ${os.cpus().length} cores, ${new Date().toISOString()}`,
    "",
    line(header),
    separator,
    ...rows.map(line),
    "",
    ...results.map((result) => `${(result.archiveBytes / 1e6).toFixed(0)} MB: generated in ${result.generateSeconds} s; wasted ${(result.wastedBytes / 1e6).toFixed(1)} MB, efficiency ${(result.efficiency * 100).toFixed(2)} %; shipshape ${seconds(result.shipshape.minMs)}-${seconds(result.shipshape.maxMs)} s, tar ${seconds(result.tar.minMs)}-${seconds(result.tar.maxMs)} s`),
    unchecked.length === 0 ? "check: the CLI reported exactly the generated layer bytes at every size" : `check FAILED: the CLI's layer bytes differ from the generated ones at ${unchecked.map((result) => `${(result.archiveBytes / 1e6).toFixed(0)} MB`).join(", ")}`,
    `goal: ratio of medians <= ${GOAL_RATIO} at every size — ${pass && unchecked.length === 0 ? "PASS" : "FAIL"}`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  fs.mkdirSync(path.dirname(options.json), { recursive: true });
  fs.writeFileSync(options.json, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cores: os.cpus().length, goalRatio: GOAL_RATIO, pass: pass && unchecked.length === 0, sizes: results }, null, 2)}\n`);
  process.stderr.write(`wrote ${path.relative(process.cwd(), options.json) || options.json}\n`);
}

main();
