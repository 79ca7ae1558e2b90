// `shipshape bench`: timed builds of each target under the scenarios of result.ts, on a temporary
// copy of its context. Per run of a scenario: put the copy in the scenario's starting state (cold:
// nothing, the build ignores the cache; the others: a priming build of the unchanged Dockerfile
// and context), make the scenario's change, time the build. With a second Dockerfile to compare,
// both sides share the copy and the cache, and take turns going first (before/after, then
// after/before...) so that drift in the machine's speed falls on both.
import { randomBytes } from "node:crypto";
import path from "node:path";
import type { BuildTarget } from "../builds/targets.ts";
import type { BuildOptions, BuildResult, Engine } from "../engine/types.ts";
import { mutateDockerfile, mutateManifest, mutateSource, pickManifest, pickSourceFile } from "./mutations.ts";
import type { BenchResult, BenchSide, ScenarioMeasurement, ScenarioName, ScenarioRun, TargetBench } from "./result.ts";
import { cacheUse, median, summarize } from "./statistics.ts";
import type { BenchWorkspace, WorkspaceSource } from "./workspace.ts";
import { createWorkspace } from "./workspace.ts";
import { formatDuration } from "../format/index.ts";

/** The `--compare` Dockerfile for one target. */
export interface ComparedDockerfile {
  text: string;
  /** For the report: the file path, or `REF:path`. */
  source: string;
  /** For the table header: the ref, or the file path (default: source). */
  name?: string;
}

export interface BenchOptions {
  runs: number;
  scenarios: readonly ScenarioName[];
  compare?: {
    /** The --compare argument as given. */
    argument: string;
    /**
     * Which side the compared Dockerfile is: "before" for a git ref (the baseline; the working
     * tree's Dockerfile is "after"), "after" for a FILE (the candidate; the own Dockerfile is "before").
     */
    side: "before" | "after";
    dockerfileFor: (target: BuildTarget) => ComparedDockerfile;
  };
  /** `--network` of every build; undefined is the engine's default. */
  network?: string;
  /** Labels on every image built (tests mark theirs). */
  labels?: Record<string, string>;
  /** One line per timed build, for the user's patience. */
  onProgress?: (line: string) => void;
  /** Before each timed run: which image, side, scenario and run (for a live status line). */
  onStart?: (step: { target: string; side: "before" | "after"; scenario: ScenarioName; run: number; runs: number }) => void;
  /** Unique text for markers and tags (default: random hex). */
  nonce?: () => string;
  /** Where the context copies go (default: the OS temp directory). */
  tempDir?: string;
  /** How the report names a target's own Dockerfile (default: its path relative to the context). */
  describeDockerfile?: (target: BuildTarget) => string;
  /** Makes the copy (tests may replace it). */
  createWorkspace?: (source: WorkspaceSource, tempDir?: string) => Promise<BenchWorkspace>;
  /** Called after the scenario's change is made, just before each timed build (bench/fix.ts empties the cache mounts there to time a fresh CI runner). */
  beforeTimedBuild?: (side: "before" | "after", scenario: ScenarioName) => Promise<void>;
  /** Stops the bench (Ctrl-C): the build in flight is cancelled, then the copy and the images are removed and runBench rejects. */
  signal?: AbortSignal;
}

/** A build that did not produce an image. */
class BuildFailure extends Error {}

interface Side {
  label: "before" | "after";
  source: string;
  name: string;
  ownDockerfile: boolean;
  text: string;
  measurement: Map<ScenarioName, ScenarioMeasurement>;
  sizeBytes?: number;
}

function describeFailure(what: string, result: BuildResult): string {
  const error = result.error;
  if (!error) return `${what} failed`;
  const tail = error.logTail.length > 0 ? `\n${error.logTail.join("\n")}` : "";
  return `${what} failed${error.step ? ` at ${error.step}` : ""}: ${error.message}${tail}`;
}


/** The part of the Engine a bench uses. */
export type BenchEngine = Pick<Engine, "build" | "inspectImage" | "removeImage">;

export async function runBench(engine: BenchEngine, targets: readonly BuildTarget[], options: BenchOptions): Promise<BenchResult> {
  if (!Number.isInteger(options.runs) || options.runs < 1) throw new RangeError("runs must be a positive integer");
  const result: BenchResult = { runs: options.runs, scenarios: [...options.scenarios], targets: [] };
  if (options.compare) result.compare = options.compare.argument;
  for (const target of targets) {
    options.signal?.throwIfAborted();
    result.targets.push(await benchTarget(engine, target, options));
  }
  return result;
}

async function benchTarget(engine: BenchEngine, target: BuildTarget, options: BenchOptions): Promise<TargetBench> {
  const nonce = options.nonce ?? (() => randomBytes(6).toString("hex"));
  const makeWorkspace = options.createWorkspace ?? createWorkspace;
  const workspace = await makeWorkspace({ contextDir: target.contextDir, dockerfile: target.dockerfile }, options.tempDir);
  const session = nonce();
  const tags: string[] = [];
  let buildCount = 0;
  const progress = options.onProgress ?? (() => undefined);

  const ownSource = options.describeDockerfile?.(target) ?? target.dockerfile;
  // Table headers are short: the file's name (the heading line has the whole paths).
  const own: Side = { label: "before", source: ownSource, name: path.basename(target.dockerfile), ownDockerfile: true, text: workspace.dockerfileText, measurement: new Map() };
  const sides: Side[] = [own];
  if (options.compare) {
    const compared = options.compare.dockerfileFor(target);
    const other: Side = { label: "after", source: compared.source, name: compared.name ?? compared.source, ownDockerfile: false, text: compared.text, measurement: new Map() };
    if (options.compare.side === "before") {
      // A git ref is the baseline: the working tree's Dockerfile is what changed.
      other.label = "before";
      own.label = "after";
      own.name = "working tree";
      sides.unshift(other);
    } else sides.push(other);
  }

  const build = async (side: Side, dockerfileText: string, noCache: boolean): Promise<{ result: BuildResult; durationMs: number; tag: string }> => {
    buildCount += 1;
    const tag = `shipshape-bench-${target.name}-${side.label}:${session}-${buildCount}`;
    tags.push(tag);
    const buildOptions: BuildOptions = {
      contextDir: workspace.contextDir,
      dockerfile: workspace.dockerfile,
      dockerfileText,
      buildArgs: target.buildArgs,
      tags: [tag],
      noCache,
    };
    if (target.target !== undefined) buildOptions.target = target.target;
    if (options.labels) buildOptions.labels = options.labels;
    if (options.network !== undefined) buildOptions.networkMode = options.network;
    if (options.signal) buildOptions.signal = options.signal;
    options.signal?.throwIfAborted();
    const started = performance.now();
    const result = await engine.build(buildOptions);
    // An engine may answer a cancelled build with a failed result rather than an error.
    options.signal?.throwIfAborted();
    return { result, durationMs: Math.round(performance.now() - started), tag };
  };

  const prime = async (side: Side, text: string): Promise<void> => {
    const { result } = await build(side, text, false);
    if (!result.ok) throw new BuildFailure(describeFailure("the priming build", result));
  };

  const sourceFile = pickSourceFile(workspace.files);
  const manifest = pickManifest(workspace.files);

  /** One timed run; the copy is back to the user's state afterwards. */
  const measureOnce = async (side: Side, scenario: ScenarioName): Promise<{ run: ScenarioRun; tag: string }> => {
    const marker = `shipshape bench ${nonce()}`;
    let timed: Awaited<ReturnType<typeof build>>;
    switch (scenario) {
      case "cold":
        timed = await build(side, side.text, true);
        break;
      case "warm":
        await prime(side, side.text);
        timed = await build(side, side.text, false);
        break;
      case "code":
      case "deps": {
        const file = scenario === "code" ? sourceFile?.path : manifest?.path;
        if (file === undefined) throw new Error(`no file to change for ${scenario}`);
        const original = workspace.read(file);
        const changed = scenario === "code" ? mutateSource(file, original, marker) : mutateManifest(file, original, marker);
        await prime(side, side.text);
        workspace.write(file, changed);
        try {
          await options.beforeTimedBuild?.(side.label, scenario);
          timed = await build(side, side.text, false);
        } finally {
          workspace.write(file, original);
        }
        break;
      }
      case "dockerfile":
        await prime(side, side.text);
        timed = await build(side, mutateDockerfile(side.text, marker, target.target), false);
        break;
    }
    if (!timed.result.ok) throw new BuildFailure(describeFailure("the timed build", timed.result));
    const use = cacheUse(timed.result.steps);
    return { run: { durationMs: timed.durationMs, cachedSteps: use.cachedSteps, totalSteps: use.totalSteps, cacheHitRatio: use.ratio, rebuiltSteps: use.rebuiltSteps }, tag: timed.tag };
  };

  /** Why a scenario cannot run on a side, checked before any build. */
  const notApplicable = (side: Side, scenario: ScenarioName): string | undefined => {
    if (scenario === "code" && sourceFile === undefined) return "no source file found in the context";
    if (scenario === "deps" && manifest === undefined) return "no dependency manifest found in the context";
    try {
      if (scenario === "deps" && manifest !== undefined) mutateManifest(manifest.path, workspace.read(manifest.path), "check");
      if (scenario === "dockerfile") mutateDockerfile(side.text, "check", target.target);
    } catch (error) {
      return (error as Error).message;
    }
    return undefined;
  };

  try {
    for (const scenario of options.scenarios) {
      for (const side of sides) {
        const measurement: ScenarioMeasurement = { scenario, status: "measured", runs: [] };
        if (scenario === "code" && sourceFile) measurement.changedFile = sourceFile.path;
        if (scenario === "deps" && manifest) measurement.changedFile = manifest.path;
        const reason = notApplicable(side, scenario);
        if (reason !== undefined) {
          measurement.status = "skipped";
          measurement.reason = reason;
        }
        side.measurement.set(scenario, measurement);
      }
      for (let runIndex = 0; runIndex < options.runs; runIndex++) {
        // Alternate which side goes first, run by run.
        const order = runIndex % 2 === 0 ? sides : [...sides].reverse();
        for (const side of order) {
          const measurement = side.measurement.get(scenario) as ScenarioMeasurement;
          if (measurement.status !== "measured") continue;
          options.onStart?.({ target: target.name, side: side.label, scenario, run: runIndex + 1, runs: options.runs });
          try {
            const { run, tag } = await measureOnce(side, scenario);
            measurement.runs.push(run);
            const size = (await engine.inspectImage(tag)).size;
            measurement.sizeBytes = size;
            side.sizeBytes = size;
            progress(`${target.name} ${side.label} ${scenario} ${runIndex + 1}/${options.runs}: ${formatDuration(run.durationMs)}, ${run.cachedSteps}/${run.totalSteps} steps cached`);
          } catch (error) {
            if (!(error instanceof BuildFailure)) throw error;
            measurement.status = "failed";
            measurement.reason = error.message;
            progress(`${target.name} ${side.label} ${scenario} ${runIndex + 1}/${options.runs}: ${error.message.split("\n")[0] ?? "failed"}`);
          }
        }
      }
      for (const side of sides) summarizeMeasurement(side.measurement.get(scenario) as ScenarioMeasurement);
    }
  } finally {
    for (const tag of tags.reverse()) await engine.removeImage(tag).catch(() => undefined);
    workspace.dispose();
  }

  const toBenchSide = (side: Side): BenchSide => {
    const benchSide: BenchSide = { label: side.label, name: side.name, ownDockerfile: side.ownDockerfile, dockerfileSource: side.source, scenarios: options.scenarios.map((scenario) => side.measurement.get(scenario) as ScenarioMeasurement) };
    if (side.sizeBytes !== undefined) benchSide.sizeBytes = side.sizeBytes;
    return benchSide;
  };
  const bench: TargetBench = { name: target.name, contextDir: target.contextDir, dockerfile: target.dockerfile, origin: target.origin, before: toBenchSide(sides[0] as Side) };
  if (target.target !== undefined) bench.target = target.target;
  if (sides[1]) bench.after = toBenchSide(sides[1]);
  return bench;
}

function summarizeMeasurement(measurement: ScenarioMeasurement): void {
  if (measurement.status !== "measured" || measurement.runs.length === 0) return;
  const durations = summarize(measurement.runs.map((run) => run.durationMs));
  measurement.medianMs = durations.median;
  measurement.minMs = durations.min;
  measurement.maxMs = durations.max;
  measurement.cacheHitRatio = median(measurement.runs.map((run) => run.cacheHitRatio));
}
