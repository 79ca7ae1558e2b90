// Line diffs for `shipshape fix` without --write: Myers' O(ND) shortest edit script over lines,
// rendered as a git-style unified diff (3 lines of context) that `git apply` and `patch -p1`
// accept. Pure.
//
// A line is compared with its terminator, so adding or removing the final newline is a change
// (shown with git's "\ No newline at end of file"), and a CRLF line stays CRLF in the output.

export type DiffOperation = { kind: "equal"; oldIndex: number; newIndex: number } | { kind: "delete"; oldIndex: number } | { kind: "insert"; newIndex: number };

/** Lines of a text, each with its "\n" (the last one may lack it). */
export function splitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let index = text.indexOf("\n"); index >= 0; index = text.indexOf("\n", start)) {
    lines.push(text.slice(start, index + 1));
    start = index + 1;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

/** A shortest edit script turning `before` into `after` (Myers 1986: greedy forward search, then backtracking). */
export function diffSequences(before: readonly string[], after: readonly string[]): DiffOperation[] {
  const n = before.length;
  const m = after.length;
  const offset = n + m + 1;
  // furthest[k + offset]: the furthest x reached on diagonal k = x - y. trace[d]: a copy taken before step d.
  const furthest = new Int32Array(2 * offset + 1);
  const at = (values: Int32Array, k: number): number => values[k + offset] ?? 0;
  const trace: Int32Array[] = [];
  search: for (let d = 0; d <= n + m; d++) {
    trace.push(furthest.slice());
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && at(furthest, k - 1) < at(furthest, k + 1));
      let x = down ? at(furthest, k + 1) : at(furthest, k - 1) + 1;
      let y = x - k;
      while (x < n && y < m && before[x] === after[y]) {
        x++;
        y++;
      }
      furthest[k + offset] = x;
      if (x >= n && y >= m) break search;
    }
  }

  const operations: DiffOperation[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const values = trace[d] as Int32Array;
    const k = x - y;
    const down = k === -d || (k !== d && at(values, k - 1) < at(values, k + 1));
    const previousK = down ? k + 1 : k - 1;
    const previousX = d === 0 ? 0 : at(values, previousK);
    const previousY = d === 0 ? 0 : previousX - previousK;
    while (x > previousX && y > previousY) {
      x--;
      y--;
      operations.push({ kind: "equal", oldIndex: x, newIndex: y });
    }
    if (d === 0) break;
    if (x === previousX) operations.push({ kind: "insert", newIndex: previousY });
    else operations.push({ kind: "delete", oldIndex: previousX });
    x = previousX;
    y = previousY;
  }
  return operations.reverse();
}

export interface FileDiffInput {
  path: string;
  /** Undefined for a file the fix creates. */
  before: string | undefined;
  after: string;
}

/** A git-style unified diff of one file; "" when nothing changed. */
export function unifiedDiff(change: FileDiffInput, context = 3): string {
  const before = change.before ?? "";
  if (change.before !== undefined && before === change.after) return "";
  const oldLines = splitLines(before);
  const newLines = splitLines(change.after);
  const operations = diffSequences(oldLines, newLines);
  const header = [`diff --git a/${change.path} b/${change.path}`];
  if (change.before === undefined) header.push("new file mode 100644", "--- /dev/null");
  else header.push(`--- a/${change.path}`);
  header.push(`+++ b/${change.path}`);
  return `${header.join("\n")}\n${renderHunks(operations, oldLines, newLines, context)}`;
}

function renderHunks(operations: DiffOperation[], oldLines: string[], newLines: string[], context: number): string {
  const changed = operations.map((operation, index) => (operation.kind === "equal" ? -1 : index)).filter((index) => index >= 0);
  let output = "";
  let cursor = 0;
  while (cursor < changed.length) {
    // A hunk runs from context lines before its first change to context lines after its last;
    // changes separated by at most 2 * context equal lines share a hunk.
    let last = changed[cursor] as number;
    let next = cursor + 1;
    while (next < changed.length && (changed[next] as number) - last - 1 <= 2 * context) {
      last = changed[next] as number;
      next++;
    }
    const first = changed[cursor] as number;
    const from = Math.max(0, first - context);
    const to = Math.min(operations.length, last + context + 1);
    output += renderHunk(operations.slice(from, to), operations.slice(0, from), oldLines, newLines);
    cursor = next;
  }
  return output;
}

function renderHunk(hunk: DiffOperation[], beforeHunk: DiffOperation[], oldLines: string[], newLines: string[]): string {
  const oldStart = beforeHunk.filter((operation) => operation.kind !== "insert").length;
  const newStart = beforeHunk.filter((operation) => operation.kind !== "delete").length;
  const oldCount = hunk.filter((operation) => operation.kind !== "insert").length;
  const newCount = hunk.filter((operation) => operation.kind !== "delete").length;
  let body = "";
  for (const operation of hunk) {
    if (operation.kind === "equal") body += renderLine(" ", oldLines[operation.oldIndex] ?? "");
    else if (operation.kind === "delete") body += renderLine("-", oldLines[operation.oldIndex] ?? "");
    else body += renderLine("+", newLines[operation.newIndex] ?? "");
  }
  return `@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@\n${body}`;
}

/** `start,count` with git's conventions: 1-based start, ",1" omitted, an empty range starts at the line before it. */
function range(linesBefore: number, count: number): string {
  if (count === 0) return `${linesBefore},0`;
  return count === 1 ? `${linesBefore + 1}` : `${linesBefore + 1},${count}`;
}

function renderLine(marker: string, line: string): string {
  return line.endsWith("\n") ? `${marker}${line}` : `${marker}${line}\n\\ No newline at end of file\n`;
}
