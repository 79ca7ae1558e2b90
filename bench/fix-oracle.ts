// The fix oracle: `shipshape fix --write` must never break a Dockerfile. Over real public
// Dockerfiles (a pinned list read from a local mirror, bench/real-dockerfiles.txt), each file is
// put in a folder of its own and fixed three times; the oracle checks that
//   - the fix pipeline accepted the file (no fixes left colliding, no structural rejection),
//   - the fixed file has the same instructions in the same order (unless a fix means to change
//     them) and every RUN body that parsed as shell still parses (src/fix/structure.ts),
//   - a second and a third pass change nothing,
//   - the real CLI (`fix --write` as a process, on a sample) writes the same bytes,
//   - with --build-sample N: the original and the fixed file of N files whose base images map to
//     the lab's forged images are built; "the original builds but the fixed one does not" fails.
// See bench/README.md. Exits 0 when there is no failure, 1 when there is, 2 when it cannot run.
//
//   npm run oracle:fix -- [--mirror DIR] [--list FILE] [--count N] [--cli-sample N] [--build-sample N] [--json FILE]
//   npm run oracle:fix -- --make-list N     (writes the pinned list from the mirror)
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { withForgedBases } from "./oracle-build-filter.ts";
import { CORPUS_COMMIT, CORPUS_REPOSITORY, DEFAULT_LIST, corpusPathsByHash, mirrorGitDir, readFiles, readList } from "./real-corpus.ts";
import type { ListEntry } from "./real-corpus.ts";
import { ApiEngine } from "../src/engine/api-engine.ts";
import { runFixes } from "../src/fix/run-fixes.ts";
import type { FixResult } from "../src/fix/run-fixes.ts";
import { structuralProblems } from "../src/fix/structure.ts";
import { scanDirectory } from "../src/repo/scan.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const REPOSITORY = CORPUS_REPOSITORY;
const COMMIT = CORPUS_COMMIT;
const PASSES = 3;
/** Image tags the build sample creates start with it (parallel runs of other branches use their own). */
const TAG_PREFIX = "fixsafe-oracle";

const USAGE = `usage: node bench/fix-oracle.ts [--mirror DIR] [--list FILE] [--count N] [--cli-sample N] [--build-sample N] [--json FILE]
       node bench/fix-oracle.ts --make-list N [--mirror DIR] [--list FILE]
  --mirror DIR      folder holding the mirrored repositories (default /work/.mirror); the corpus is
                    DIR/${REPOSITORY.replace("/", "+")}/repo, a git directory
  --list FILE       pinned list, lines "repository commit path" (default bench/real-dockerfiles.txt)
  --count N         only the first N files of the list
  --cli-sample N    files also fixed through the CLI as a process (default 25)
  --build-sample N  build the original and the fixed file of changed files whose bases map to the
                    lab's forged images, until N originals built (default 0: no engine needed)
  --json FILE       results as JSON (default bench/.fix-oracle.json)
  --make-list N     choose N corpus paths (by a hash of the path) and write the list`;

type FailureKind = "crash" | "not-settled" | "structure" | "second-pass-changes" | "third-pass-changes" | "cli-differs" | "fixed-does-not-build";

interface FileOutcome {
  path: string;
  fixed: boolean;
  rules: string[];
  failures: { kind: FailureKind; detail: string }[];
}

/** `--make-list N`: N Dockerfiles of the corpus, the ones with the smallest sha256 of their path. */
function makeList(gitDir: string, count: number, listFile: string): void {
  const paths = corpusPathsByHash(gitDir);
  const chosen = paths.slice(0, count).map((file) => ({ file }));
  const header = [
    `# ${chosen.length} of the ${paths.length} Dockerfiles of github.com/${REPOSITORY} at ${COMMIT},`,
    "# the ones with the smallest sha256 of their path (bench/fix-oracle.ts --make-list). Only the",
    "# paths are committed; the oracle reads the files from a local mirror (--mirror).",
  ];
  fs.writeFileSync(listFile, `${[...header, ...chosen.map(({ file }) => `${REPOSITORY} ${COMMIT} ${file}`)].join("\n")}\n`);
  console.log(`wrote ${chosen.length} entries to ${path.relative(ROOT, listFile)}`);
}

/** One `fix --write` through the library, as the CLI does it: returns the result and writes the changes that are not rejected. */
function fixOnce(dir: string): FixResult {
  const result = runFixes(scanDirectory(dir));
  for (const change of result.changes) fs.writeFileSync(path.join(dir, change.path), change.after);
  return result;
}

function checkFile(dir: string, original: string): { outcome: Omit<FileOutcome, "path">; final: string } {
  const failures: FileOutcome["failures"] = [];
  const rules = new Set<string>();
  const dockerfile = path.join(dir, "Dockerfile");
  let final = original;
  try {
    for (let pass = 1; pass <= PASSES; pass++) {
      const before = fs.readFileSync(dockerfile, "utf8");
      const result = fixOnce(dir);
      for (const fix of result.applied) rules.add(fix.rule);
      for (const rejected of result.rejected) failures.push({ kind: rejected.reason.includes("did not settle") ? "not-settled" : "structure", detail: `pass ${pass}: ${rejected.reason}` });
      const after = fs.readFileSync(dockerfile, "utf8");
      if (pass > 1 && after !== before) {
        failures.push({ kind: pass === 2 ? "second-pass-changes" : "third-pass-changes", detail: `pass ${pass} applied ${result.applied.map((fix) => `${fix.rule}@${fix.line}`).join(", ")}` });
      }
    }
    final = fs.readFileSync(dockerfile, "utf8");
    // The pipeline checks this itself; checked again here on what was written, over all passes.
    const problems = structuralProblems(original, final, { rules });
    if (problems.length > 0 && !failures.some((failure) => failure.kind === "structure")) failures.push({ kind: "structure", detail: problems.join("; ") });
  } catch (error) {
    failures.push({ kind: "crash", detail: (error as Error).stack ?? String(error) });
  }
  return { outcome: { fixed: final !== original, rules: [...rules].sort(), failures }, final };
}

/** `shipshape fix --write DIR` as a process, PASSES times; the final text. */
function fixWithCli(dir: string): { text: string; statuses: number[] } {
  const statuses: number[] = [];
  for (let pass = 1; pass <= PASSES; pass++) {
    const result = spawnSync("sh", [path.join(ROOT, "scripts/with-node.sh"), path.join(ROOT, "src/cli/main.ts"), "fix", "--write", dir], { cwd: ROOT, encoding: "utf8" });
    statuses.push(result.status ?? -1);
  }
  return { text: fs.readFileSync(path.join(dir, "Dockerfile"), "utf8"), statuses };
}

interface BuildSample {
  /** Changed files, and why those not tried could not be built here. */
  candidates: number;
  skipped: Record<string, number>;
  tried: number;
  originalBuilds: number;
  fixedBuilds: number;
  broken: number;
  files: { path: string; original: boolean; fixed: boolean | undefined; seconds: number }[];
}

async function buildSample(engine: ApiEngine, candidates: { path: string; original: string; fixed: string }[], limit: number, outcomes: Map<string, FileOutcome>): Promise<BuildSample> {
  const files: BuildSample["files"] = [];
  const skipped: Record<string, number> = {};
  // The prefilter: files that can build here at all, smallest first (a short file builds fast;
  // the sample is biased towards small files, which the report says).
  const buildable: { path: string; original: string; fixed: string }[] = [];
  for (const candidate of candidates) {
    const original = withForgedBases(candidate.original);
    const fixed = withForgedBases(candidate.fixed);
    const skip = "skip" in original ? original.skip : "skip" in fixed ? `the fixed file: ${fixed.skip}` : undefined;
    if (skip !== undefined) skipped[skip] = (skipped[skip] ?? 0) + 1;
    else buildable.push({ path: candidate.path, original: (original as { text: string }).text, fixed: (fixed as { text: string }).text });
  }
  buildable.sort((a, b) => a.original.length - b.original.length);
  process.stderr.write(`build sample: ${buildable.length} of ${candidates.length} changed files can be built here\n`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fix-oracle-build-"));
  try {
    // `limit` files whose original builds; real files still fail on a mapped base (Ubuntu package
    // names on Debian, a missing file), so up to four times as many are tried.
    for (const { path: candidatePath, original, fixed } of buildable) {
      const candidate = { path: candidatePath };
      if (files.filter((file) => file.original).length >= limit || files.length >= limit * 4) break;
      const tag = `${TAG_PREFIX}-${crypto.createHash("sha256").update(candidate.path).digest("hex").slice(0, 12)}`;
      const build = async (text: string, side: string): Promise<boolean> => {
        const result = await engine.build({ contextDir: dir, dockerfileText: text, networkMode: "host", tags: [`${tag}:${side}`], signal: AbortSignal.timeout(300_000) }).catch(() => ({ ok: false }));
        if (result.ok) await engine.removeImage(`${tag}:${side}`).catch(() => undefined);
        return result.ok;
      };
      process.stderr.write(`build ${files.length + 1} (${files.filter((file) => file.original).length}/${limit} originals built): ${candidate.path}\n`);
      const started = performance.now();
      const originalOk = await build(original, "original");
      const fixedOk = originalOk ? await build(fixed, "fixed") : undefined;
      files.push({ path: candidate.path, original: originalOk, fixed: fixedOk, seconds: Math.round((performance.now() - started) / 100) / 10 });
      process.stderr.write(`  original ${originalOk ? "builds" : "does not build"}${fixedOk === undefined ? "" : fixedOk ? ", fixed builds" : ", FIXED DOES NOT BUILD"}\n`);
      if (originalOk && fixedOk === false) outcomes.get(candidate.path)?.failures.push({ kind: "fixed-does-not-build", detail: "the original builds (bases mapped to forged images), the fixed file does not" });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return {
    candidates: candidates.length,
    skipped,
    tried: files.length,
    originalBuilds: files.filter((file) => file.original).length,
    fixedBuilds: files.filter((file) => file.fixed === true).length,
    broken: files.filter((file) => file.original && file.fixed === false).length,
    files,
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      mirror: { type: "string", default: "/work/.mirror" },
      list: { type: "string", default: DEFAULT_LIST },
      count: { type: "string" },
      "cli-sample": { type: "string", default: "25" },
      "build-sample": { type: "string", default: "0" },
      json: { type: "string", default: path.join(ROOT, "bench/.fix-oracle.json") },
      "make-list": { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const gitDir = mirrorGitDir(path.resolve(values.mirror));
  if (!fs.existsSync(gitDir)) {
    console.error(`fix-oracle: the corpus mirror is missing: ${gitDir} (github.com/${REPOSITORY} at ${COMMIT}, a git directory).`);
    console.error(`Every file of ${path.relative(ROOT, values.list)} is read from it; pass --mirror DIR with DIR/${REPOSITORY.replace("/", "+")}/repo in it.`);
    return 2;
  }
  if (values["make-list"] !== undefined) {
    makeList(gitDir, Number(values["make-list"]), path.resolve(values.list));
    return 0;
  }
  let entries = readList(path.resolve(values.list));
  if (values.count !== undefined) entries = entries.slice(0, Number(values.count));
  const texts = readFiles(gitDir, entries);
  const missing = entries.filter((_, index) => texts[index] === undefined);
  if (missing.length === entries.length) {
    console.error(`fix-oracle: none of the ${entries.length} listed files is in ${gitDir}; missing, e.g.: ${missing.slice(0, 3).map((entry) => `${entry.commit}:${entry.path}`).join(", ")}`);
    return 2;
  }

  const work = fs.mkdtempSync(path.join(os.tmpdir(), "fix-oracle-"));
  const outcomes = new Map<string, FileOutcome>();
  const finals: { path: string; original: string; fixed: string }[] = [];
  const cliSample = Number(values["cli-sample"]);
  let cliChecked = 0;
  const started = performance.now();
  try {
    for (let index = 0; index < entries.length; index++) {
      const entry = entries[index] as ListEntry;
      const original = texts[index];
      if (original === undefined) continue;
      const dir = path.join(work, String(index));
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, "Dockerfile"), original);
      const { outcome, final } = checkFile(dir, original);
      const fileOutcome: FileOutcome = { path: entry.path, ...outcome };
      outcomes.set(entry.path, fileOutcome);
      if (final !== original) finals.push({ path: entry.path, original, fixed: final });
      // The CLI sample: the first changed files, fixed again from the original by the CLI process.
      if (final !== original && cliChecked < cliSample) {
        cliChecked++;
        const cliDir = path.join(work, `${index}-cli`);
        fs.mkdirSync(cliDir);
        fs.writeFileSync(path.join(cliDir, "Dockerfile"), original);
        const cli = fixWithCli(cliDir);
        const expectedStatus = outcome.failures.some((failure) => failure.kind === "structure" || failure.kind === "not-settled") ? 1 : 0;
        if (cli.text !== final) fileOutcome.failures.push({ kind: "cli-differs", detail: "the CLI wrote other bytes than the library" });
        if (cli.statuses.some((status) => status !== expectedStatus)) fileOutcome.failures.push({ kind: "cli-differs", detail: `CLI exit statuses ${cli.statuses.join(", ")}, expected ${expectedStatus}` });
      }
      if ((index + 1) % 250 === 0) process.stderr.write(`${index + 1}/${entries.length} files\n`);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  const seconds = (performance.now() - started) / 1000;

  let builds: Awaited<ReturnType<typeof buildSample>> | undefined;
  const buildLimit = Number(values["build-sample"]);
  if (buildLimit > 0) {
    const engine = new ApiEngine();
    await engine.ping();
    builds = await buildSample(engine, finals, buildLimit, outcomes);
  }

  const all = [...outcomes.values()];
  const failing = all.filter((outcome) => outcome.failures.length > 0);
  const byKind = new Map<string, number>();
  for (const outcome of failing) for (const kind of new Set(outcome.failures.map((failure) => failure.kind))) byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
  const rows: [string, string][] = [
    ["files listed", String(entries.length)],
    ["files read", String(all.length)],
    ["missing or not UTF-8", String(missing.length)],
    ["fixed (changed)", String(all.filter((outcome) => outcome.fixed).length)],
    [`checked through the CLI (${PASSES} runs each)`, String(cliChecked)],
    ...(builds
      ? ([
          ["build sample: changed files buildable here", `${builds.candidates - Object.values(builds.skipped).reduce((sum, count) => sum + count, 0)}`],
          ["built (original builds / fixed builds / broken)", `${builds.tried} (${builds.originalBuilds} / ${builds.fixedBuilds} / ${builds.broken})`],
        ] as [string, string][])
      : []),
    ["files with failures", String(failing.length)],
    ...[...byKind].sort((a, b) => b[1] - a[1]).map(([kind, count]): [string, string] => [`  ${kind}`, String(count)]),
    ["seconds", seconds.toFixed(1)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value.padStart(7)}`);
  if (builds) {
    for (const [reason, count] of Object.entries(builds.skipped).sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`not buildable here: ${count} ${reason}`);
    for (const file of builds.files) console.log(`built ${file.path}: original ${file.original ? "ok" : "fails"}${file.fixed === undefined ? "" : `, fixed ${file.fixed ? "ok" : "FAILS"}`} (${file.seconds} s)`);
  }
  for (const outcome of failing.slice(0, 20)) console.log(`FAIL ${outcome.path}: ${outcome.failures.map((failure) => `${failure.kind}: ${failure.detail.split("\n")[0]}`).join(" | ")}`);
  if (missing.length > 0) console.log(`missing: ${missing.slice(0, 5).map((entry) => entry.path).join(", ")}${missing.length > 5 ? ", ..." : ""}`);
  const report = { repository: REPOSITORY, commit: COMMIT, listed: entries.length, read: all.length, missing: missing.map((entry) => entry.path), fixed: all.filter((outcome) => outcome.fixed).length, cliChecked, failuresByKind: Object.fromEntries(byKind), builds, failing };
  fs.writeFileSync(path.resolve(values.json), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`results: ${path.relative(process.cwd(), path.resolve(values.json))}`);
  return failing.length > 0 ? 1 : 0;
}

process.exitCode = await main();
