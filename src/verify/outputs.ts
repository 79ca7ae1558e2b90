// Comparing what the two images do: the exit code and output of a smoke run (`--smoke`), and the
// answer of an HTTP endpoint (`--http`). Pure functions over captured results; the runs happen in
// run.ts. Text matching an ignore pattern (timestamps, ids, durations) is replaced by
// "<ignored>" in both images' output before comparing.
import type { Difference } from "./result.ts";

export interface SmokeRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** The runtime refused to start the program (not found, not executable, unknown user). */
  notStarted?: boolean;
}

export interface HttpTarget {
  port: number;
  path: string;
}

export type HttpOutcome = { status: number; contentType: string; body: string } | { error: string };

/** `3000/health` -> { port: 3000, path: "/health" }; `8080` -> path "/". */
export function parseHttpTarget(text: string): HttpTarget {
  const match = /^(\d{1,5})(\/.*)?$/.exec(text.trim());
  const port = match ? Number(match[1]) : Number.NaN;
  if (!match || port < 1 || port > 65535) throw new Error(`--http expects PORT/PATH (e.g. 3000/health), got ${JSON.stringify(text)}`);
  return { port, path: match[2] ?? "/" };
}

export function applyIgnore(text: string, patterns: readonly RegExp[]): string {
  let result = text;
  for (const pattern of patterns) result = result.replace(new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : `${pattern.flags}g`), "<ignored>");
  return result;
}

function clip(text: string, max = 120): string {
  const oneLine = JSON.stringify(text);
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

/** Where two texts first differ: "line 3: \"a\" vs \"b\"". */
export function firstDifference(before: string, after: string): string {
  const beforeLines = before.split("\n");
  const afterLines = after.split("\n");
  const count = Math.max(beforeLines.length, afterLines.length);
  for (let index = 0; index < count; index++) {
    const a = beforeLines[index];
    const b = afterLines[index];
    if (a === b) continue;
    return `line ${index + 1}: ${a === undefined ? "(no line)" : clip(a)} vs ${b === undefined ? "(no line)" : clip(b)}`;
  }
  return "identical";
}

/** Exit code, timeout, stdout and stderr of one smoke run in both images. */
export function compareSmoke(args: string, before: SmokeRun, after: SmokeRun, ignore: readonly RegExp[]): Difference[] {
  const subject = `--smoke ${args === "" ? "(default command)" : args}`;
  const differences: Difference[] = [];
  if (before.notStarted && after.notStarted) {
    return [{ kind: "smoke", severity: "note", subject, before: before.stderr.trim(), after: after.stderr.trim(), message: "Neither image could start it." }];
  }
  if (before.timedOut !== after.timedOut) {
    differences.push({ kind: "smoke", severity: "difference", subject, before: before.timedOut ? "timed out" : "finished", after: after.timedOut ? "timed out" : "finished", message: "Only one image finished within the time limit." });
  }
  if (before.exitCode !== after.exitCode) {
    differences.push({ kind: "smoke", severity: "difference", subject, before: `exit ${before.exitCode}`, after: `exit ${after.exitCode}`, message: `Exit codes differ.${after.stderr.trim() !== "" ? ` AFTER's stderr: ${clip(after.stderr.trim().split("\n").slice(-3).join("\n"), 300)}` : ""}` });
  }
  for (const stream of ["stdout", "stderr"] as const) {
    const a = applyIgnore(before[stream], ignore);
    const b = applyIgnore(after[stream], ignore);
    if (a === b) continue;
    differences.push({ kind: "smoke", severity: "difference", subject, before: `${before[stream].length} bytes`, after: `${after[stream].length} bytes`, message: `${stream} differs at ${firstDifference(a, b)}.` });
  }
  return differences;
}

/** Masks ignored text inside every string of a JSON value. */
function maskJson(value: unknown, ignore: readonly RegExp[]): unknown {
  if (typeof value === "string") return applyIgnore(value, ignore);
  if (Array.isArray(value)) return value.map((item) => maskJson(item, ignore));
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, maskJson(item, ignore)]));
  return value;
}

/** JSON paths where two values differ structurally (object key order does not matter), at most `limit`. */
export function jsonDifferences(before: unknown, after: unknown, path = "$", limit = 10): string[] {
  const found: string[] = [];
  const visit = (a: unknown, b: unknown, at: string): void => {
    if (found.length >= limit) return;
    if (Array.isArray(a) && Array.isArray(b)) {
      if (a.length !== b.length) found.push(`${at} has ${a.length} items vs ${b.length}`);
      for (let index = 0; index < Math.min(a.length, b.length); index++) visit(a[index], b[index], `${at}[${index}]`);
      return;
    }
    const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);
    if (isObject(a) && isObject(b)) {
      for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
        const child = /^[A-Za-z_$][\w$]*$/.test(key) ? `${at}.${key}` : `${at}[${JSON.stringify(key)}]`;
        if (!(key in b)) found.push(`${child} only in BEFORE`);
        else if (!(key in a)) found.push(`${child} only in AFTER`);
        else visit(a[key], b[key], child);
        if (found.length >= limit) return;
      }
      return;
    }
    const show = (value: unknown): string => {
      const text = JSON.stringify(value) ?? "undefined";
      return text.length <= 60 ? text : `${text.slice(0, 59)}…`;
    };
    if (!Object.is(a, b)) found.push(`${at}: ${show(a)} vs ${show(b)}`);
  };
  visit(before, after, path);
  return found;
}

function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

function mediaType(contentType: string): string {
  return (contentType.split(";")[0] ?? "").trim().toLowerCase();
}

/** Status, media type and body of one endpoint in both images; JSON bodies are compared as values. */
export function compareHttp(target: HttpTarget, before: HttpOutcome, after: HttpOutcome, ignore: readonly RegExp[]): Difference[] {
  const subject = `GET ${target.path}`;
  if ("error" in before || "error" in after) {
    if ("error" in before && "error" in after) return [{ kind: "http", severity: "note", subject, before: before.error, after: after.error, message: "Neither image answered." }];
    return [{ kind: "http", severity: "difference", subject, before: "error" in before ? before.error : `HTTP ${before.status}`, after: "error" in after ? after.error : `HTTP ${after.status}`, message: "Only one image answered." }];
  }
  const differences: Difference[] = [];
  if (before.status !== after.status) differences.push({ kind: "http", severity: "difference", subject, before: `HTTP ${before.status}`, after: `HTTP ${after.status}`, message: "Status codes differ." });
  if (mediaType(before.contentType) !== mediaType(after.contentType)) {
    differences.push({ kind: "http", severity: "difference", subject, before: before.contentType || "(none)", after: after.contentType || "(none)", message: "Content types differ." });
  }
  const beforeJson = parseJson(before.body);
  const afterJson = parseJson(after.body);
  const isJson = mediaType(before.contentType).includes("json") || mediaType(after.contentType).includes("json") || (beforeJson !== undefined && afterJson !== undefined);
  if (isJson && beforeJson && afterJson) {
    const paths = jsonDifferences(maskJson(beforeJson.value, ignore), maskJson(afterJson.value, ignore));
    if (paths.length > 0) differences.push({ kind: "http", severity: "difference", subject, message: `JSON bodies differ: ${paths.join("; ")}.` });
    return differences;
  }
  const a = applyIgnore(before.body, ignore);
  const b = applyIgnore(after.body, ignore);
  if (a !== b) differences.push({ kind: "http", severity: "difference", subject, before: `${before.body.length} bytes`, after: `${after.body.length} bytes`, message: `Bodies differ at ${firstDifference(a, b)}.` });
  return differences;
}
