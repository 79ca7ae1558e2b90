// Atomic writes: a reader never sees a half-written report or Dockerfile, and an interrupted write
// leaves no temporary file behind.
import fs from "node:fs";
import path from "node:path";

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

export function writeFileAtomic(target: string, content: string): void {
  const directory = path.dirname(target);
  const temporary = path.join(directory, `.${path.basename(target)}.${process.pid}.${Date.now()}.tmp`);
  let mode: number | undefined;
  try {
    mode = fs.statSync(target).mode & 0o777;
  } catch {
    mode = undefined;
  }
  const release = holdSignals(temporary);
  try {
    fs.writeFileSync(temporary, content, mode === undefined ? undefined : { mode });
    fs.renameSync(temporary, target);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  } finally {
    release();
  }
}

/**
 * While the temporary file exists, Ctrl-C (or a TERM/HUP) must not kill the process between
 * creating it and renaming it, which would leave a `.tmp` the size of the report. A listener
 * turns the signal's default action off; the write is synchronous, so the listener runs after it,
 * once the event loop turns: it removes the temporary file if still there and re-raises the
 * signal with the default action, so the process still ends as interrupted. Listeners are
 * released on the next turn, after any pending signal was delivered to them.
 */
function holdSignals(temporary: string): () => void {
  const handlers = SIGNALS.map((signal) => {
    const handler = (): void => {
      fs.rmSync(temporary, { force: true });
      detach();
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  let detached = false;
  const detach = (): void => {
    if (detached) return;
    detached = true;
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
  };
  return () => {
    setImmediate(detach).unref();
  };
}
