// What `shipshape bench` measured: plain data shared by the orchestration and the reporters.

export const SCENARIOS = ["cold", "warm", "code", "deps", "dockerfile"] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export function isScenarioName(value: string): value is ScenarioName {
  return (SCENARIOS as readonly string[]).includes(value);
}

/** What a scenario changes before its timed build, in words. */
export const SCENARIO_DESCRIPTIONS: Record<ScenarioName, string> = {
  cold: "no cache at all (--no-cache)",
  warm: "nothing changed, rebuilt",
  code: "one source file changed (a comment appended)",
  deps: "the dependency manifest changed, dependencies unchanged",
  dockerfile: "a LABEL added before the Dockerfile's last instruction",
};

/** One timed build. */
export interface ScenarioRun {
  durationMs: number;
  cachedSteps: number;
  totalSteps: number;
  /** cachedSteps / totalSteps (Dockerfile steps, FROM excluded). */
  cacheHitRatio: number;
  /** The Dockerfile steps that ran instead of coming from the cache. */
  rebuiltSteps: string[];
}

export interface ScenarioMeasurement {
  scenario: ScenarioName;
  /** measured: every run built; skipped: the scenario does not apply (no source file...); failed: a build failed. */
  status: "measured" | "skipped" | "failed";
  /** Why it was skipped or how it failed. */
  reason?: string;
  /** The file the scenario changed (context-relative), for code and deps. */
  changedFile?: string;
  runs: ScenarioRun[];
  medianMs?: number;
  minMs?: number;
  maxMs?: number;
  /** Median over the runs. */
  cacheHitRatio?: number;
  /** Size of the image the last timed build produced, in bytes. */
  sizeBytes?: number;
}

export interface BenchSide {
  /**
   * "before" is the baseline: the git ref of `--compare REF`, or the target's own Dockerfile when
   * `--compare FILE` gives the candidate. "after" is the other one: the working tree's Dockerfile
   * against a ref, the FILE against the own Dockerfile.
   */
  label: "before" | "after";
  /** How the table header names the side: the git ref, "working tree", or a Dockerfile's path. */
  name: string;
  /** Whether this side is the target's own Dockerfile as it is on disk (the side the metrics history records). */
  ownDockerfile: boolean;
  /** Where its Dockerfile text came from: a path, or `REF:path` for a git ref. */
  dockerfileSource: string;
  scenarios: ScenarioMeasurement[];
  /** Size of the last image this side built, in bytes. */
  sizeBytes?: number;
}

export interface TargetBench {
  name: string;
  contextDir: string;
  dockerfile: string;
  origin: string;
  target?: string;
  before: BenchSide;
  after?: BenchSide;
}

export interface BenchResult {
  runs: number;
  scenarios: ScenarioName[];
  /** The --compare argument, when given. */
  compare?: string;
  targets: TargetBench[];
}

/** True when every requested scenario that applies was measured. */
export function benchSucceeded(result: BenchResult): boolean {
  return result.targets.every((target) => [target.before, ...(target.after ? [target.after] : [])].every((side) => side.scenarios.every((scenario) => scenario.status !== "failed")));
}
