// What `shipshape optimize` did and measured: plain data shared by the orchestration
// (run.ts), the documents (strategy.ts) and the HTML report (src/report/html.ts). It is also what
// optimize saves next to the metrics database, so that `shipshape report` can show the before/after
// of the last run.
import type { BenchResult, ScenarioName } from "../bench/result.ts";

/** One change optimize applied (it was verified) or left out (with the reason). */
export interface ChangeOutcome {
  /** Which step: "fix" (safe fixes, .dockerignore files, rewrites, dev targets) or "consolidate". */
  step: "fix" | "consolidate";
  /** The repository path the change is about (a Dockerfile, a compose file, a created file). */
  path: string;
  /** What it is, in words: "multi-stage rewrite (node)", "safe fixes: apt-cache-mount-missing", ... */
  what: string;
  applied: boolean;
  /** Why it was left out (when not applied), or what verification said. */
  reason?: string;
  /** How it was verified: "built and verified (http probe)", "built and verified (files and config)", "no image changes (text only)". */
  verification?: string;
}

export interface CommitRecord {
  sha: string;
  subject: string;
}

/** One layer of the optimized image, for the report's layer chart. */
export interface LayerSummary {
  instruction: string;
  sizeBytes: number;
  /** Bytes of this layer that a later layer hides (dive's waste attributable to the layer). */
  wastedBytes: number;
}

export interface ImageLayers {
  image: string;
  sizeBytes: number;
  wastedBytes: number;
  efficiency: number;
  layers: LayerSummary[];
}

export interface OptimizeResult {
  version: 1;
  /** The directory optimized, as the user named it (for display). */
  target: string;
  startedAt: string;
  finishedAt: string;
  /** "branch": results committed on `branch`; "write": applied in place. */
  mode: "branch" | "write";
  branch?: string;
  /** The commit the branch started from. */
  baseCommit?: string;
  runs: number;
  scenarios: ScenarioName[];
  baseline: BenchResult;
  /** Absent when nothing changed (then there is nothing to measure again). */
  after?: BenchResult;
  changes: ChangeOutcome[];
  /** Consolidation candidates left alone, and why. */
  notConsolidated: { dockerfiles: string[]; reason: string }[];
  commits: CommitRecord[];
  /** Repository paths of the documents written. */
  documents: string[];
  /** Layers of each optimized image (when they could be read). */
  layers: ImageLayers[];
  /** Seconds spent per phase: baseline, audit, fix, consolidate, measure, documents. */
  phaseSeconds: Record<string, number>;
  audit: { findings: number; byImpact: Record<string, number>; files: number };
  /** How to build each optimized image. */
  buildCommands: { image: string; command: string }[];
  /** The machine the numbers come from: its CPUs and its 1-minute load average when each measurement started. */
  machine: { cpus: number; loadBaseline: number; loadAfter?: number };
}
