// What `shipshape build` shows while images build, as pure functions of the BuildEvents seen so
// far: a status line per image (redrawn on a terminal) and, for logs and pipes, one line per
// completed Dockerfile step (`[api] #3 RUN npm ci 12.3s`, `[api] #2 COPY . . CACHED`). Step
// numbers follow the order BuildKit first reported the vertices, as `--progress=plain` does,
// so they match what BuildKit itself prints. The terminal handling is in display.ts.
import { parseStepName } from "../engine/progress.ts";
import type { BuildEvent, BuildStep } from "../engine/types.ts";
import { sanitizeTerminal } from "../report/escape.ts";
import { formatElapsed } from "../format/index.ts";

export type ImageBuildStatus = "waiting" | "building" | "done" | "failed";

export interface ImageBuildState {
  name: string;
  status: ImageBuildStatus;
  /** The caller's clock (ms) when the build started and ended. */
  startedAt?: number;
  finishedAt?: number;
  /** Why the image was not built (an image it depends on failed). */
  notBuilt?: string;
  /** Latest state of every step, in the order BuildKit first reported them. */
  steps: Map<string, BuildStep>;
  /** `#N` of each step. */
  numbers: Map<string, number>;
  /** Steps already reported as completed (a vertex can complete more than once). */
  reported: Set<string>;
}

export function createImageBuildState(name: string): ImageBuildState {
  return { name, status: "waiting", steps: new Map(), numbers: new Map(), reported: new Set() };
}

export function startImageBuild(state: ImageBuildState, now: number): void {
  state.status = "building";
  state.startedAt = now;
}

export function finishImageBuild(state: ImageBuildState, ok: boolean, now: number): void {
  state.status = ok ? "done" : "failed";
  state.finishedAt = now;
}

/**
 * Applies one event; returns the Dockerfile steps (not BuildKit's internal ones) that this event
 * completed or failed for the first time, which plain output prints one line each.
 */
export function applyBuildEvent(state: ImageBuildState, event: BuildEvent): BuildStep[] {
  if (event.type !== "step") return [];
  const step = event.step;
  if (!state.numbers.has(step.id)) state.numbers.set(step.id, state.numbers.size + 1);
  state.steps.set(step.id, step);
  const finished = step.completed !== undefined || step.error !== undefined;
  if (step.internal || !finished || state.reported.has(step.id)) return [];
  state.reported.add(step.id);
  return [step];
}

/**
 * A `FROM` step resolves the base image; nothing runs. BuildKit marks it cached or not
 * arbitrarily (cached in a --no-cache build, not cached in a fully cached one), so cache
 * counts leave it out: a fully cached build is 100%, a cold one 0%.
 */
export function isBaseImageStep(step: BuildStep): boolean {
  return !step.internal && /^FROM\s/i.test(parseStepName(step.name).instruction);
}

export interface StepCounts {
  /** Dockerfile steps BuildKit has announced so far. */
  total: number;
  /** Of those, completed (cached or not). */
  done: number;
  /** Cached steps, base image steps (FROM) left out. */
  cached: number;
}

export function stepCounts(state: ImageBuildState): StepCounts {
  let total = 0;
  let done = 0;
  let cached = 0;
  for (const step of state.steps.values()) {
    if (step.internal) continue;
    total++;
    if (step.completed !== undefined && step.error === undefined) done++;
    if (step.cached && !isBaseImageStep(step)) cached++;
  }
  return { total, done, cached };
}


/** The instruction without BuildKit's `[2/5]` prefix; the stage name kept for multi-stage builds. */
export function stepLabel(step: BuildStep): string {
  const parsed = parseStepName(step.name);
  const instruction = oneLine(parsed.instruction);
  return parsed.stageName ? `${parsed.stageName}: ${instruction}` : instruction;
}

/** One plain line for a completed step: `[api] #3 RUN npm ci 12.3s`, `... CACHED`, `... ERROR: ...`. */
export function formatStepLine(state: ImageBuildState, step: BuildStep): string {
  const number = state.numbers.get(step.id);
  const prefix = `[${oneLine(state.name)}] ${number === undefined ? "" : `#${number} `}${stepLabel(step)}`;
  if (step.error !== undefined) return `${prefix} ERROR: ${oneLine(step.error)}`;
  if (step.cached) return `${prefix} CACHED`;
  const duration = step.started !== undefined && step.completed !== undefined ? step.completed - step.started : 0;
  return `${prefix} ${formatElapsed(duration)}`;
}

/** The step to show as "now": the latest started Dockerfile step that has not finished. */
function runningStep(state: ImageBuildState): BuildStep | undefined {
  let running: BuildStep | undefined;
  for (const step of state.steps.values()) {
    if (step.internal || step.started === undefined || step.completed !== undefined || step.error !== undefined) continue;
    if (!running || (running.started ?? 0) <= step.started) running = step;
  }
  return running;
}

function failedStep(state: ImageBuildState): BuildStep | undefined {
  const failed = [...state.steps.values()].filter((step) => step.error !== undefined);
  return failed.find((step) => !/(^|: )(context )?canceled$/.test(step.error?.trim() ?? "")) ?? failed[0];
}

export interface StatusLineOptions {
  /** The caller's clock (ms), for the elapsed time of a running build. */
  now: number;
  /** Terminal width: the line is cut to fit (default: no limit). */
  width?: number;
}

/**
 * `[api] building  3/7 steps, 2 cached, 12.3s  RUN npm ci`; `done` and `FAILED` when finished.
 * Cut to `width` so that a redraw never wraps.
 */
export function formatStatusLine(state: ImageBuildState, options: StatusLineOptions): string {
  const counts = stepCounts(state);
  const end = state.finishedAt ?? options.now;
  const elapsed = state.startedAt === undefined ? "" : formatElapsed(end - state.startedAt);
  const progress = `${counts.done}/${counts.total} steps, ${counts.cached} cached, ${elapsed}`;
  const name = oneLine(state.name);
  let line: string;
  switch (state.status) {
    case "waiting":
      line = `[${name}] waiting`;
      break;
    case "building": {
      const running = runningStep(state);
      line = `[${name}] building  ${progress}${running ? `  ${stepLabel(running)}` : ""}`;
      break;
    }
    case "done":
      line = `[${name}] done      ${progress}`;
      break;
    case "failed": {
      if (state.notBuilt !== undefined) {
        line = `[${name}] not built: ${oneLine(state.notBuilt)}`;
        break;
      }
      const failed = failedStep(state);
      line = `[${name}] FAILED    ${progress}${failed ? `  at ${stepLabel(failed)}` : ""}`;
      break;
    }
  }
  return fitWidth(line, options.width);
}

function oneLine(text: string): string {
  return sanitizeTerminal(text).replace(/\s+/g, " ").trim();
}

function fitWidth(line: string, width: number | undefined): string {
  if (width === undefined || width <= 0 || line.length <= width) return line;
  return width <= 1 ? line.slice(0, width) : `${line.slice(0, width - 1)}…`;
}
