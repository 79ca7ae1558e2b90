// Runs the rules over a repository view and assembles the result. Pure: the scanner did the
// I/O already. A rule that throws, or a file that cannot be parsed, becomes a per-file
// error; the run always goes on. With a clock, each file has a time budget (config
// `fileTimeBudget`): once parsing and the rules spent it on a file, the file's remaining rules are
// skipped and it gets a per-file error. JavaScript cannot interrupt a running rule, so the budget
// is checked between rules: it bounds what follows a slow step, not the step itself.
// `timeSpent` carries the time across runs: the fix loop audits a file once per pass, and its
// passes share one budget per file (a file already over it is reported and not analysed again).
import { parseDockerfile } from "../dockerfile/parse.ts";
import type { DockerfileModel } from "../dockerfile/model.ts";
import type { RepositoryView } from "../repo/snapshot.ts";
import { allRules } from "../rules/index.ts";
import type { Category, Impact, Rule, RuleReport } from "../rules/types.ts";
import { CATEGORIES, IMPACTS } from "../rules/types.ts";
import { defaultConfig, ruleSettingFor } from "./config.ts";
import type { ShipshapeConfig } from "./config.ts";
import { estimateImageSaving, fileSavingMB } from "./estimates.ts";
import type { AuditResult, AuditSummary, FileKind, FileResult, Finding } from "./result.ts";
import { collectLineCommentSuppressions, collectSuppressions, isSuppressed } from "./suppressions.ts";
import type { Suppressions } from "./suppressions.ts";

export interface AuditOptions {
  config?: ShipshapeConfig;
  /** Rules to run (default: all registered rules). */
  rules?: readonly Rule[];
  /** Prefix for reported paths, e.g. the directory the user named (`examples/shop`). */
  displayRoot?: string;
  /** Milliseconds from any fixed origin (performance.now); without it no time budget is kept. */
  clock?: () => number;
  /**
   * Milliseconds already spent on each file by earlier runs (the fix loop's passes); this run adds
   * its own time to it. A file already over the budget is reported and not analysed again.
   */
  timeSpent?: Map<string, number>;
  /**
   * Streaming: each Dockerfile's result is handed over as soon as its own rules ran (findings
   * sorted, estimate computed, path shown under displayRoot) and not kept; findings that
   * compose and repository rules add to it later arrive through `onLateFinding`. The returned
   * result then holds only the files not streamed (compose files, ignore files with errors), and
   * a summary of everything. Memory no longer holds every file's findings (`--format jsonl`).
   */
  onFile?: (file: FileResult) => void;
  onLateFinding?: (path: string, finding: Finding) => void;
}

/** The per-file error of a file that ran over the time budget (also the fix loop's rejection reason). */
export function overBudgetMessage(seconds: number): string {
  return `analysis took longer than ${seconds} s (fileTimeBudget); its remaining rules were skipped`;
}

export function auditRepository(view: RepositoryView, options: AuditOptions = {}): AuditResult {
  const config = options.config ?? defaultConfig();
  const rules = options.rules ?? allRules;
  const files = new Map<string, FileResult>();
  const suppressionsByFile = new Map<string, Suppressions>();
  let suppressed = 0;
  // Streaming: the Dockerfiles already handed to onFile (their kind), and the running summary of them.
  const streamed = new Set<string>();
  let streamedSummary: AuditSummary | undefined;

  const fileResult = (path: string, kind: FileKind): FileResult => {
    let result = files.get(path);
    if (!result) {
      result = { path, kind, findings: [] };
      files.set(path, result);
    }
    return result;
  };
  const addError = (path: string, kind: FileKind, message: string): void => {
    const result = fileResult(path, kind);
    result.error = result.error ? `${result.error}; ${message}` : message;
  };

  // Time spent on each file so far (parse and rules), and the files that ran over the budget.
  const clock = options.clock;
  const budgetMs = config.fileTimeBudget * 1000;
  const spent = options.timeSpent ?? new Map<string, number>();
  const overBudget = new Set<string>();
  const charge = (path: string, kind: FileKind, milliseconds: number): void => {
    const total = (spent.get(path) ?? 0) + milliseconds;
    spent.set(path, total);
    if (total > budgetMs && !overBudget.has(path)) {
      overBudget.add(path);
      addError(path, kind, overBudgetMessage(config.fileTimeBudget));
    }
  };
  const timed = <T>(path: string, kind: FileKind, work: () => T): T => {
    if (!clock) return work();
    const start = clock();
    try {
      return work();
    } finally {
      charge(path, kind, clock() - start);
    }
  };
  // Over the budget in an earlier run: reported again, not analysed again.
  const spentBefore = (path: string, kind: FileKind): boolean => {
    if (!clock) return false;
    charge(path, kind, 0);
    return overBudget.has(path);
  };

  const dockerfiles = new Map<string, DockerfileModel>();
  for (const path of view.dockerfiles) {
    fileResult(path, "dockerfile");
    const error = view.errors.get(path);
    if (error !== undefined) {
      addError(path, "dockerfile", error);
      continue;
    }
    const text = view.snapshot.texts.get(path);
    if (text === undefined) {
      addError(path, "dockerfile", "file was not read");
      continue;
    }
    if (spentBefore(path, "dockerfile")) continue;
    try {
      const model = timed(path, "dockerfile", () => parseDockerfile(text, path));
      // Without a stage no rule has anything to check: that is not a clean Dockerfile.
      if (model.stages.length === 0) {
        addError(path, "dockerfile", "no FROM instruction: a Dockerfile starts its first stage with FROM");
        continue;
      }
      dockerfiles.set(path, model);
      suppressionsByFile.set(path, collectSuppressions(model));
    } catch (failure) {
      addError(path, "dockerfile", `cannot parse: ${(failure as Error).message}`);
    }
  }
  for (const path of view.composeFiles) {
    fileResult(path, "compose");
    const error = view.errors.get(path);
    if (error !== undefined) addError(path, "compose", error);
    spentBefore(path, "compose");
    const text = view.snapshot.texts.get(path);
    if (text !== undefined) suppressionsByFile.set(path, collectLineCommentSuppressions(text));
  }

  // Other files the view could not use (an invalid .dockerignore): an error on that file; the
  // Dockerfiles it belongs to are still audited.
  for (const [path, error] of view.errors) {
    if (files.has(path) || !path.endsWith(".dockerignore")) continue;
    addError(path, "dockerignore", error);
  }

  const record = (rule: Rule, path: string, kind: FileKind, report: RuleReport): void => {
    const setting = ruleSettingFor(config, rule.meta.id, path);
    if (setting === "off") return;
    const suppressions = suppressionsByFile.get(path);
    if (suppressions && isSuppressed(suppressions, rule.meta.id, rule.meta.hadolint, report.line)) {
      suppressed++;
      return;
    }
    const finding: Finding = {
      rule: rule.meta.id,
      impact: setting ?? report.impact ?? rule.meta.impact,
      category: rule.meta.category,
      line: report.line,
      message: report.message,
      hadolint: rule.meta.hadolint,
      fixable: rule.meta.fixable && (report.fix !== undefined || report.createFile !== undefined),
    };
    if (report.endLine !== undefined && report.endLine !== report.line) finding.endLine = report.endLine;
    if (report.column !== undefined) finding.column = report.column;
    if (report.estimatedSavingMB !== undefined) finding.estimatedSavingMB = Math.round(report.estimatedSavingMB);
    if (report.fix !== undefined) finding.fix = report.fix;
    if (report.createFile !== undefined) finding.createFile = report.createFile;
    if (finding.fixable) finding.fixLevel = report.fixLevel ?? rule.meta.fixLevel ?? "rewrite";
    if (streamed.has(path)) {
      // A finding on a file already streamed: counted as one more finding, handed over on its own.
      if (streamedSummary) streamedSummary = addSummaries(streamedSummary, summarize([{ path, kind, findings: [finding] }]), -1);
      options.onLateFinding?.(displayPath(path), finding);
      return;
    }
    fileResult(path, kind).findings.push(finding);
  };
  const displayPath = (path: string): string => (options.displayRoot ? joinDisplay(options.displayRoot, path) : path);
  /** Per-image estimate, findings in line order, the path as shown. */
  const finish = (result: FileResult): void => {
    if (result.kind === "dockerfile" && result.findings.some((finding) => (finding.estimatedSavingMB ?? 0) > 0)) {
      result.estimatedSavingMB = Math.round(estimateImageSaving(dockerfiles.get(result.path), result.findings).estimatedSavingMB);
    }
    result.findings.sort((a, b) => a.line - b.line || impactRank(a.impact) - impactRank(b.impact) || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
    result.path = displayPath(result.path);
  };
  const runRule = (rule: Rule, path: string, kind: FileKind, check: () => RuleReport[]): void => {
    if (overBudget.has(path)) return;
    try {
      for (const report of timed(path, kind, check)) record(rule, report.path ?? path, report.path === undefined ? kind : kindOf(view, report.path), report);
    } catch (failure) {
      addError(path, kind, `rule ${rule.meta.id} failed: ${(failure as Error).message}`);
    }
  };

  // Dockerfile rules file by file (the findings are sorted afterwards, so the order of the loops
  // does not show), so that a streamed file is complete as soon as its own rules ran.
  const dockerfileRules = rules.filter((rule): rule is Extract<Rule, { meta: { scope: "dockerfile" } }> => rule.meta.scope === "dockerfile");
  for (const path of view.dockerfiles) {
    const dockerfile = dockerfiles.get(path);
    if (dockerfile !== undefined) {
      const buildContext = view.contexts.get(path);
      for (const rule of dockerfileRules) runRule(rule, path, "dockerfile", () => rule.check({ dockerfile, buildContext, repository: view }));
    }
    if (options.onFile === undefined) continue;
    const result = files.get(path);
    if (result === undefined) continue;
    finish(result);
    files.delete(path);
    streamed.add(path);
    const own = summarize([result]);
    streamedSummary = streamedSummary ? addSummaries(streamedSummary, own) : own;
    options.onFile(result);
  }

  for (const rule of rules) {
    switch (rule.meta.scope) {
      case "dockerfile":
        break;
      case "compose":
        for (const compose of view.composes) {
          runRule(rule, compose.path, "compose", () => (rule as Extract<Rule, { meta: { scope: "compose" } }>).check({ compose, repository: view, dockerfiles }));
        }
        break;
      case "repository":
        runRule(rule, view.dockerfiles[0] ?? view.composeFiles[0] ?? ".", "dockerfile", () => (rule as Extract<Rule, { meta: { scope: "repository" } }>).check({ repository: view, dockerfiles }));
        break;
    }
  }

  const results = [...files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const result of results) finish(result);
  const summary = streamedSummary ? addSummaries(streamedSummary, summarize(results)) : summarize(results);
  summary.suppressed = suppressed;
  const result: AuditResult = { root: view.snapshot.root, files: results, summary };
  if (view.skipped.length > 0) result.skipped = view.skipped.map((folder) => ({ ...folder, path: options.displayRoot ? joinDisplay(options.displayRoot, folder.path) : folder.path }));
  return result;
}

/** Two summaries added up; `fileDelta` corrects the file count (-1: the second one's file is already counted). */
export function addSummaries(a: AuditSummary, b: AuditSummary, fileDelta = 0): AuditSummary {
  const byImpact = { ...a.byImpact };
  for (const impact of IMPACTS) byImpact[impact] = (a.byImpact[impact] ?? 0) + (b.byImpact[impact] ?? 0);
  const byCategory = { ...a.byCategory };
  for (const category of CATEGORIES) byCategory[category] = (a.byCategory[category] ?? 0) + (b.byCategory[category] ?? 0);
  return {
    files: a.files + b.files + fileDelta,
    filesWithErrors: a.filesWithErrors + b.filesWithErrors,
    findings: a.findings + b.findings,
    byImpact,
    byCategory,
    estimatedSavingMB: a.estimatedSavingMB + b.estimatedSavingMB,
    suppressed: a.suppressed + b.suppressed,
  };
}

function kindOf(view: RepositoryView, path: string): FileKind {
  if (dockerfileSet(view).has(path)) return "dockerfile";
  if (view.composeFiles.includes(path)) return "compose";
  return path.endsWith(".dockerignore") ? "dockerignore" : "other";
}

const dockerfileSets = new WeakMap<RepositoryView, Set<string>>();

/** view.dockerfiles as a set, built once per view: kindOf runs for every finding a rule reports on another file. */
function dockerfileSet(view: RepositoryView): Set<string> {
  let set = dockerfileSets.get(view);
  if (set === undefined) {
    set = new Set(view.dockerfiles);
    dockerfileSets.set(view, set);
  }
  return set;
}

function impactRank(impact: Impact): number {
  return IMPACTS.indexOf(impact);
}

function joinDisplay(root: string, path: string): string {
  const cleanRoot = root.replace(/(?<!\/)\/+$/, "");
  if (cleanRoot === "" || cleanRoot === ".") return path;
  return `${cleanRoot}/${path}`;
}

export function summarize(files: FileResult[], suppressed = 0): AuditSummary {
  const byImpact = Object.fromEntries(IMPACTS.map((impact) => [impact, 0])) as Record<Impact, number>;
  const byCategory = Object.fromEntries(CATEGORIES.map((category) => [category, 0])) as Record<Category, number>;
  let findings = 0;
  let estimatedSavingMB = 0;
  for (const file of files) {
    for (const finding of file.findings) {
      findings++;
      byImpact[finding.impact]++;
      byCategory[finding.category]++;
    }
    estimatedSavingMB += fileSavingMB(file);
  }
  return { files: files.length, filesWithErrors: files.filter((file) => file.error !== undefined).length, findings, byImpact, byCategory, estimatedSavingMB, suppressed };
}
