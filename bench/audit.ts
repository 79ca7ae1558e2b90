// Audit throughput benchmark: shipshape's full audit (scan -> view -> all rules) against a
// baseline that only finds, reads and parses the same Dockerfiles with dockerfile-ast, both
// measured in one process over a generated corpus (bench/corpus.ts). See bench/README.md.
//
//   npm run bench:audit -- [--count N] [--runs R] [--dir D] [--seed S] [--regenerate] [--json]
//                          [--rule-timing separate|together|off]
//
// Exits 0 whatever the numbers: it is a benchmark, not a test.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DockerfileParser } from "dockerfile-ast";
import { auditRepository } from "../src/audit/run.ts";
import { isDockerfileName } from "../src/repo/kinds.ts";
import { scanDirectory } from "../src/repo/scan.ts";
import type { RepositoryView } from "../src/repo/snapshot.ts";
import { buildRepositoryView } from "../src/repo/view.ts";
import { allRules } from "../src/rules/index.ts";
import type { Rule, RuleReport } from "../src/rules/types.ts";
import { CORPUS_GENERATOR_VERSION, DEFAULT_CORPUS_COUNT, DEFAULT_CORPUS_DIR, DEFAULT_CORPUS_SEED, generateCorpus, readCorpusMarker } from "./corpus.ts";

const GOAL_FILES_PER_SECOND = 1000;
const PARSE_ONLY_REPETITIONS = 3;
const TOP_RULES = 5;

interface Options {
  count: number;
  runs: number;
  dir: string;
  seed: number;
  regenerate: boolean;
  json: boolean;
  ruleTiming: "separate" | "together" | "off";
}

const USAGE = `usage: node bench/audit.ts [--count N] [--runs R] [--dir D] [--seed S] [--regenerate] [--json] [--rule-timing MODE]
  --count N       Dockerfiles in the corpus (default ${DEFAULT_CORPUS_COUNT})
  --runs R        measured runs of each side, after one warm-up (default 5)
  --dir D         corpus directory (default bench/.corpus); generated when missing or stale
  --seed S        generator seed (default ${DEFAULT_CORPUS_SEED})
  --regenerate    rewrite the corpus even if it is up to date
  --json          print machine-readable results instead of the table
  --rule-timing   separate (default): auditRepository(view, { rules: [rule] }) once per rule, which
                  re-parses every Dockerfile per rule; together: one audit with every rule timed
                  (same check() times, much quicker); off: skip the per-rule table`;

function parseOptions(argv: string[]): Options {
  const options: Options = { count: DEFAULT_CORPUS_COUNT, runs: 5, dir: DEFAULT_CORPUS_DIR, seed: DEFAULT_CORPUS_SEED, regenerate: false, json: false, ruleTiming: "separate" };
  const positiveInteger = (flag: string, value: string | undefined): number => {
    const number = Number(value);
    if (value === undefined || !Number.isInteger(number) || number < 1) fail(`${flag} needs a positive integer, got ${value ?? "nothing"}`);
    return number;
  };
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index] as string;
    const [name, inline] = flag.startsWith("--") && flag.includes("=") ? [flag.slice(0, flag.indexOf("=")), flag.slice(flag.indexOf("=") + 1)] : [flag, undefined];
    const value = (): string | undefined => inline ?? argv[++index];
    switch (name) {
      case "--count":
        options.count = positiveInteger(name, value());
        break;
      case "--runs":
        options.runs = positiveInteger(name, value());
        break;
      case "--seed":
        options.seed = positiveInteger(name, value());
        break;
      case "--dir": {
        const dir = value();
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
      case "--rule-timing": {
        const mode = value();
        if (mode !== "separate" && mode !== "together" && mode !== "off") fail(`--rule-timing needs separate, together or off, got ${mode ?? "nothing"}`);
        options.ruleTiming = mode;
        break;
      }
      case "--help":
      case "-h":
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        fail(`unknown option ${flag}`);
    }
  }
  return options;
}

function fail(message: string): never {
  console.error(`bench:audit: ${message}\n${USAGE}`);
  process.exit(2);
}

// ------------------------------------------------------------------------------------------
// The two contenders

interface BaselineRun {
  seconds: number;
  files: number;
  instructions: number;
}

/** What any Dockerfile linter must do at least: find the Dockerfiles, read them, parse them. */
function runBaseline(root: string): BaselineRun {
  const started = performance.now();
  const dockerfiles: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(path.join(dir, entry.name));
      else if (entry.isFile() && isDockerfileName(entry.name)) dockerfiles.push(path.join(dir, entry.name));
    }
  };
  walk(root);
  let instructions = 0;
  for (const file of dockerfiles) instructions += DockerfileParser.parse(fs.readFileSync(file, "utf8")).getInstructions().length;
  return { seconds: (performance.now() - started) / 1000, files: dockerfiles.length, instructions };
}

interface ShipshapeRun {
  seconds: number;
  files: number;
  findings: number;
  suppressed: number;
  filesWithErrors: number;
  errors: string[];
  phases: { scan: number; view: number; audit: number };
}

function runShipshape(root: string): ShipshapeRun {
  const started = performance.now();
  const snapshot = scanDirectory(root);
  const scanned = performance.now();
  const view = buildRepositoryView(snapshot);
  const viewed = performance.now();
  const result = auditRepository(view);
  const audited = performance.now();
  const errors = result.files.filter((file) => file.error !== undefined).map((file) => `${file.path}: ${file.error}`);
  return {
    seconds: (audited - started) / 1000,
    files: view.dockerfiles.length,
    findings: result.summary.findings,
    suppressed: result.summary.suppressed,
    filesWithErrors: result.summary.filesWithErrors,
    errors,
    phases: { scan: (scanned - started) / 1000, view: (viewed - scanned) / 1000, audit: (audited - viewed) / 1000 },
  };
}

// ------------------------------------------------------------------------------------------
// Per-rule timing

interface RuleTiming {
  id: string;
  scope: string;
  /** Time inside the rule's check() calls only. */
  checkSeconds: number;
  /** The whole auditRepository call with this rule alone (includes parsing every Dockerfile). */
  callSeconds: number;
  calls: number;
  findings: number;
}

/** The rule with its check() wrapped in a timer that adds to `timing`. */
function timedRule(rule: Rule, timing: RuleTiming): Rule {
  const check = rule.check as (context: unknown) => RuleReport[];
  return {
    ...rule,
    check(context: unknown): RuleReport[] {
      const started = performance.now();
      try {
        const reports = check.call(rule, context);
        timing.findings += reports.length;
        return reports;
      } finally {
        timing.checkSeconds += (performance.now() - started) / 1000;
        timing.calls++;
      }
    },
  } as Rule;
}

/**
 * "separate": each rule alone, `auditRepository(view, { rules: [rule] })`, so no rule is charged
 * for another's work (every call parses all Dockerfiles again; callSeconds includes that).
 * "together": one audit with every rule wrapped; check() times are the same to within noise.
 * `findings` counts reports before suppressions and config.
 */
function timeRules(view: RepositoryView, mode: "separate" | "together"): RuleTiming[] {
  const timings = allRules.map((rule): RuleTiming => ({ id: rule.meta.id, scope: rule.meta.scope, checkSeconds: 0, callSeconds: 0, calls: 0, findings: 0 }));
  const wrapped = allRules.map((rule, index) => timedRule(rule, timings[index] as RuleTiming));
  if (mode === "together") {
    auditRepository(view, { rules: wrapped });
    return timings;
  }
  wrapped.forEach((rule, index) => {
    const started = performance.now();
    auditRepository(view, { rules: [rule] });
    (timings[index] as RuleTiming).callSeconds = (performance.now() - started) / 1000;
  });
  return timings;
}

// ------------------------------------------------------------------------------------------
// Statistics and output

interface Summary {
  runs: number;
  median: number;
  min: number;
  max: number;
}

function summarize(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { runs: sorted.length, median, min: sorted[0] ?? 0, max: sorted.at(-1) ?? 0 };
}

function median(values: number[]): number {
  return summarize(values).median;
}

const integer = (value: number): string => Math.round(value).toLocaleString("en-US");
const fixed = (value: number, digits: number): string => value.toFixed(digits);
const percent = (part: number, whole: number): string => (whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : "-");

function table(header: string[], rows: string[][], alignLeft: number[] = [0]): string[] {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => (alignLeft.includes(column) ? cell.padEnd(widths[column] as number) : cell.padStart(widths[column] as number)))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)];
}

let peakRss = 0;
function sampleRss(): void {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}

function progress(message: string, json: boolean): void {
  if (process.stderr.isTTY && !json) process.stderr.write(`\r\x1b[K${message}`);
}

function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

// ------------------------------------------------------------------------------------------

function ensureCorpus(options: Options): { generated: boolean; seconds: number } {
  const marker = readCorpusMarker(options.dir);
  const upToDate = marker !== undefined && marker.count === options.count && marker.seed === options.seed && marker.generatorVersion === CORPUS_GENERATOR_VERSION;
  if (upToDate && !options.regenerate) return { generated: false, seconds: 0 };
  if (!options.json) console.error(`generating ${options.count} Dockerfiles into ${path.relative(process.cwd(), options.dir) || "."} (seed ${options.seed}) ...`);
  const started = performance.now();
  generateCorpus(options.dir, { count: options.count, seed: options.seed });
  return { generated: true, seconds: (performance.now() - started) / 1000 };
}

function countFiles(root: string): number {
  let files = 0;
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(path.join(dir, entry.name));
      else files++;
    }
  };
  walk(root);
  return files;
}

function main(): void {
  const options = parseOptions(process.argv.slice(2));
  const corpus = ensureCorpus(options);
  const root = options.dir;
  const totalFiles = countFiles(root);
  sampleRss();

  // Warm-up: JIT, module-level caches and the page cache, for both sides.
  progress("warm-up ...", options.json);
  const warmStarted = performance.now();
  const warmBaseline = runBaseline(root);
  const warmShipshape = runShipshape(root);
  const warmSeconds = (performance.now() - warmStarted) / 1000;
  sampleRss();

  const baselineRuns: BaselineRun[] = [];
  const shipshapeRuns: ShipshapeRun[] = [];
  for (let run = 0; run < options.runs; run++) {
    // Alternate which side goes first, so drift (thermal, GC debt) hits both alike.
    const order = run % 2 === 0 ? (["baseline", "shipshape"] as const) : (["shipshape", "baseline"] as const);
    for (const side of order) {
      progress(`run ${run + 1}/${options.runs}: ${side} ...`, options.json);
      collectGarbage();
      if (side === "baseline") baselineRuns.push(runBaseline(root));
      else shipshapeRuns.push(runShipshape(root));
      sampleRss();
    }
  }

  // Parse-only: the audit with no rules still parses every Dockerfile (dockerfile-ast + shell).
  progress("parse-only and per-rule timing ...", options.json);
  const view = buildRepositoryView(scanDirectory(root));
  const parseOnly: number[] = [];
  for (let repetition = 0; repetition < PARSE_ONLY_REPETITIONS; repetition++) {
    collectGarbage();
    const started = performance.now();
    auditRepository(view, { rules: [] });
    parseOnly.push((performance.now() - started) / 1000);
    sampleRss();
  }
  const ruleTimingStarted = performance.now();
  const ruleTimings = options.ruleTiming === "off" ? [] : timeRules(view, options.ruleTiming).sort((a, b) => b.checkSeconds - a.checkSeconds);
  const ruleTimingSeconds = (performance.now() - ruleTimingStarted) / 1000;
  sampleRss();
  progress("", options.json);

  const baseline = summarize(baselineRuns.map((run) => run.seconds));
  const shipshape = summarize(shipshapeRuns.map((run) => run.seconds));
  const files = shipshapeRuns[0]?.files ?? 0;
  const baselineFiles = baselineRuns[0]?.files ?? 0;
  const filesPerSecond = { baseline: baselineFiles / baseline.median, shipshape: files / shipshape.median };
  const ratio = shipshape.median / baseline.median;
  const phases = {
    scan: median(shipshapeRuns.map((run) => run.phases.scan)),
    view: median(shipshapeRuns.map((run) => run.phases.view)),
    audit: median(shipshapeRuns.map((run) => run.phases.audit)),
  };
  const parse = median(parseOnly);
  const rulesSeconds = Math.max(0, phases.audit - parse);
  const ruleCheckTotal = ruleTimings.reduce((sum, timing) => sum + timing.checkSeconds, 0);
  const last = shipshapeRuns.at(-1) as ShipshapeRun;
  const maxRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024);
  const pass = filesPerSecond.shipshape >= GOAL_FILES_PER_SECOND;
  const cpus = os.cpus();
  const corpusCount = readCorpusMarker(root)?.count;

  if (options.json) {
    console.log(
      JSON.stringify(
        {
          corpus: { dir: root, dockerfiles: files, generatedDockerfiles: corpusCount, files: totalFiles, seed: options.seed, generated: corpus.generated, generateSeconds: corpus.seconds },
          machine: { node: process.version, platform: `${process.platform} ${process.arch}`, cpus: cpus.length, cpuModel: cpus[0]?.model ?? "unknown", availableParallelism: os.availableParallelism() },
          warmup: { seconds: warmSeconds, baselineSeconds: warmBaseline.seconds, shipshapeSeconds: warmShipshape.seconds },
          baseline: { ...baseline, files: baselineFiles, filesPerSecond: filesPerSecond.baseline, instructions: baselineRuns[0]?.instructions ?? 0, samples: baselineRuns.map((run) => run.seconds) },
          shipshape: { ...shipshape, files, filesPerSecond: filesPerSecond.shipshape, samples: shipshapeRuns.map((run) => run.seconds) },
          ratio,
          findings: last.findings,
          suppressed: last.suppressed,
          filesWithErrors: last.filesWithErrors,
          errors: last.errors.slice(0, 20),
          peakRssBytes: maxRss,
          phases: { ...phases, parse, rules: rulesSeconds, parseSamples: parseOnly },
          ruleTiming: { mode: options.ruleTiming, seconds: ruleTimingSeconds, rules: ruleTimings },
          goal: { filesPerSecond: GOAL_FILES_PER_SECOND, pass },
        },
        null,
        2,
      ),
    );
    return;
  }

  const out: string[] = [];
  out.push("shipshape audit benchmark");
  out.push(`corpus   ${path.relative(process.cwd(), root) || "."}: ${integer(files)} Dockerfiles among ${integer(totalFiles)} files (seed ${options.seed}${corpus.generated ? `, generated in ${fixed(corpus.seconds, 1)} s` : ", reused"})`);
  out.push(`machine  node ${process.version}, ${process.platform} ${process.arch}, ${cpus.length} CPUs (${cpus[0]?.model.trim() ?? "unknown"})`);
  out.push(`method   1 warm-up of each (${fixed(warmSeconds, 2)} s), then ${options.runs} runs of each in one process, order alternated; times are wall clock`);
  out.push("");
  out.push(
    ...table(
      ["", "runs", "files", "median s", "min s", "max s", "files/s"],
      [
        ["baseline: walk + read + dockerfile-ast parse", String(baseline.runs), String(baselineFiles), fixed(baseline.median, 3), fixed(baseline.min, 3), fixed(baseline.max, 3), integer(filesPerSecond.baseline)],
        ["shipshape: scan + view + audit (all rules)", String(shipshape.runs), String(files), fixed(shipshape.median, 3), fixed(shipshape.min, 3), fixed(shipshape.max, 3), integer(filesPerSecond.shipshape)],
      ],
    ),
  );
  out.push(`ratio shipshape / baseline (median time): ${fixed(ratio, 2)}x`);
  out.push("");
  out.push(`findings       ${integer(last.findings)} (${integer(last.suppressed)} suppressed), ${allRules.length} rules, ${last.filesWithErrors} files with errors`);
  for (const error of last.errors.slice(0, 3)) out.push(`  error: ${error}`);
  if (last.errors.length > 3) out.push(`  ... ${last.errors.length - 3} more`);
  if (baselineFiles !== files) out.push(`warning        baseline found ${baselineFiles} Dockerfiles, shipshape ${files}`);
  if (corpusCount !== undefined && corpusCount !== files) out.push(`note           the corpus has ${integer(corpusCount)} Dockerfiles; ${integer(files - corpusCount)} more files have names isDockerfileName() accepts (e.g. Dockerfile.prod.dockerignore)`);
  out.push(`peak RSS       ${integer(maxRss / 1_048_576)} MiB`);
  out.push("");
  out.push(`phases (median of ${shipshapeRuns.length} shipshape runs; parse measured alone, median of ${PARSE_ONLY_REPETITIONS})`);
  out.push(
    ...table(
      ["phase", "ms", "share", "µs/Dockerfile"],
      [
        ["scan: walk, stat, read (scanDirectory)", fixed(phases.scan * 1000, 1), percent(phases.scan, shipshape.median), fixed((phases.scan * 1e6) / files, 1)],
        ["view: contexts, compose, .dockerignore", fixed(phases.view * 1000, 1), percent(phases.view, shipshape.median), fixed((phases.view * 1e6) / files, 1)],
        ["audit: parse + rules (auditRepository)", fixed(phases.audit * 1000, 1), percent(phases.audit, shipshape.median), fixed((phases.audit * 1e6) / files, 1)],
        ["  parse: dockerfile-ast + sh (rules: [])", fixed(parse * 1000, 1), percent(parse, shipshape.median), fixed((parse * 1e6) / files, 1)],
        [`  rules: ${allRules.length} rules (audit - parse)`, fixed(rulesSeconds * 1000, 1), percent(rulesSeconds, shipshape.median), fixed((rulesSeconds * 1e6) / files, 1)],
      ],
    ),
  );
  if (options.ruleTiming !== "off") {
    out.push("");
    const how = options.ruleTiming === "separate" ? "each rule alone: auditRepository(view, { rules: [rule] })" : "all rules in one audit, each timed";
    out.push(`slowest ${TOP_RULES} of ${ruleTimings.length} rules over all ${integer(files)} Dockerfiles (${how}; time inside check() only)`);
    out.push(
      ...table(
        ["rule", "scope", "ms", "µs/Dockerfile", "share", "reports"],
        ruleTimings.slice(0, TOP_RULES).map((timing) => [timing.id, timing.scope, fixed(timing.checkSeconds * 1000, 1), fixed((timing.checkSeconds * 1e6) / files, 1), percent(timing.checkSeconds, ruleCheckTotal), integer(timing.findings)]),
        [0, 1],
      ),
    );
    out.push(`all ${ruleTimings.length} rules: ${fixed(ruleCheckTotal * 1000, 1)} ms in check(); per-rule timing took ${fixed(ruleTimingSeconds, 1)} s`);
  }
  out.push("");
  out.push(`shipshape ${integer(filesPerSecond.shipshape)} files/s (median of ${shipshape.runs} runs)`);
  out.push(`goal: >= ${GOAL_FILES_PER_SECOND} files/s — ${pass ? "PASS" : "FAIL"}`);
  console.log(out.join("\n"));
}

main();
