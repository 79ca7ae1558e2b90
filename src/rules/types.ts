// The rule contract. One rule per file in src/rules/, file name = id, registered in
// src/rules/index.ts, documented in docs/rules/<id>.md. Rules are pure: they read the
// model and the repository view and return reports; they never touch disk or daemon.
import type { DockerfileModel } from "../dockerfile/model.ts";
import type { ComposeModel } from "../repo/compose.ts";
import type { BuildContext, RepositoryView } from "../repo/snapshot.ts";

export type Impact = "high" | "medium" | "low";
export type Category = "size" | "cache" | "speed" | "security" | "compose" | "maintainability";
export type RuleScope = "dockerfile" | "compose" | "repository";

/**
 * How far a fix may go (docs/fix.md, "What safe means"). `safe`: the image keeps the same
 * packages and files (package managers' download caches and indexes aside), the same user and
 * the same command, so `shipshape fix` applies it by default. `rewrite`: anything that could
 * change one of those; applied only with `--level rewrite`, where the diff is reviewed and
 * `--verify` checks it on the engine.
 */
export const FIX_LEVELS = ["safe", "rewrite"] as const;
export type FixLevel = (typeof FIX_LEVELS)[number];

export const IMPACTS: readonly Impact[] = ["high", "medium", "low"];
export const CATEGORIES: readonly Category[] = ["size", "cache", "speed", "security", "compose", "maintainability"];

export interface RuleMeta {
  id: string;
  /** One sentence: what the rule looks for. */
  description: string;
  impact: Impact;
  category: Category;
  scope: RuleScope;
  /** hadolint rule ids with the same meaning; their `# hadolint ignore=` comments suppress this rule too. */
  hadolint: string[];
  /** The rule returns text edits that `shipshape fix` can apply. */
  fixable: boolean;
  /** Required when fixable (a test enforces it): the level of the rule's fixes, unless a report says otherwise. */
  fixLevel?: FixLevel;
}

/** A replacement of text [start, end) (0-based offsets into the file) by `text`. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** A file a fix creates (path relative to the repository root); never applied over an existing file. */
export interface FileCreation {
  path: string;
  text: string;
}

export interface RuleReport {
  message: string;
  /** 1-based line of the finding. */
  line: number;
  endLine?: number;
  column?: number;
  /** For repository rules: the file the finding belongs to (defaults to the file being checked). */
  path?: string;
  /** An estimate from src/rules/estimates.ts, never a measurement. */
  estimatedSavingMB?: number;
  /** This finding's impact when the case is milder than the rule's default (a config setting still wins). */
  impact?: Impact;
  fix?: TextEdit[];
  /** A file the fix creates instead of (or besides) editing this one, e.g. a missing .dockerignore. */
  createFile?: FileCreation;
  /** This fix's level when it differs from the rule's `fixLevel` (e.g. safe in a build stage, rewrite in a shipped one). */
  fixLevel?: FixLevel;
}

export interface DockerfileRuleContext {
  dockerfile: DockerfileModel;
  /** The build context Docker would send with this Dockerfile, when known. */
  buildContext: BuildContext | undefined;
  repository: RepositoryView;
}

export interface ComposeRuleContext {
  compose: ComposeModel;
  repository: RepositoryView;
  /** Parsed Dockerfiles by repository path, for rules that look at what a service builds. */
  dockerfiles: ReadonlyMap<string, DockerfileModel>;
}

export interface RepositoryRuleContext {
  repository: RepositoryView;
  dockerfiles: ReadonlyMap<string, DockerfileModel>;
}

export interface DockerfileRule {
  meta: RuleMeta & { scope: "dockerfile" };
  check(context: DockerfileRuleContext): RuleReport[];
}

export interface ComposeRule {
  meta: RuleMeta & { scope: "compose" };
  check(context: ComposeRuleContext): RuleReport[];
}

export interface RepositoryRule {
  meta: RuleMeta & { scope: "repository" };
  /** Reports must carry `path`. */
  check(context: RepositoryRuleContext): RuleReport[];
}

export type Rule = DockerfileRule | ComposeRule | RepositoryRule;
