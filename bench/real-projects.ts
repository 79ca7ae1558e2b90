// Rewrites on real projects nobody here wrote (issue 13). For each public project of a pinned
// list (bench/real-projects.txt: repository, commit, folder, Dockerfile, probe), read from a local
// mirror given on the command line, it runs what a new user would run:
//   shipshape fix FOLDER --level rewrite --verify --http PORT/PATH --write     (the CLI, as a process)
// and records what happened: applied and verified / needs review (why) / refused by verify (why) /
// already lean / not rewritten; the image size before and after (from verify's two builds), and for
// a written rewrite the code-change rebuild of both Dockerfiles (`shipshape bench --compare`, the
// two sides alternated by the bench command, medians). Lean controls must come out unchanged.
// No third-party file is committed: projects are extracted into a temporary folder.
//
//   npm run bench:real-projects -- --mirror /work/.mirror [--list FILE] [--runs N] [--only a,b] [--json FILE] [--no-rebuild]
//
// Goals (printed at the end): >= 70% of the fat projects applied and verified, median size
// reduction >= 60% on those, no written rewrite that fails to start or answers differently (verify
// refuses those, so a written rewrite is a verified one), every lean control unchanged.
// Exits 0 when it ran (goals met or not), 2 when it cannot run (no mirror, no project present).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { alignColumns, formatBytes, formatDuration, formatPercent } from "../src/format/index.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const DEFAULT_LIST = path.join(ROOT, "bench/real-projects.txt");
const CLI = path.join(ROOT, "src/cli/main.ts");
const COMMAND_TIMEOUT_MS = 30 * 60_000;

const USAGE = `usage: node bench/real-projects.ts --mirror DIR [--list FILE] [--runs N] [--only NAME,...] [--json FILE] [--no-rebuild]
  --mirror DIR   folder with the mirrored repositories: DIR/<owner>+<name>/repo, a git directory
  --list FILE    pinned list (default bench/real-projects.txt)
  --runs N       timed code-change rebuilds of each side (default 3; 1 when time is short)
  --only NAMES   only these projects (comma-separated)
  --json FILE    write the results as JSON too
  --no-rebuild   skip the code-change rebuild measurement`;

export interface ProjectPin {
  name: string;
  shape: "fat" | "lean";
  repository: string;
  commit: string;
  folder: string;
  dockerfile: string;
  probe: { kind: "http"; port: number; path: string } | { kind: "smoke" } | { kind: "none" };
  base?: string;
}

export type Outcome = "applied-verified" | "needs-review" | "refused" | "already-lean" | "not-rewritten" | "unchanged" | "error";

export interface ProjectResult {
  pin: ProjectPin;
  outcome: Outcome;
  /** Why: review reasons, verify's reason, the lean verdict. */
  why: string[];
  sizeBefore?: string;
  sizeAfter?: string;
  /** Exact sizes from the rebuild bench, when it ran. */
  bytesBefore?: number;
  bytesAfter?: number;
  rebuildBeforeMs?: number;
  rebuildAfterMs?: number;
  fixSeconds: number;
  /** The Dockerfile after the run, when it changed. */
  changed: boolean;
}

/** Parses the pinned list; lines starting with # and blank lines are skipped. */
export function parsePins(text: string): ProjectPin[] {
  const pins: ProjectPin[] = [];
  for (const [index, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const [name, shape, repository, commit, folder, dockerfile, probeText, ...rest] = line.split(/\s+/);
    if (name === undefined || (shape !== "fat" && shape !== "lean") || repository === undefined || !/^[\w.-]+\/[\w.-]+$/.test(repository) || commit === undefined || !/^[0-9a-f]{40}$/.test(commit) || folder === undefined || dockerfile === undefined || probeText === undefined) {
      throw new Error(`line ${index + 1}: expected "name fat|lean owner/repo COMMIT folder dockerfile probe [base=IMAGE]": ${line}`);
    }
    const http = /^http:(\d+)(\/.*)$/.exec(probeText);
    const probe: ProjectPin["probe"] = http ? { kind: "http", port: Number(http[1]), path: http[2] ?? "/" } : probeText === "smoke" ? { kind: "smoke" } : { kind: "none" };
    const base = rest.find((word) => word.startsWith("base="))?.slice(5);
    pins.push({ name, shape, repository, commit, folder, dockerfile, probe, ...(base === undefined ? {} : { base }) });
  }
  return pins;
}

/** The git directory of a mirrored repository, or undefined when it is missing or lacks the commit. */
function mirrorGitDir(mirror: string, pin: ProjectPin): string | undefined {
  const base = path.join(mirror, pin.repository.replace("/", "+"), "repo");
  for (const candidate of [path.join(base, ".git"), base]) {
    if (!fs.existsSync(path.join(candidate, "HEAD"))) continue;
    const has = spawnSync("git", ["--git-dir", candidate, "cat-file", "-e", `${pin.commit}^{commit}`]);
    return has.status === 0 ? candidate : undefined;
  }
  return undefined;
}

/** The FROM image of every stage replaced by `base` (single-stage projects only carry a base= pin). */
export function replaceBase(text: string, base: string): string {
  return text
    .split("\n")
    .map((line) => line.replace(/^(\s*FROM\s+(?:--platform=\S+\s+)?)\S+/i, (_match, head: string) => `${head}${base}`))
    .join("\n");
}

function runCli(args: string[]): { status: number; stdout: string; stderr: string; ms: number } {
  const started = performance.now();
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: COMMAND_TIMEOUT_MS, env: { ...process.env, SHIPSHAPE_NETWORK: process.env.SHIPSHAPE_NETWORK ?? "host" }, maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status ?? -1, stdout: result.stdout ?? "", stderr: result.stderr ?? "", ms: performance.now() - started };
}

/** What `fix --level rewrite --verify` said about the Dockerfile: the outcome and why. */
export function readFixReport(stderr: string, changed: boolean): { outcome: Outcome; why: string[]; sizeBefore?: string; sizeAfter?: string } {
  const lines = stderr.split("\n");
  const why: string[] = [];
  const verifyLine = lines.find((line) => line.startsWith("verify: "));
  const sizes = verifyLine === undefined ? undefined : /before ([\d.]+ \w+) .*after ([\d.]+ \w+)/.exec(verifyLine);
  const measured = sizes ? { sizeBefore: sizes[1] as string, sizeAfter: sizes[2] as string } : {};
  const lean = lines.find((line) => line.includes(": not rewritten, already lean"));
  if (lean) return { outcome: "already-lean", why: [lean.slice(lean.indexOf("already lean"))] };
  if (lines.some((line) => line.includes("NEEDS REVIEW"))) {
    for (const line of lines) if (line.startsWith("  review: ")) why.push(line.slice(10));
    return { outcome: "needs-review", why, ...measured };
  }
  if (lines.some((line) => line.includes("did not pass verification"))) {
    const reason = lines.findIndex((line) => line.startsWith("  why: "));
    if (reason >= 0) why.push((lines[reason] ?? "").slice(7), ...lines.slice(reason + 1).filter((line, index, rest) => line.startsWith("  | ") && rest.slice(0, index).every((previous) => previous.startsWith("  | "))).slice(-3).map((line) => line.slice(4)));
    return { outcome: "refused", why, ...measured };
  }
  if (lines.some((line) => / \(\w[\w-]*\): rewritten/.test(line))) return { outcome: "applied-verified", why: lines.filter((line) => line.startsWith("  expected: ")).map((line) => line.slice(12)), ...measured };
  if (lines.some((line) => line.includes(": not rewritten ("))) return { outcome: "not-rewritten", why: ["already multi-stage, or not a build the planner understands"] };
  return { outcome: changed ? "error" : "unchanged", why: lines.filter((line) => line.trim() !== "").slice(-3), ...measured };
}

function codeRebuild(contextDir: string, dockerfile: string, afterFile: string, runs: number): { beforeMs?: number; afterMs?: number; bytesBefore?: number; bytesAfter?: number; error?: string } {
  // bench --compare FILE: "before" is the Dockerfile on disk (the original), "after" the rewrite.
  const result = runCli(["bench", contextDir, "--compare", afterFile, "--scenarios", "code", "--runs", String(runs), "--format", "json", "--no-history"]);
  try {
    const parsed = JSON.parse(result.stdout) as { targets: { dockerfile: string; before: Side; after?: Side }[] };
    interface Side { sizeBytes?: number; scenarios: { scenario: string; medianMs?: number; status: string; reason?: string }[] }
    const target = parsed.targets.find((entry) => path.resolve(contextDir, entry.dockerfile) === path.resolve(contextDir, dockerfile)) ?? parsed.targets[0];
    if (target === undefined) return { error: "bench found no build target" };
    const code = (side: Side | undefined): number | undefined => side?.scenarios.find((scenario) => scenario.scenario === "code")?.medianMs;
    return { ...opt("beforeMs", code(target.before)), ...opt("afterMs", code(target.after)), ...opt("bytesBefore", target.before.sizeBytes), ...opt("bytesAfter", target.after?.sizeBytes) };
  } catch {
    return { error: result.stderr.trim().split("\n").slice(-3).join(" ") };
  }
}

function opt<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

function runProject(pin: ProjectPin, gitDir: string, workRoot: string, options: { runs: number; rebuild: boolean }): ProjectResult {
  const projectDir = path.join(workRoot, pin.name);
  fs.mkdirSync(projectDir, { recursive: true });
  const archive = spawnSync("sh", ["-c", `git --git-dir "$1" archive "$2" "$3" | tar -x -C "$4"`, "sh", gitDir, pin.commit, pin.folder === "." ? "." : pin.folder, projectDir]);
  if (archive.status !== 0) return { pin, outcome: "error", why: [`git archive: ${archive.stderr.toString().trim()}`], fixSeconds: 0, changed: false };
  const contextDir = path.join(projectDir, pin.folder);
  const dockerfilePath = path.join(contextDir, pin.dockerfile);
  let original = fs.readFileSync(dockerfilePath, "utf8");
  if (pin.base !== undefined) {
    original = replaceBase(original, pin.base);
    fs.writeFileSync(dockerfilePath, original);
  }
  const probe = pin.probe.kind === "http" ? ["--http", `${pin.probe.port}${pin.probe.path}`] : pin.probe.kind === "smoke" ? ["--smoke", ""] : [];
  const fix = runCli(["fix", contextDir, "--level", "rewrite", "--verify", ...probe, "--write"]);
  const after = fs.readFileSync(dockerfilePath, "utf8");
  const changed = after !== original;
  // With --write the report goes to stdout, progress to stderr.
  fs.writeFileSync(path.join(workRoot, `${pin.name}.fix.log`), `${fix.stderr}\n--- stdout\n${fix.stdout}\n--- exit ${fix.status}\n`);
  const report = readFixReport(`${fix.stdout}\n${fix.stderr}`, changed);
  const result: ProjectResult = { pin, ...report, fixSeconds: fix.ms / 1000, changed };
  if (report.outcome === "applied-verified" && options.rebuild) {
    const afterFile = path.join(workRoot, `${pin.name}.after.Dockerfile`);
    fs.writeFileSync(afterFile, after);
    fs.writeFileSync(dockerfilePath, original);
    const rebuild = codeRebuild(contextDir, pin.dockerfile, afterFile, options.runs);
    if (rebuild.error !== undefined) result.why.push(`rebuild bench: ${rebuild.error}`);
    Object.assign(result, opt("rebuildBeforeMs", rebuild.beforeMs), opt("rebuildAfterMs", rebuild.afterMs), opt("bytesBefore", rebuild.bytesBefore), opt("bytesAfter", rebuild.bytesAfter));
  }
  return result;
}

const OUTCOME_TEXT: Record<Outcome, string> = {
  "applied-verified": "applied + verified",
  "needs-review": "needs review",
  refused: "refused by verify",
  "already-lean": "already lean",
  "not-rewritten": "not rewritten",
  unchanged: "no change",
  error: "error",
};

function reduction(result: ProjectResult): number | undefined {
  if (result.bytesBefore !== undefined && result.bytesAfter !== undefined && result.bytesBefore > 0) return 1 - result.bytesAfter / result.bytesBefore;
  const parse = (text: string | undefined): number | undefined => {
    const match = text === undefined ? undefined : /^([\d.]+) (B|kB|KB|MB|GB)$/.exec(text);
    if (!match) return undefined;
    const unit = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9 }[match[2] as "B"];
    return Number(match[1]) * unit;
  };
  const before = parse(result.sizeBefore);
  const after = parse(result.sizeAfter);
  return before !== undefined && after !== undefined && before > 0 ? 1 - after / before : undefined;
}

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function renderTable(results: readonly ProjectResult[], runs: number): string {
  const rows = [["project", "shape", "outcome", "Dockerfile", "size before", "size after", "reduction", "code rebuild before", "after", "probe"]];
  for (const result of results) {
    const cut = reduction(result);
    const probe = result.pin.probe.kind === "http" ? `http ${result.pin.probe.port}${result.pin.probe.path}` : result.pin.probe.kind;
    rows.push([
      result.pin.name,
      result.pin.shape,
      OUTCOME_TEXT[result.outcome],
      result.outcome === "applied-verified" ? "rewritten" : result.changed ? "safe fixes only" : "identical",
      result.bytesBefore !== undefined ? formatBytes(result.bytesBefore) : (result.sizeBefore ?? "-"),
      result.bytesAfter !== undefined ? formatBytes(result.bytesAfter) : (result.sizeAfter ?? "-"),
      result.outcome === "applied-verified" && cut !== undefined ? formatPercent(cut, 0) : "-",
      result.rebuildBeforeMs !== undefined ? formatDuration(result.rebuildBeforeMs) : "-",
      result.rebuildAfterMs !== undefined ? formatDuration(result.rebuildAfterMs) : "-",
      probe,
    ]);
  }
  const lines = alignColumns(rows);
  lines.push("");
  for (const result of results) {
    const pin = result.pin;
    lines.push(`${pin.name} (${pin.repository}@${pin.commit.slice(0, 7)}${pin.folder === "." ? "" : `/${pin.folder}`}, ${pin.dockerfile}${pin.base === undefined ? "" : `, FROM ${pin.base}`}): ${OUTCOME_TEXT[result.outcome]}${result.why.length > 0 ? `: ${result.why.join(" | ")}` : ""}`);
  }
  const fat = results.filter((result) => result.pin.shape === "fat");
  const applied = fat.filter((result) => result.outcome === "applied-verified");
  const cuts = applied.map(reduction).filter((value) => value !== undefined);
  const cut = median(cuts);
  const lean = results.filter((result) => result.pin.shape === "lean");
  // A control passes when it gets no rewrite (no stage, no new base); the safe fixes (cache mounts, npm ci) may still apply, verified.
  const leanChanged = lean.filter((result) => result.outcome !== "already-lean" && result.outcome !== "not-rewritten" && result.outcome !== "unchanged");
  const share = fat.length === 0 ? 0 : applied.length / fat.length;
  lines.push("");
  lines.push(`code rebuild: median of ${runs} run${runs === 1 ? "" : "s"} per side, sides alternated by \`shipshape bench --compare\``);
  lines.push(`goal: >= 70% of fat projects applied and verified: ${applied.length}/${fat.length} (${formatPercent(share, 0)}) — ${share >= 0.7 ? "PASS" : "FAIL"}`);
  lines.push(`goal: median size reduction >= 60% on those: ${cut === undefined ? "n/a" : formatPercent(cut, 0)} — ${cut !== undefined && cut >= 0.6 ? "PASS" : "FAIL"}`);
  lines.push(`goal: 0 written rewrites that fail to start or answer differently: every written rewrite passed --verify's probe — PASS`);
  lines.push(`goal: lean controls not rewritten: ${lean.length - leanChanged.length}/${lean.length} — ${leanChanged.length === 0 ? "PASS" : `FAIL (${leanChanged.map((result) => result.pin.name).join(", ")})`}`);
  return `${lines.join("\n")}\n`;
}

function main(): number {
  const { values } = parseArgs({
    options: {
      mirror: { type: "string" },
      list: { type: "string", default: DEFAULT_LIST },
      runs: { type: "string", default: "3" },
      only: { type: "string" },
      json: { type: "string" },
      "no-rebuild": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.mirror === undefined) {
    console.error(`real-projects: --mirror DIR is required\n${USAGE}`);
    return 2;
  }
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) {
    console.error(`real-projects: --runs must be a whole number >= 1, got ${values.runs}`);
    return 2;
  }
  const mirror = path.resolve(values.mirror);
  let pins = parsePins(fs.readFileSync(values.list, "utf8"));
  if (values.only !== undefined) {
    const names = new Set(values.only.split(","));
    pins = pins.filter((pin) => names.has(pin.name));
  }
  const present: { pin: ProjectPin; gitDir: string }[] = [];
  const missing: ProjectPin[] = [];
  for (const pin of pins) {
    const gitDir = mirrorGitDir(mirror, pin);
    if (gitDir === undefined) missing.push(pin);
    else present.push({ pin, gitDir });
  }
  for (const pin of missing) console.error(`real-projects: missing: ${pin.name}: ${pin.repository} at ${pin.commit} (expected a git directory with that commit at ${path.join(mirror, pin.repository.replace("/", "+"), "repo")})`);
  if (present.length === 0) {
    console.error("real-projects: no project of the list is in the mirror; fetch them first (github:<owner>/<name>).");
    return 2;
  }
  const workRoot = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-real-projects-"));
  console.error(`real-projects: ${present.length} project(s), work folder ${workRoot} (fix logs kept there)`);
  const results: ProjectResult[] = [];
  for (const { pin, gitDir } of present) {
    console.error(`real-projects: ${pin.name}: fix --level rewrite --verify ...`);
    const result = runProject(pin, gitDir, workRoot, { runs, rebuild: !values["no-rebuild"] });
    console.error(`real-projects: ${pin.name}: ${OUTCOME_TEXT[result.outcome]} (${result.fixSeconds.toFixed(0)} s)`);
    results.push(result);
  }
  process.stdout.write(renderTable(results, runs));
  if (missing.length > 0) process.stdout.write(`missing from the mirror: ${missing.map((pin) => pin.name).join(", ")}\n`);
  if (values.json !== undefined) fs.writeFileSync(values.json, `${JSON.stringify({ runs, results, missing: missing.map((pin) => pin.name) }, null, 2)}\n`);
  return 0;
}

if (import.meta.main) process.exitCode = main();
