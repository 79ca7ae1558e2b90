// Progress of `shipshape optimize` on stderr. On a terminal: finished steps as lines, and one
// status line under them, redrawn every second, with the phase, what runs now (which image, which
// scenario) and the elapsed time. Elsewhere (CI logs, pipes): plain lines only, no escape codes.
import { formatElapsed } from "../format/index.ts";

export interface OptimizeProgress {
  /** A new phase: "baseline", "audit", "fix", "consolidate", "measure", "documents". */
  phase(name: string): void;
  /** A finished step or a message, kept in the log. */
  line(text: string): void;
  /** What runs now (replaced by the next status or line). */
  status(text: string): void;
  /** Stops the timer and clears the status line. */
  finish(): void;
}

export interface ProgressOptions {
  write: (text: string) => void;
  isTTY: boolean;
  now?: () => number;
  /** Redraw interval on a terminal (ms). */
  intervalMs?: number;
}

const PREFIX = "shipshape optimize";

export function createProgress(options: ProgressOptions): OptimizeProgress {
  const now = options.now ?? (() => performance.now());
  const started = now();
  let phase = "";
  let phaseStarted = started;
  let current = "";
  if (!options.isTTY) {
    return {
      phase: (name) => {
        phase = name;
        options.write(`${PREFIX}: [${name}] started at ${formatElapsed(now() - started)}\n`);
      },
      line: (text) => options.write(`${PREFIX}: [${phase}] ${text}\n`),
      // Plain output keeps only lines: a status that is replaced a second later is noise in a log.
      status: () => undefined,
      finish: () => undefined,
    };
  }
  const clear = "\r\u001b[2K";
  const draw = (): void => {
    const text = `${PREFIX} ▸ ${phase} ${formatElapsed(now() - phaseStarted)}${current !== "" ? ` · ${current}` : ""} (total ${formatElapsed(now() - started)})`;
    options.write(`${clear}${text.length > 160 ? `${text.slice(0, 159)}…` : text}`);
  };
  const timer = setInterval(draw, options.intervalMs ?? 1000);
  timer.unref();
  return {
    phase: (name) => {
      if (phase !== "") options.write(`${clear}✓ ${phase} done in ${formatElapsed(now() - phaseStarted)}\n`);
      phase = name;
      phaseStarted = now();
      current = "";
      draw();
    },
    line: (text) => {
      options.write(`${clear}  ${text}\n`);
      draw();
    },
    status: (text) => {
      current = text;
      draw();
    },
    finish: () => {
      clearInterval(timer);
      options.write(`${clear}${phase !== "" ? `✓ ${phase} done in ${formatElapsed(now() - phaseStarted)}\n` : ""}`);
    },
  };
}
