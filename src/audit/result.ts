// The audit result: the stable shape behind `--format json` (documented in docs/json-format.md).
import type { Category, FileCreation, FixLevel, Impact, TextEdit } from "../rules/types.ts";
import type { SkippedFolder } from "../repo/snapshot.ts";

export interface Finding {
  rule: string;
  impact: Impact;
  category: Category;
  /** 1-based line in the file. */
  line: number;
  endLine?: number;
  column?: number;
  message: string;
  /** An estimate from the documented table (docs/estimates.md), never a measured value. */
  estimatedSavingMB?: number;
  /** hadolint ids with the same meaning. */
  hadolint: string[];
  fixable: boolean;
  /** Text edits for `shipshape fix`; not part of the JSON report. */
  fix?: TextEdit[];
  /** A file `shipshape fix` creates (a missing .dockerignore); not part of the JSON report. */
  createFile?: FileCreation;
  /** With a fix: its level (docs/fix.md, What safe means); `fix` applies `rewrite` ones only with `--level rewrite`. */
  fixLevel?: FixLevel;
}

export type FileKind = "dockerfile" | "compose" | "dockerignore" | "other";

export interface FileResult {
  path: string;
  kind: FileKind;
  /** Why the file could not be audited; the run goes on with the others. */
  error?: string;
  findings: Finding[];
  /**
   * For a Dockerfile: the image's estimated saving with overlapping findings counted once and
   * capped at what the image could lose (src/audit/estimates.ts). An estimate, never measured.
   */
  estimatedSavingMB?: number;
}

export interface AuditSummary {
  files: number;
  filesWithErrors: number;
  findings: number;
  byImpact: Record<Impact, number>;
  byCategory: Record<Category, number>;
  /** Sum of the files' de-duplicated estimates (each image's total, not the findings' sum); labelled as an estimate wherever it is shown. */
  estimatedSavingMB: number;
  /** Findings hidden by suppression comments or config. */
  suppressed: number;
}

export interface AuditResult {
  /** Repository root (absolute path, or a label for in-memory audits). */
  root: string;
  files: FileResult[];
  summary: AuditSummary;
  /** Folders not looked into (paths as reported), for the CLI's stderr summary; not in the reports. */
  skipped?: SkippedFolder[];
}
