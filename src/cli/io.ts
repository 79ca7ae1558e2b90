// What a command gets from the outside world: output streams, the directory relative paths
// resolve against, the environment. Tests pass their own; the entry point passes the process's.
// Imports no command, so every command file can use it without a cycle through the dispatcher.

import path from "node:path";

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Relative paths on the command line resolve against this (npm's INIT_CWD under `npm run`). */
  cwd: string;
  env: Record<string, string | undefined>;
  isTTY: boolean;
  /** Whether stderr is a terminal (live progress); defaults to false. */
  stderrIsTTY?: boolean;
}

/**
 * The directory the user typed the command in. `npm run` (and `npx`) start the program in the
 * package root and put the user's directory in INIT_CWD: `cd examples/shop && npm run shipshape
 * -- audit .` means examples/shop. A script that changed directory itself (`cd sub && shipshape
 * audit .`) keeps its own: INIT_CWD applies only while the process still runs where npm started
 * it (the directory of npm_package_json) and INIT_CWD is inside it.
 */
export function invocationCwd(processCwd: string, env: Record<string, string | undefined>): string {
  const initCwd = env.INIT_CWD;
  if (initCwd === undefined || initCwd === "" || !path.isAbsolute(initCwd)) return processCwd;
  const packageJson = env.npm_package_json;
  if (packageJson !== undefined && packageJson !== "" && path.resolve(path.dirname(packageJson)) !== path.resolve(processCwd)) return processCwd;
  const relative = path.relative(processCwd, initCwd);
  const inside = relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
  return inside ? path.resolve(initCwd) : processCwd;
}
