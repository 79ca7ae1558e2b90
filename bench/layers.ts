// Layer analysis benchmark: `shipshape layers` on a large generated `docker save` archive
// (>= 500 MB, several layers, no daemon needed) against GNU tar listing the same bytes.
//
//   npm run bench:layers -- [--size-mb N] [--layers L] [--runs R] [--dir D] [--regenerate] [--json]
//
// Sides, run alternately R times after one warm-up of each (medians reported):
//   shipshape   a child process that streams the archive through src/image/layers.ts
//               (readImageArchive + analyzeImage) and exits: what `shipshape layers FILE` does
//               minus the CLI's module loading, which is timed separately ("shipshape CLI").
//   tar         `tar -tvf ARCHIVE` (the outer listing) then, for every layer in manifest order,
//               `tar -xOf ARCHIVE <id>/layer.tar | tar -tvf -`: every header of every layer is
//               listed, which is the least work that yields the same file tables.
// Exits 0 whatever the numbers: it is a benchmark, not a test.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { analyzeImage } from "../src/image/analysis.ts";
import { readImageArchive } from "../src/image/archive.ts";
import { archiveFileStream } from "../src/image/layers.ts";
import { tarChunks, tarSize, type TarInputEntry } from "../test/helpers/tar-writer.ts";

const GOAL_RATIO = 1.5;
/** Bump when the generated archive changes. */
const GENERATOR_VERSION = 1;
const REPOSITORY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

interface Options {
  sizeMb: number;
  layers: number;
  runs: number;
  dir: string;
  regenerate: boolean;
  json: boolean;
}

const USAGE = `usage: node bench/layers.ts [--size-mb N] [--layers L] [--runs R] [--dir D] [--regenerate] [--json]
  --size-mb N     archive size to generate, in MB (default 600; at least 500 for the goal)
  --layers L      layers in the image (default 6)
  --runs R        measured runs of each side, after one warm-up (default 5)
  --dir D         cache directory (default bench/.corpus/layers); reused while up to date
  --regenerate    rewrite the archive even if it is up to date
  --json          print machine-readable results instead of the table`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function parseOptions(argv: string[]): Options {
  const options: Options = { sizeMb: 600, layers: 6, runs: 5, dir: path.join(REPOSITORY, "bench", ".corpus", "layers"), regenerate: false, json: false };
  const positiveInteger = (flag: string, value: string | undefined, minimum = 1): number => {
    const number = Number(value);
    if (value === undefined || !Number.isInteger(number) || number < minimum) fail(`${flag} needs an integer >= ${minimum}, got ${value ?? "nothing"}`);
    return number;
  };
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index] ?? "";
    switch (flag) {
      case "--size-mb":
        options.sizeMb = positiveInteger(flag, argv[++index], 10);
        break;
      case "--layers":
        options.layers = positiveInteger(flag, argv[++index], 2);
        break;
      case "--runs":
        options.runs = positiveInteger(flag, argv[++index]);
        break;
      case "--dir": {
        const dir = argv[++index];
        if (dir === undefined) fail("--dir needs a directory");
        options.dir = path.resolve(dir);
        break;
      }
      case "--regenerate":
        options.regenerate = true;
        break;
      case "--json":
        options.json = true;
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

/** mulberry32: a seeded PRNG, so the same options give the same archive layout. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const POOL_BYTES = 4 * 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;

/** Random-looking file contents: windows of a seeded random pool (no compression would help). */
function contentPool(random: () => number): Buffer {
  const pool = Buffer.alloc(POOL_BYTES + CHUNK_BYTES);
  for (let offset = 0; offset < pool.length; offset += 4) pool.writeUInt32LE(Math.floor(random() * 4294967296), offset);
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
}

/**
 * Layers like a real image's: a base with thousands of small files, then RUN layers that add
 * small and large files, rewrite caches (waste), delete files (whiteouts), replace a directory
 * (opaque marker) and use names longer than 100 bytes (PAX headers).
 */
function generateLayers(options: Options): GeneratedLayer[] {
  const random = prng(20260611);
  const pool = contentPool(random);
  const perLayer = Math.floor((options.sizeMb * 1_000_000) / options.layers);
  const smallSize = (): number => Math.floor(200 * Math.pow(320, random())); // 200 B .. 64 kB, log-uniform
  const layers: GeneratedLayer[] = [];
  const baseFiles: string[] = [];
  const layerFiles: string[][] = [];

  for (let index = 0; index < options.layers; index++) {
    const entries: TarInputEntry[] = [];
    const files: string[] = [];
    let bytes = 0;
    const add = (filePath: string, size: number): void => {
      entries.push(fileEntry(filePath, size, pool, Math.floor(random() * POOL_BYTES)));
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
      for (let rewrite = 0; rewrite < 40; rewrite++) {
        const target = baseFiles[Math.floor(random() * baseFiles.length)];
        if (target !== undefined) add(target, smallSize());
      }
      // Delete some files of the previous layer.
      for (const victim of (layerFiles[index - 1] ?? []).slice(0, 20)) {
        const slash = victim.lastIndexOf("/");
        entries.push({ path: `${victim.slice(0, slash)}/.wh.${victim.slice(slash + 1)}`, content: "" });
      }
      if (index === options.layers - 1 && options.layers > 2) {
        directory("opt/app-1");
        entries.push({ path: "opt/app-1/.wh..wh..opq", content: "" });
      }
    }
    directory("var/cache/apt");
    add("var/cache/apt/pkgcache.bin", 8_000_000 + Math.floor(random() * 4_000_000));
    // Large files up to the layer's share of the archive.
    for (let big = 0; bytes < perLayer; big++) add(`${root}/data/blob-${big}.bin`, Math.min(perLayer - bytes + 1, 20_000_000 + Math.floor(random() * 40_000_000)));
    layers.push({ createdBy: index === 0 ? "/bin/sh -c #(nop) ADD file:rootfs in / " : `RUN /bin/sh -c ./install-step-${index}.sh # buildkit`, entries });
    layerFiles.push(files);
  }
  return layers;
}

interface Marker {
  version: number;
  sizeMb: number;
  layers: number;
  archive: string;
  bytes: number;
  layerPaths: string[];
}

function layerId(index: number): string {
  return index.toString(16).padStart(64, "0");
}

/** Writes the archive (layers first, config and manifest.json last, like docker save) unless cached. */
function ensureArchive(options: Options): Marker {
  const markerPath = path.join(options.dir, "marker.json");
  const archive = path.join(options.dir, `image-${options.sizeMb}mb-${options.layers}layers.tar`);
  if (!options.regenerate && fs.existsSync(markerPath)) {
    const marker = JSON.parse(fs.readFileSync(markerPath, "utf8")) as Marker;
    if (marker.version === GENERATOR_VERSION && marker.sizeMb === options.sizeMb && marker.layers === options.layers && fs.existsSync(marker.archive) && fs.statSync(marker.archive).size === marker.bytes) {
      return marker;
    }
  }
  fs.mkdirSync(options.dir, { recursive: true });
  for (const old of fs.readdirSync(options.dir)) if (/^image-.*\.tar(\.partial)?$/.test(old)) fs.rmSync(path.join(options.dir, old));
  const started = performance.now();
  const layers = generateLayers(options);
  const layerPaths = layers.map((_, index) => `${layerId(index)}/layer.tar`);
  const history = layers.map((layer) => ({ created_by: layer.createdBy }));
  history.splice(1, 0, { created_by: "/bin/sh -c #(nop)  ENV LANG=C.UTF-8", empty_layer: true } as { created_by: string });
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

  const partial = `${archive}.partial`;
  const fd = fs.openSync(partial, "w");
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
  fs.renameSync(partial, archive);
  const marker: Marker = { version: GENERATOR_VERSION, sizeMb: options.sizeMb, layers: options.layers, archive, bytes: fs.statSync(archive).size, layerPaths };
  fs.writeFileSync(markerPath, `${JSON.stringify(marker, null, 2)}\n`);
  process.stderr.write(`generated ${archive} (${(marker.bytes / 1e6).toFixed(0)} MB) in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return marker;
}

// ---- Worker: the shipshape side in its own process ----------------------------------------------

interface WorkerResult {
  analysisMs: number;
  maxRssBytes: number;
  files: number;
  layers: number;
  sizeBytes: number;
  wastedBytes: number;
  reclaimableBytes: number;
  efficiency: number;
}

async function runWorker(archive: string): Promise<void> {
  const started = performance.now();
  const contents = await readImageArchive(archiveFileStream(archive));
  const analysis = analyzeImage({
    reference: contents.reference,
    format: contents.format,
    layers: contents.layers.map((layer) => ({ id: layer.archivePath, files: layer.files, blobBytes: layer.blobBytes })),
    history: contents.history,
  });
  const result: WorkerResult = {
    analysisMs: performance.now() - started,
    // ru_maxrss: the peak resident set of this process, in kilobytes.
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    files: contents.layers.reduce((sum, layer) => sum + layer.files.length, 0),
    layers: analysis.layers.length,
    sizeBytes: analysis.sizeBytes,
    wastedBytes: analysis.wastedBytes,
    reclaimableBytes: analysis.reclaimableBytes,
    efficiency: analysis.efficiency,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

// ---- Measuring --------------------------------------------------------------------------------

interface Timed {
  ms: number;
  stdout: string;
  maxRssBytes?: number;
}

const HAS_GNU_TIME = fs.existsSync("/usr/bin/time");

/** Runs a command, timing it from outside; with /usr/bin/time also its peak memory (largest process). */
function timed(command: string, args: string[]): Timed {
  const wrapped = HAS_GNU_TIME ? ["/usr/bin/time", ["-f", "SHIPSHAPE_BENCH_MAXRSS_KB=%M", command, ...args]] as const : ([command, args] as const);
  const started = performance.now();
  const result = spawnSync(wrapped[0], [...wrapped[1]], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${result.status}): ${result.stderr.slice(-2000)}`);
  const rss = /SHIPSHAPE_BENCH_MAXRSS_KB=(\d+)/.exec(result.stderr);
  return { ms, stdout: result.stdout, ...(rss?.[1] === undefined ? {} : { maxRssBytes: Number(rss[1]) * 1024 }) };
}

const TAR_BASELINE_SCRIPT = `archive="$1"; shift
tar -tvf "$archive" > /dev/null
for layer in "$@"; do tar -xOf "$archive" "$layer" | tar -tvf - > /dev/null; done`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Entries tar lists in the layers (a one-off check that both sides see the same files). */
function tarEntryCount(marker: Marker): number {
  const script = `archive="$1"; shift; for layer in "$@"; do tar -xOf "$archive" "$layer" | tar -tf -; done`;
  const result = spawnSync("sh", ["-c", script, "sh", marker.archive, ...marker.layerPaths], { encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
  return result.stdout.split("\n").filter((line) => line !== "" && line !== "./").length;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === "--worker") {
    await runWorker(argv[1] ?? fail("--worker needs an archive"));
    return;
  }
  const options = parseOptions(argv);
  const marker = ensureArchive(options);
  const node = process.execPath;
  const self = fileURLToPath(import.meta.url);
  const cli = path.join(REPOSITORY, "src", "cli", "main.ts");

  const sides = {
    shipshape: () => timed(node, [self, "--worker", marker.archive]),
    tar: () => timed("sh", ["-c", TAR_BASELINE_SCRIPT, "sh", marker.archive, ...marker.layerPaths]),
    cli: () => timed(node, [cli, "layers", marker.archive, "--format", "json", "--no-history"]),
  };
  // Warm-up (page cache, compile caches), then alternate the sides.
  const warm = sides.shipshape();
  sides.tar();
  sides.cli();
  const samples: Record<keyof typeof sides, Timed[]> = { shipshape: [], tar: [], cli: [] };
  for (let run = 0; run < options.runs; run++) {
    for (const side of ["shipshape", "tar", "cli"] as const) samples[side].push(sides[side]());
  }
  const worker = JSON.parse(warm.stdout) as WorkerResult;
  const workers = samples.shipshape.map((sample) => JSON.parse(sample.stdout) as WorkerResult);
  const tarEntries = tarEntryCount(marker);

  const medianMs = (side: keyof typeof sides): number => median(samples[side].map((sample) => sample.ms));
  const peak = (side: keyof typeof sides): number | undefined => {
    const values = samples[side].map((sample) => sample.maxRssBytes).filter((value): value is number => value !== undefined);
    return values.length === 0 ? undefined : Math.max(...values);
  };
  const mb = marker.bytes / 1e6;
  const ratio = medianMs("shipshape") / medianMs("tar");
  const results = {
    archive: marker.archive,
    archiveBytes: marker.bytes,
    layers: worker.layers,
    files: worker.files,
    tarEntries,
    runs: options.runs,
    shipshape: { medianMs: medianMs("shipshape"), analysisMedianMs: median(workers.map((entry) => entry.analysisMs)), peakRssBytes: Math.max(...workers.map((entry) => entry.maxRssBytes)) },
    tar: { medianMs: medianMs("tar"), peakRssBytes: peak("tar") },
    cli: { medianMs: medianMs("cli"), peakRssBytes: peak("cli") },
    ratio,
    goalRatio: GOAL_RATIO,
    pass: ratio <= GOAL_RATIO,
    analysis: { sizeBytes: worker.sizeBytes, wastedBytes: worker.wastedBytes, reclaimableBytes: worker.reclaimableBytes, efficiency: worker.efficiency },
  };
  if (options.json) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    return;
  }
  const row = (name: string, ms: number, rss: number | undefined): string =>
    `| ${name.padEnd(34)} | ${(ms / 1000).toFixed(2).padStart(8)} | ${(mb / (ms / 1000)).toFixed(0).padStart(6)} | ${rss === undefined ? "     n/a" : `${(rss / 1e6).toFixed(0).padStart(5)} MB`} |`;
  const lines = [
    `archive: ${marker.archive}`,
    `         ${mb.toFixed(0)} MB, ${worker.layers} layers, ${worker.files} layer entries (tar lists ${tarEntries}), ${options.runs} runs per side after a warm-up`,
    "",
    `| side                               | median s |   MB/s | peak RSS |`,
    `| ---------------------------------- | -------: | -----: | -------: |`,
    row("shipshape (analysis process)", results.shipshape.medianMs, results.shipshape.peakRssBytes),
    row("tar -tvf outer + each layer", results.tar.medianMs, results.tar.peakRssBytes),
    row("shipshape layers CLI (for context)", results.cli.medianMs, results.cli.peakRssBytes),
    "",
    `in-process analysis median: ${(results.shipshape.analysisMedianMs / 1000).toFixed(2)} s; image: ${(worker.sizeBytes / 1e6).toFixed(0)} MB in layers, wasted ${(worker.wastedBytes / 1e6).toFixed(1)} MB (dive), reclaimable ${(worker.reclaimableBytes / 1e6).toFixed(1)} MB, efficiency ${(worker.efficiency * 100).toFixed(2)} %`,
    `ratio shipshape / tar: ${ratio.toFixed(2)}`,
    `goal: <= ${GOAL_RATIO} — ${results.pass ? "PASS" : "FAIL"}`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

await main();
