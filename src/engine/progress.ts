// BuildKit progress -> BuildEvents and the steps of a BuildResult. Both drivers feed the same
// tracker: the API driver with decoded `moby.buildkit.trace` protobufs, the buildx driver with
// `--progress=rawjson` lines (one JSON-encoded client.SolveStatus per line).
import type { StatusUpdate, TraceVertex } from "./buildkit-trace.ts";
import type { BuildEvent, BuildResult, BuildStep } from "./types.ts";

export interface StepName {
  /** What is between the brackets: "2/5", "build 2/5", "linux/amd64 build 2/5". */
  stage?: string;
  /** The stage's name ("build", "stage-1"), when BuildKit shows one. */
  stageName?: string;
  index?: number;
  total?: number;
  /** The instruction text after the bracket ("RUN npm ci"). */
  instruction: string;
  /** BuildKit's own vertices: "[internal] load ...", "exporting to image", "copy /context /". */
  internal: boolean;
}

const STEP_NAME = /^\[(?:(.+?) )?(\d+)\/(\d+)\] ([\s\S]*)$/;

export function parseStepName(name: string): StepName {
  const match = STEP_NAME.exec(name);
  if (!match) {
    const bracket = /^\[[^\]]*\] ([\s\S]*)$/.exec(name);
    return { instruction: bracket?.[1] ?? name, internal: true };
  }
  const [, stageName, index, total, instruction] = match;
  const parsed: StepName = {
    stage: stageName ? `${stageName} ${index}/${total}` : `${index}/${total}`,
    index: Number(index),
    total: Number(total),
    instruction: instruction ?? "",
    internal: false,
  };
  if (stageName) parsed.stageName = stageName;
  return parsed;
}

/** Lines kept per step for error reports. */
export const LOG_TAIL_LINES = 20;
const MAX_LOG_CHARS = 64 * 1024;

function isCanceled(error: string | undefined): boolean {
  return error !== undefined && /(^|: )(context )?canceled$/.test(error.trim());
}

export class BuildProgress {
  readonly #onEvent: ((event: BuildEvent) => void) | undefined;
  readonly #steps = new Map<string, BuildStep>();
  readonly #emitted = new Map<string, string>();
  readonly #logs = new Map<string, string>();

  constructor(onEvent?: (event: BuildEvent) => void) {
    this.#onEvent = onEvent;
  }

  #emit(event: BuildEvent): void {
    if (!this.#onEvent) return;
    try {
      this.#onEvent(event);
    } catch {
      // A listener's failure must not break the build.
    }
  }

  apply(update: StatusUpdate): void {
    for (const vertex of update.vertexes) this.#vertex(vertex);
    for (const log of update.logs) {
      if (log.message === "") continue;
      const text = (this.#logs.get(log.vertex) ?? "") + log.message;
      this.#logs.set(log.vertex, text.length > MAX_LOG_CHARS ? text.slice(-MAX_LOG_CHARS) : text);
      this.#emit({ type: "log", stepId: log.vertex, stream: log.stream === 2 ? "stderr" : "stdout", text: log.message });
    }
    for (const warning of update.warnings) {
      if (warning.short) this.#emit({ type: "message", text: `warning: ${warning.short}` });
    }
  }

  message(text: string): void {
    const trimmed = text.trimEnd();
    if (trimmed !== "") this.#emit({ type: "message", text: trimmed });
  }

  #vertex(vertex: TraceVertex): void {
    if (!vertex.digest) return;
    const previous = this.#steps.get(vertex.digest);
    const name = vertex.name || previous?.name || "";
    const parsed = parseStepName(name);
    const step: BuildStep = { id: vertex.digest, name, cached: vertex.cached || (previous?.cached ?? false), internal: parsed.internal };
    if (parsed.stage !== undefined) step.stage = parsed.stage;
    const started = vertex.started ?? previous?.started;
    const completed = vertex.completed ?? previous?.completed;
    const error = vertex.error ?? previous?.error;
    if (started !== undefined) step.started = started;
    if (completed !== undefined) step.completed = completed;
    if (error) step.error = error;
    this.#steps.set(vertex.digest, step);
    const key = JSON.stringify(step);
    if (this.#emitted.get(vertex.digest) === key) return;
    this.#emitted.set(vertex.digest, key);
    this.#emit({ type: "step", step: { ...step } });
  }

  /** Steps in the order BuildKit first reported them. */
  steps(): BuildStep[] {
    return [...this.#steps.values()].map((step) => ({ ...step }));
  }

  /** The last `lines` lines a step logged. */
  logTail(stepId: string, lines = LOG_TAIL_LINES): string[] {
    const text = this.#logs.get(stepId) ?? "";
    const all = text.split(/\r?\n/);
    while (all.length > 0 && all[all.length - 1]?.trim() === "") all.pop();
    return all.slice(-lines);
  }

  /** The failing step (not one canceled because another failed). */
  failedStep(): BuildStep | undefined {
    const failed = [...this.#steps.values()].filter((step) => step.error !== undefined);
    return failed.find((step) => !isCanceled(step.error)) ?? failed[0];
  }

  /** The BuildResult error for a failed build; `finalError` is the driver's closing message. */
  failure(finalError: string | undefined): NonNullable<BuildResult["error"]> | undefined {
    const step = this.failedStep();
    if (!step && finalError === undefined) return undefined;
    const error: NonNullable<BuildResult["error"]> = { message: finalError ?? step?.error ?? "build failed", logTail: step ? this.logTail(step.id) : [] };
    if (step) error.step = step.name;
    return error;
  }
}

// ---------------------------------------------------------------------------------------------
// buildx --progress=rawjson

interface RawVertex {
  digest?: string;
  inputs?: string[];
  name?: string;
  started?: string;
  completed?: string;
  cached?: boolean;
  error?: string;
}
interface RawStatus {
  id?: string;
  vertex?: string;
  name?: string;
  total?: number;
  current?: number;
}
interface RawLog {
  vertex?: string;
  stream?: number;
  /** Go []byte: base64. */
  data?: string;
}
interface RawWarning {
  vertex?: string;
  short?: string;
}

function time(value: string | undefined): number | undefined {
  if (!value || value.startsWith("0001-01-01")) return undefined;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}

function base64Text(value: string | undefined): string {
  return value ? Buffer.from(value, "base64").toString("utf8") : "";
}

/**
 * One line of `docker buildx build --progress=rawjson` (buildkit progressui's rawJSONDisplay:
 * a json.Encoder writing each *client.SolveStatus: {vertexes, statuses, logs, warnings} with
 * RFC 3339 times and base64 []byte). Undefined for lines that are not such an object.
 */
export function parseRawJsonLine(line: string): StatusUpdate | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith("{")) return undefined;
  let parsed: { vertexes?: RawVertex[]; statuses?: RawStatus[]; logs?: RawLog[]; warnings?: RawWarning[] };
  try {
    parsed = JSON.parse(trimmed) as typeof parsed;
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  if (!("vertexes" in parsed || "statuses" in parsed || "logs" in parsed || "warnings" in parsed)) return undefined;
  const vertexes = (parsed.vertexes ?? []).map((raw) => {
    const vertex: TraceVertex = { digest: raw.digest ?? "", inputs: raw.inputs ?? [], name: raw.name ?? "", cached: raw.cached === true };
    const started = time(raw.started);
    const completed = time(raw.completed);
    if (started !== undefined) vertex.started = started;
    if (completed !== undefined) vertex.completed = completed;
    if (raw.error) vertex.error = raw.error;
    return vertex;
  });
  const statuses = (parsed.statuses ?? []).map((raw) => ({ id: raw.id ?? "", vertex: raw.vertex ?? "", name: raw.name ?? "", current: raw.current ?? 0, total: raw.total ?? 0 }));
  const logs = (parsed.logs ?? []).map((raw) => ({ vertex: raw.vertex ?? "", stream: raw.stream ?? 1, message: base64Text(raw.data) }));
  const warnings = (parsed.warnings ?? []).map((raw) => ({ vertex: raw.vertex ?? "", short: base64Text(raw.short) }));
  return { vertexes, statuses, logs, warnings };
}
