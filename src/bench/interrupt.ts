// Ctrl-C (and TERM/HUP) for the commands that leave things behind while they work: temporary
// copies of build contexts, tagged images, verify containers. The first signal aborts the work
// (an AbortSignal every build and copy honours) so that the `finally` blocks remove what was made;
// later signals only say that clean-up is under way: the default action (exit at once) would
// leave the copy and the images behind, which is what `shipshape bench` used to do on a second
// Ctrl-C or on TERM/HUP.
import type { EventEmitter } from "node:events";

export const INTERRUPT_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
export type InterruptSignal = (typeof INTERRUPT_SIGNALS)[number];

/** What a shell reports for a program stopped by a signal: 128 + its number. */
export const INTERRUPT_EXIT_CODES: Readonly<Record<InterruptSignal, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

export interface InterruptTrap {
  /** Aborted by the first signal. */
  signal: AbortSignal;
  /** The first signal received, if any. */
  received(): InterruptSignal | undefined;
  /** The exit code for the signal received (130 for SIGINT), or undefined. */
  exitCode(): number | undefined;
  /** Removes the listeners (call it in a finally, after the clean-up ran). */
  release(): void;
}

export interface TrapOptions {
  /** Said once, on the first signal ("interrupted; removing ..."). */
  onFirst?: (signal: InterruptSignal) => void;
  /** Said on every later signal while clean-up runs. */
  onRepeat?: (signal: InterruptSignal) => void;
  /** The process (tests pass an EventEmitter). */
  target?: Pick<EventEmitter, "on" | "removeListener">;
}

export function trapInterrupts(options: TrapOptions = {}): InterruptTrap {
  const target = options.target ?? process;
  const controller = new AbortController();
  let first: InterruptSignal | undefined;
  const handlers = INTERRUPT_SIGNALS.map((name) => {
    const handler = (): void => {
      if (first === undefined) {
        first = name;
        options.onFirst?.(name);
        const error = new Error(`interrupted by ${name}`);
        error.name = "AbortError";
        controller.abort(error);
      } else options.onRepeat?.(name);
    };
    target.on(name, handler);
    return [name, handler] as const;
  });
  let released = false;
  return {
    signal: controller.signal,
    received: () => first,
    exitCode: () => (first === undefined ? undefined : INTERRUPT_EXIT_CODES[first]),
    release: () => {
      if (released) return;
      released = true;
      for (const [name, handler] of handlers) target.removeListener(name, handler);
    },
  };
}
