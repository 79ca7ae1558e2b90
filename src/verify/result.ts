// What `shipshape verify` found: every difference between BEFORE and AFTER that a user of the
// image could notice, and what was checked. A "difference" makes the images non-equivalent;
// a "note" is reported for the reader to judge and does not (docs/verify.md says which is which);
// an "allowed" difference is one the user accepted with `--allow CLASS` (allow.ts): reported, not counted.
import type { PageAssets } from "./html-assets.ts";

export type DifferenceKind = "config" | "file" | "moved-file" | "executable" | "library" | "node-dependency" | "smoke" | "http";

export type Severity = "difference" | "note" | "allowed";

export interface Difference {
  kind: DifferenceKind;
  severity: Severity;
  /** What differs: "Cmd", "Env.NODE_ENV", "/app/dist/server.js", "libstdc++.so.6". */
  subject: string;
  before?: string;
  after?: string;
  /** One or two sentences: what differs and why it matters (or why it may not). */
  message: string;
  /** The files a grouped difference covers (a missing directory). */
  paths?: string[];
  /** For severity "allowed": the `--allow` class that accepted it (`cmd-form`, `env:NODE_ENV`). */
  allowedBy?: string;
}

/** Files present only in BEFORE that are not needed at run time, by category. */
export interface IgnoredFiles {
  category: IgnoredCategory;
  count: number;
  /** The first few paths, for the reader to check the rule did the right thing. */
  examples: string[];
}

export type IgnoredCategory = "typescript-source" | "type-declarations" | "source-maps" | "tests" | "docs" | "dev-dependencies" | "build-config" | "lockfiles" | "build-cache";

export type CheckName = "config" | "working-directory" | "moved-directories" | "executables" | "libraries" | "node-dependencies" | "smoke" | "http";

export interface Check {
  name: CheckName;
  /** inconclusive: the probe ran, but neither image answered it, so nothing was compared. */
  status: "passed" | "failed" | "skipped" | "inconclusive";
  /** What was compared ("412 files under /app"), or why the check was skipped. */
  detail: string;
}

export interface ImageRef {
  reference: string;
  id: string;
}

export interface VerifyResult {
  before: ImageRef;
  after: ImageRef;
  equivalent: boolean;
  checks: Check[];
  differences: Difference[];
  ignored: IgnoredFiles[];
  /** The `--allow` classes in effect (`cmd-form`, `env:NODE_ENV`), when any. */
  allow?: string[];
  /** With `httpAssets`: the assets each image's HTML answers referenced, and how they answered. */
  assets?: { before: PageAssets[]; after: PageAssets[] };
}

export function isEquivalent(differences: readonly Difference[]): boolean {
  return differences.every((difference) => difference.severity !== "difference");
}

export function countDifferences(differences: readonly Difference[]): number {
  return differences.filter((difference) => difference.severity === "difference").length;
}

/** A check's status from the differences it produced. */
export function checkFrom(name: CheckName, differences: readonly Difference[], detail: string): Check {
  return { name, status: isEquivalent(differences) ? "passed" : "failed", detail };
}
