// The one home of human-readable formatting for every command and report: sizes, durations,
// percentages, plurals and lists, aligned tables and terminal colour. Pure functions, at the
// bottom of the architecture (imports nothing from the project), so rules, reporters and
// commands all show one image's size the same way.
//
// Units are Docker's: decimal, as `docker images` prints them (go-units HumanSizeWithPrecision
// with 3 significant digits): 1 kB = 1,000 B, 1 MB = 10^6 B. Never MiB under the name MB.

const BYTE_UNITS = ["B", "kB", "MB", "GB", "TB", "PB"] as const;

/** `999 B`, `1.5 kB`, `74.5 MB`, `250 MB`, `1.23 GB`: three significant digits, decimal units. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  const sign = bytes < 0 ? "-" : "";
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  if (unit === 0) return `${sign}${Math.round(value)} B`;
  let digits = significant(value);
  // 999,950 B rounds to "1000 kB": say "1 MB" instead.
  if (Number(digits) >= 1000 && unit < BYTE_UNITS.length - 1) {
    unit++;
    digits = significant(value / 1000);
  }
  return `${sign}${digits} ${BYTE_UNITS[unit]}`;
}

/** `850 ms`, `1.23 s`, `42.5 s`, `125 s`, `1234 s`: three significant digits. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const sign = ms < 0 ? "-" : "";
  const magnitude = Math.abs(ms);
  if (magnitude < 1000 && Number(significant(magnitude)) < 1000) return `${sign}${significant(magnitude)} ms`;
  const seconds = magnitude / 1000;
  return `${sign}${seconds >= 1000 ? String(Math.round(seconds)) : significant(seconds)} s`;
}

/** BuildKit's live-progress timer: `12.3s`, `2m05s` (one decimal under a minute). */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  const rest = Math.floor(seconds - minutes * 60);
  return `${minutes}m${String(rest).padStart(2, "0")}s`;
}

/** A fraction (0.25) as a percentage (`25.0%`); `∞%` for an infinite ratio. */
export function formatPercent(fraction: number, decimals = 1): string {
  if (Number.isNaN(fraction)) return "n/a";
  if (!Number.isFinite(fraction)) return `${fraction < 0 ? "-" : ""}∞%`;
  return `${(fraction * 100).toFixed(decimals)}%`;
}

/** Go's %.3g without exponent: 3 significant digits, trailing zeros dropped. */
function significant(value: number): string {
  if (value >= 1000) return String(Math.round(value));
  return String(Number(value.toPrecision(3)));
}

/** `1 file`, `2 files`, `1,204 files`; `plural(2, "fix", "fixes")`. */
export function plural(count: number, word: string, many = `${word}s`): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? word : many}`;
}

/** `a`, `a and b`, `a, b and c`. */
export function joinWithAnd(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1) ?? ""}`;
}

// ---- tables ----------------------------------------------------------------------------------

export interface TableOptions {
  /** Columns padded on the left (numbers); the others are padded on the right. */
  rightAligned?: ReadonlySet<number>;
  /** Between columns (default two spaces). */
  separator?: string;
}

/**
 * Rows of cells as aligned lines: each column as wide as its widest cell (counted in code points),
 * the last column never padded, trailing spaces trimmed. Colour goes on after alignment
 * (paintCells), so escape codes never count towards a width.
 */
export function alignColumns(rows: readonly (readonly string[])[], options: TableOptions = {}): string[] {
  return alignCells(rows, options).map((cells) => cells.join(options.separator ?? "  ").trimEnd());
}

/** alignColumns before joining: the padded cells of each row, for callers that colour some cells. */
export function alignCells(rows: readonly (readonly string[])[], options: TableOptions = {}): string[][] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, [...cell].length)));
  return rows.map((row) =>
    row.map((cell, index) => {
      if (index === row.length - 1 && !options.rightAligned?.has(index)) return cell;
      const pad = " ".repeat((widths[index] ?? 0) - [...cell].length);
      return options.rightAligned?.has(index) ? pad + cell : cell + pad;
    }),
  );
}

// ---- colour ----------------------------------------------------------------------------------

const SGR = {
  bold: ["\x1b[1m", "\x1b[22m"],
  dim: ["\x1b[2m", "\x1b[22m"],
  red: ["\x1b[31m", "\x1b[39m"],
  green: ["\x1b[32m", "\x1b[39m"],
  yellow: ["\x1b[33m", "\x1b[39m"],
  cyan: ["\x1b[36m", "\x1b[39m"],
  "bold red": ["\x1b[1;31m", "\x1b[22;39m"],
  "bold green": ["\x1b[1;32m", "\x1b[22;39m"],
} as const;

export type Style = keyof typeof SGR;

/** `text` in a terminal style when `color` is on; empty text stays empty. */
export function paint(color: boolean, style: Style, text: string): string {
  if (!color || text === "") return text;
  const [open, close] = SGR[style];
  return `${open}${text}${close}`;
}

/**
 * Whether to colour terminal output, following Node's documented semantics:
 * FORCE_COLOR set to `1`, `2`, `3`, `true` or the empty string forces colour (and overrides
 * NO_COLOR); FORCE_COLOR set to anything else (`0`, `false`) disables it. Otherwise NO_COLOR or
 * NODE_DISABLE_COLORS with any non-empty value disables colour (https://no-color.org), as does
 * TERM=dumb; else colour follows whether the output is a TTY.
 */
export function shouldUseColor(env: Record<string, string | undefined>, isTTY: boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return ["", "1", "2", "3", "true"].includes(force.trim().toLowerCase());
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.NODE_DISABLE_COLORS !== undefined && env.NODE_DISABLE_COLORS !== "") return false;
  if (env.TERM === "dumb") return false;
  return isTTY;
}

const SIZE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  kib: 1024,
  m: 1e6,
  mb: 1e6,
  mib: 1024 ** 2,
  g: 1e9,
  gb: 1e9,
  gib: 1024 ** 3,
  t: 1e12,
  tb: 1e12,
  tib: 1024 ** 4,
};

/** "20MB" (10^6, like dive's humanize.ParseBytes and Docker's units), "20MiB" (2^20), "1.5GB", "1024". */
export function parseByteSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  if (match === null) return undefined;
  const unit = SIZE_UNITS[(match[2] ?? "").toLowerCase()];
  if (unit === undefined) return undefined;
  return Math.round(Number(match[1]) * unit);
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Go-style durations as configs write them: "90s", "5m", "1h30m", "48h", "7d"; a bare number is seconds. */
export function parseDurationText(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const part = /(\d+(?:\.\d+)?)(ms|[smhd])/y;
  let total = 0;
  let at = 0;
  while (at < trimmed.length) {
    part.lastIndex = at;
    const match = part.exec(trimmed);
    if (match === null) return undefined;
    total += Number(match[1]) * (DURATION_UNITS[match[2] ?? "s"] ?? 1000);
    at = part.lastIndex;
  }
  return at === 0 ? undefined : Math.round(total);
}
