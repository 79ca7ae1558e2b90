// Live progress for `shipshape build`, on stderr. On a terminal: one status line per image,
// redrawn in place (cursor up, clear line) a few times a second. Elsewhere (CI logs, pipes): a
// line per completed step and one when an image finishes, never a control sequence. What the
// lines say comes from progress-display.ts; this file only decides when and how to write them.
import type { BuildEvent } from "../engine/types.ts";
import { sanitizeTerminal } from "../report/escape.ts";
import type { ImageBuildState } from "./progress-display.ts";
import { applyBuildEvent, createImageBuildState, finishImageBuild, formatStatusLine, formatStepLine, startImageBuild, stepCounts } from "./progress-display.ts";
import { formatElapsed, paint } from "../format/index.ts";
import type { Style } from "../format/index.ts";

export interface BuildDisplayOptions {
  write: (text: string) => void;
  /** Redraw status lines in place (a terminal) or print plain lines. */
  live: boolean;
  color: boolean;
  /** Terminal width, asked at each redraw (it can change). */
  columns?: () => number | undefined;
  now?: () => number;
  redrawIntervalMs?: number;
}

const CURSOR_UP = (lines: number): string => `\u001b[${lines}A`;
const CLEAR_LINE = "\r\u001b[2K";

export class BuildDisplay {
  readonly #states: ImageBuildState[];
  readonly #options: BuildDisplayOptions;
  readonly #now: () => number;
  #drawnLines = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(names: readonly string[], options: BuildDisplayOptions) {
    this.#states = names.map((name) => createImageBuildState(name));
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  #state(name: string): ImageBuildState {
    const state = this.#states.find((candidate) => candidate.name === name);
    if (!state) throw new Error(`no image named ${name} in this display`);
    return state;
  }

  start(name: string, origin?: string): void {
    const state = this.#state(name);
    startImageBuild(state, this.#now());
    if (!this.#options.live) {
      this.#options.write(`[${sanitizeTerminal(name)}] building${origin ? ` (${sanitizeTerminal(origin)})` : ""}\n`);
      return;
    }
    this.#redraw();
    if (!this.#timer) {
      this.#timer = setInterval(() => this.#redraw(), this.#options.redrawIntervalMs ?? 150);
      this.#timer.unref();
    }
  }

  event(name: string, event: BuildEvent): void {
    const state = this.#state(name);
    const completed = applyBuildEvent(state, event);
    if (this.#options.live) return; // the timer redraws
    for (const step of completed) this.#options.write(`${formatStepLine(state, step)}\n`);
    // The engine's other messages ("Successfully tagged ...") repeat what the table says.
    if (event.type === "message" && event.text.startsWith("warning:")) this.#options.write(`[${sanitizeTerminal(name)}] ${sanitizeTerminal(event.text)}\n`);
  }

  finish(name: string, ok: boolean): void {
    const state = this.#state(name);
    finishImageBuild(state, ok, this.#now());
    if (this.#options.live) {
      this.#redraw();
      return;
    }
    const counts = stepCounts(state);
    const elapsed = formatElapsed((state.finishedAt ?? 0) - (state.startedAt ?? 0));
    this.#options.write(`[${sanitizeTerminal(name)}] ${ok ? "done" : "FAILED"} in ${elapsed} (${counts.done}/${counts.total} steps, ${counts.cached} cached)\n`);
  }

  /** An image that is not built because `reason` (an image it depends on failed). */
  notBuilt(name: string, reason: string): void {
    const state = this.#state(name);
    state.notBuilt = reason;
    finishImageBuild(state, false, this.#now());
    if (this.#options.live) this.#redraw();
    else this.#options.write(`[${sanitizeTerminal(name)}] not built: ${sanitizeTerminal(reason)}\n`);
  }

  /** Stops redrawing; the last status lines stay on screen. */
  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#options.live) this.#redraw();
  }

  #redraw(): void {
    const now = this.#now();
    const width = this.#options.columns?.();
    // One column less than the terminal: writing the last column makes some terminals wrap.
    const lineWidth = width !== undefined && width > 1 ? width - 1 : undefined;
    const lines = this.#states.map((state) => this.#paint(state, formatStatusLine(state, { now, width: lineWidth })));
    let text = this.#drawnLines > 0 ? CURSOR_UP(this.#drawnLines) : "";
    for (const line of lines) text += `${CLEAR_LINE}${line}\n`;
    this.#drawnLines = lines.length;
    this.#options.write(text);
  }

  #paint(state: ImageBuildState, line: string): string {
    const style: Style | undefined = state.status === "done" ? "green" : state.status === "failed" ? "red" : state.status === "waiting" ? "dim" : undefined;
    return style === undefined ? line : paint(this.#options.color, style, line);
  }
}
