// What a command gets from the outside world: output streams, the directory relative paths
// resolve against, the environment. Tests pass their own; the entry point passes the process's.
// Imports nothing, so every command file can use it without a cycle through the dispatcher.

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
