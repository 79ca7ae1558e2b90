// The project's user-facing errors: what a person running shipshape can fix (a wrong option, a
// bad config file, no engine at DOCKER_HOST, an unusable metrics database). The CLI prints their
// message as one line and exits 2; any other error is a bug and is reported with its stack.
// This module sits at the bottom: it imports nothing, and every layer may throw these.

/** An error the user can act on; the message says what is wrong and what to do. */
export class UserError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A wrong command line: an unknown or invalid option, a path that does not exist. */
export class UsageError extends UserError {}

/** A shipshape.config.* file that cannot be read, parsed or validated. */
export class ConfigError extends UserError {}

/** No Docker Engine answers (or it is too old). */
export class EngineUnavailableError extends UserError {}

/** The engine driver asked for cannot be used (`--driver buildx` without the plugin). */
export class EngineDriverError extends UserError {}

/** DOCKER_HOST names an address shipshape cannot reach (ssh://, an unknown scheme). */
export class DockerHostError extends UserError {}

export type MetricsStoreErrorReason = "busy" | "corrupt" | "newer-schema" | "foreign-database" | "unavailable" | "io";

/** A metrics database that cannot be used (locked, corrupt, newer schema, not ours). */
export class MetricsStoreError extends UserError {
  readonly reason: MetricsStoreErrorReason;
  constructor(reason: MetricsStoreErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

/**
 * A YAML parser error (the `yaml` package's YAMLParseError) as a reason and a position: its
 * message ends in "at line 5, column 3:" and a code frame, which do not fit on one line.
 */
export function describeYamlError(error: unknown): { reason: string; line?: number; column?: number } {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split("\n")[0] ?? message;
  const reason = firstLine.replace(/(?<!\s)\s*at line \d+, column \d+:?\s*$/, "").trim() || "parse error";
  const position = (error as { linePos?: { line: number; col: number }[] } | null)?.linePos?.[0];
  const fromText = /at line (\d+), column (\d+)/.exec(firstLine);
  const line = position?.line ?? (fromText ? Number(fromText[1]) : undefined);
  const column = position?.col ?? (fromText ? Number(fromText[2]) : undefined);
  return { reason, ...(line !== undefined ? { line } : {}), ...(column !== undefined ? { column } : {}) };
}
