// The fix loop: audit, apply the fixes the findings carry, audit the result again, until no
// fix is left (at most MAX_PASSES times, as ESLint's fixer does). Pure: from a repository
// snapshot and a config to the changed files; the CLI does the reading and writing.
//
// Only what the audit reports is fixed, so suppressed findings (`# hadolint ignore=`,
// `# shipshape ignore=`, config `ignore`/`off`) are never touched. Each pass applies every
// finding's edits that do not collide with another's; colliding ones wait for the next pass,
// where the rule looks at the edited text and offers fresh edits if it still fires.
//
// With a clock, each file has the audit's time budget (config `fileTimeBudget`) for the whole
// loop: its passes' parsing and rules, applying its edits and checking the result. A file that
// spends it is not fixed further and nothing is written for it (a per-file error, like audit's);
// the other files are fixed as usual.
import { auditRepository } from "../audit/run.ts";
import { defaultConfig } from "../audit/config.ts";
import type { ShipshapeConfig } from "../audit/config.ts";
import type { AuditResult, Finding } from "../audit/result.ts";
import type { RepoFile, RepoSnapshot } from "../repo/snapshot.ts";
import { buildRepositoryView } from "../repo/view.ts";
import type { ViewOptions } from "../repo/view.ts";
import type { FileCreation, FixLevel, Rule, TextEdit } from "../rules/types.ts";
import { applyEdits, selectEditGroups } from "./apply.ts";
import { structuralProblems } from "./structure.ts";
import type { EditGroup } from "./apply.ts";

export const MAX_PASSES = 10;

/**
 * Fixes that contradict another rule's fix on the same instruction, and the rule whose fix
 * wins. A BuildKit cache mount keeps the cache out of the layer (what the loser's fix is for)
 * and also keeps it for the next build, while `--no-cache-dir` or `rm -rf /var/lib/apt/lists/*`
 * would empty the very directory the mount keeps. When the winner offers a fix for the same
 * instruction, the loser's fix waits; once the mount is there, the loser's rule no longer fires
 * (the rules are cache-mount aware). With `--rule` naming only the loser, the loser applies.
 */
export const SUPERSEDED_BY: Readonly<Record<string, readonly string[]>> = {
  "pip-no-cache-dir": ["python-cache-mount-missing"],
  "apt-lists-not-removed": ["apt-cache-mount-missing"],
  "package-cache-in-layer": ["node-cache-mount-missing"],
};

export interface FixOptions {
  config?: ShipshapeConfig;
  /** The rules the audit runs (default: all registered rules). */
  rules?: readonly Rule[];
  /** Rule ids whose fixes are applied (default: every rule's). */
  only?: ReadonlySet<string>;
  viewOptions?: ViewOptions;
  maxPasses?: number;
  /**
   * The highest fix level applied (docs/fix.md, What safe means). Default `safe`: fixes that
   * could change the image's packages, files, user or command are left to `rewrite`.
   */
  level?: FixLevel;
  /** Milliseconds from any fixed origin (performance.now); without it no time budget is kept. */
  clock?: () => number;
  /** Milliseconds already spent on each file (e.g. planning its rewrite); the loop adds to it. */
  timeSpent?: Map<string, number>;
}

/** One file the fixes changed or created (repository-relative path). */
export interface FileChange {
  path: string;
  /** Undefined for a created file. */
  before: string | undefined;
  after: string;
}

export interface AppliedFix {
  rule: string;
  path: string;
  line: number;
  pass: number;
  /** The fix created `path` rather than editing it. */
  created: boolean;
}

export interface FixResult {
  changes: FileChange[];
  applied: AppliedFix[];
  /** Passes that applied something. */
  passes: number;
  /** False when MAX_PASSES ran out with fixes still pending. */
  converged: boolean;
  /** The audit of the fixed repository: what remains. */
  remaining: AuditResult;
  /** Findings of the selected rules that still carry a fix nobody could apply (collisions that never resolved). */
  unapplied: { path: string; finding: Finding }[];
  /**
   * Files whose fixes were dropped as a whole, with the reason: the fixes kept colliding (they
   * never converged), or the fixed Dockerfile failed the structural check (src/fix/structure.ts).
   * They are not in `changes`: a fix that cannot be applied cleanly is not written.
   */
  rejected: { path: string; reason: string }[];
  /** Remaining findings of the selected rules whose fix is above the level (rewrite-level fixes at the safe level). */
  withheld: { path: string; finding: Finding }[];
}

interface CandidateGroup extends EditGroup {
  path: string;
  /** The file whose finding offered the fix (differs from `path` for a created file). */
  source: string;
  endLine: number;
  create?: FileCreation;
}

export function runFixes(snapshot: RepoSnapshot, options: FixOptions = {}): FixResult {
  const maxPasses = options.maxPasses ?? MAX_PASSES;
  const level = options.level ?? "safe";
  const clock = options.clock;
  const timeSpent = options.timeSpent ?? new Map<string, number>();
  const budgetSeconds = (options.config ?? defaultConfig()).fileTimeBudget;
  const overBudget = (path: string): boolean => clock !== undefined && (timeSpent.get(path) ?? 0) > budgetSeconds * 1000;
  const timed = <T>(path: string, work: () => T): T => {
    if (!clock) return work();
    const start = clock();
    try {
      return work();
    } finally {
      timeSpent.set(path, (timeSpent.get(path) ?? 0) + (clock() - start));
    }
  };
  const auditOptions = { ...(options.config ? { config: options.config } : {}), ...(options.rules ? { rules: options.rules } : {}), ...(clock ? { clock, timeSpent } : {}) };
  const audit = (current: RepoSnapshot): AuditResult => auditRepository(buildRepositoryView(current, options.viewOptions), auditOptions);
  const applied: AppliedFix[] = [];
  let current = snapshot;
  let result = audit(current);
  let passes = 0;
  let converged = false;
  while (true) {
    const candidates = withoutSuperseded(candidateGroups(result, options.only, level)).filter((group) => !overBudget(group.source));
    if (candidates.length === 0) {
      converged = true;
      break;
    }
    if (passes >= maxPasses) break;
    const next = applyPass(current, candidates, passes + 1, applied, timed);
    if (next === current) {
      converged = true;
      break;
    }
    current = next;
    passes++;
    result = audit(current);
  }
  const unapplied = converged ? [] : candidateGroups(result, options.only, level).filter((group) => !overBudget(group.source)).map((group) => ({ path: group.path, finding: findingOf(result, group) }));
  const rejected = rejectedFiles(snapshot, current, applied, unapplied, { maxPasses, viewOptions: options.viewOptions, timed, overBudget, budgetSeconds });
  if (rejected.length > 0) {
    const dropped = new Set(rejected.map((entry) => entry.path));
    current = restoreFiles(snapshot, current, dropped);
    result = audit(current);
    for (let index = applied.length - 1; index >= 0; index--) if (dropped.has((applied[index] as AppliedFix).path)) applied.splice(index, 1);
  }
  const withheld = result.files.flatMap((file) => file.findings.filter((finding) => (!options.only || options.only.has(finding.rule)) && finding.fixable && !withinLevel(finding, level)).map((finding) => ({ path: file.path, finding })));
  return { changes: changesBetween(snapshot, current), applied, passes, converged, remaining: result, unapplied, rejected, withheld };
}

/**
 * The changed files that must not be written: those with fixes still pending when the passes ran
 * out (the next run would change them again), and Dockerfiles whose fixed text fails the
 * structural check against the text the loop started from.
 */
function rejectedFiles(
  before: RepoSnapshot,
  after: RepoSnapshot,
  applied: readonly AppliedFix[],
  unapplied: readonly { path: string; finding: Finding }[],
  { maxPasses, viewOptions, timed, overBudget, budgetSeconds }: { maxPasses: number; viewOptions: ViewOptions | undefined; timed: <T>(path: string, work: () => T) => T; overBudget: (path: string) => boolean; budgetSeconds: number },
): { path: string; reason: string }[] {
  const rejected: { path: string; reason: string }[] = [];
  const pending = new Map<string, string[]>();
  for (const { path, finding } of unapplied) pending.set(path, [...(pending.get(path) ?? []), `${finding.rule} at line ${finding.line}`]);
  const dockerfiles = new Set(buildRepositoryView(after, viewOptions).dockerfiles);
  for (const [path, text] of after.texts) {
    const original = before.texts.get(path);
    if (original === text) continue;
    if (overBudget(path)) {
      rejected.push({ path, reason: `fixing it took longer than ${budgetSeconds} s (fileTimeBudget); nothing written` });
      continue;
    }
    const waiting = pending.get(path);
    if (waiting !== undefined) {
      rejected.push({ path, reason: `its fixes did not settle after ${maxPasses} passes (${waiting.join(", ")} kept changing it); nothing written` });
      continue;
    }
    if (original === undefined || !dockerfiles.has(path)) continue;
    const rules = new Set(applied.filter((fix) => fix.path === path).map((fix) => fix.rule));
    const problems = timed(path, () => structuralProblems(original, text, { path, rules }));
    if (overBudget(path)) rejected.push({ path, reason: `fixing it took longer than ${budgetSeconds} s (fileTimeBudget); nothing written` });
    else if (problems.length > 0) rejected.push({ path, reason: `the fixed file would be broken: ${problems.join("; ")} (rules: ${[...rules].sort().join(", ")}); nothing written` });
  }
  return rejected.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** `after` with the given files as they were in `before` (created ones removed). */
function restoreFiles(before: RepoSnapshot, after: RepoSnapshot, paths: ReadonlySet<string>): RepoSnapshot {
  const texts = new Map(after.texts);
  for (const path of paths) {
    const original = before.texts.get(path);
    if (original === undefined) texts.delete(path);
    else texts.set(path, original);
  }
  const files = after.files.filter((file) => !paths.has(file.path) || before.texts.has(file.path)).map((file) => (paths.has(file.path) ? (before.files.find((candidate) => candidate.path === file.path) ?? file) : file));
  return { ...after, files, texts };
}

function findingOf(result: AuditResult, group: CandidateGroup): Finding {
  const file = result.files.find((candidate) => candidate.path === group.source);
  const finding = file?.findings.find((candidate) => candidate.rule === group.rule && candidate.line === group.line);
  if (!finding) throw new Error(`internal: finding ${group.rule} at ${group.path}:${group.line} vanished`);
  return finding;
}

/** Whether a finding's fix may be applied at `level`; a fix of unknown level counts as a rewrite. */
export function withinLevel(finding: Pick<Finding, "fixLevel">, level: FixLevel): boolean {
  return level === "rewrite" || finding.fixLevel === "safe";
}

/** Every finding's fix (up to `level`) as a group, in file order. */
function candidateGroups(result: AuditResult, only: ReadonlySet<string> | undefined, level: FixLevel): CandidateGroup[] {
  const groups: CandidateGroup[] = [];
  for (const file of result.files) {
    for (const finding of file.findings) {
      if (only && !only.has(finding.rule)) continue;
      if (!withinLevel(finding, level)) continue;
      const endLine = finding.endLine ?? finding.line;
      if (finding.fix !== undefined && finding.fix.length > 0) groups.push({ rule: finding.rule, path: file.path, source: file.path, line: finding.line, endLine, edits: finding.fix });
      if (finding.createFile !== undefined) groups.push({ rule: finding.rule, path: finding.createFile.path, source: file.path, line: finding.line, endLine, edits: [], create: finding.createFile });
    }
  }
  return groups;
}

/** Drops fixes whose superseding rule offers a fix for the same instruction (see SUPERSEDED_BY). */
export function withoutSuperseded<G extends { rule: string; path: string; line: number; endLine: number }>(groups: readonly G[]): G[] {
  return groups.filter((group) => {
    const winners = SUPERSEDED_BY[group.rule];
    if (!winners) return true;
    return !groups.some((other) => winners.includes(other.rule) && other.path === group.path && other.line <= group.endLine && group.line <= other.endLine);
  });
}

/** Applies one pass of fixes; returns the same snapshot when nothing could be applied. */
function applyPass(snapshot: RepoSnapshot, candidates: CandidateGroup[], pass: number, applied: AppliedFix[], timed: <T>(path: string, work: () => T) => T): RepoSnapshot {
  const texts = new Map(snapshot.texts);
  const sizes = new Map<string, number>();
  const created: RepoFile[] = [];
  const existing = new Set(snapshot.files.map((file) => file.path));

  for (const group of candidates.filter((candidate) => candidate.create !== undefined)) {
    const creation = group.create as FileCreation;
    if (existing.has(creation.path) || texts.has(creation.path)) continue;
    texts.set(creation.path, creation.text);
    existing.add(creation.path);
    created.push({ path: creation.path, size: Buffer.byteLength(creation.text), gitignored: false });
    applied.push({ rule: group.rule, path: creation.path, line: group.line, pass, created: true });
  }

  const byPath = new Map<string, CandidateGroup[]>();
  for (const group of candidates) {
    if (group.create !== undefined) continue;
    byPath.set(group.path, [...(byPath.get(group.path) ?? []), group]);
  }
  for (const [path, groups] of byPath) {
    const text = snapshot.texts.get(path);
    if (text === undefined) continue;
    const { accepted } = timed(path, () => selectEditGroups(groups, text.length));
    if (accepted.length === 0) continue;
    const edits: TextEdit[] = accepted.flatMap((group) => group.edits);
    const after = timed(path, () => applyEdits(text, edits));
    if (after === text) continue;
    texts.set(path, after);
    sizes.set(path, Buffer.byteLength(after));
    for (const group of accepted) applied.push({ rule: group.rule, path, line: group.line, pass, created: false });
  }

  if (created.length === 0 && sizes.size === 0) return snapshot;
  const files = [...snapshot.files.map((file) => (sizes.has(file.path) ? { ...file, size: sizes.get(file.path) ?? file.size } : file)), ...created];
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { ...snapshot, files, texts };
}

function changesBetween(before: RepoSnapshot, after: RepoSnapshot): FileChange[] {
  const changes: FileChange[] = [];
  for (const [path, text] of after.texts) {
    const original = before.texts.get(path);
    if (original === text) continue;
    changes.push({ path, before: original, after: text });
  }
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
