// Directories a change moves on purpose: a static site's build output goes from BEFORE's
// `/app/dist` to nginx's `/usr/share/nginx/html` in AFTER. Every file, symlink and empty directory
// BEFORE has under the old place must be at the same relative path under the new one. Pure.
import type { MergedFilesystem } from "./filesystem.ts";
import { joinPath } from "./filesystem.ts";
import type { Difference } from "./result.ts";

export interface MovedDirectory {
  /** The directory in BEFORE ("/app/dist"). */
  before: string;
  /** Where AFTER has it ("/usr/share/nginx/html"). */
  after: string;
}

export interface MovedFilesResult {
  differences: Difference[];
  /** Entries compared, over every move whose BEFORE directory exists. */
  compared: number;
  /** Moves whose BEFORE directory does not exist (the original built nothing there). */
  absent: MovedDirectory[];
}

export function compareMovedDirectories(before: MergedFilesystem, after: MergedFilesystem, moves: readonly MovedDirectory[]): MovedFilesResult {
  const differences: Difference[] = [];
  const absent: MovedDirectory[] = [];
  let compared = 0;
  for (const move of moves) {
    if (before.resolve(move.before)?.node.type !== "directory") {
      absent.push(move);
      continue;
    }
    const missing: string[] = [];
    for (const node of before.walk(move.before)) {
      if (node.type === "directory" && before.list(node.path).length > 0) continue;
      compared++;
      const relative = node.path.slice(move.before.length + 1);
      const wanted = before.resolve(node.path);
      const found = after.resolve(joinPath(move.after, relative));
      const sameKind = found !== undefined && wanted !== undefined && (found.node.type === "directory") === (wanted.node.type === "directory");
      if (!sameKind) missing.push(relative);
    }
    if (missing.length === 0) continue;
    differences.push({
      kind: "moved-file",
      severity: "difference",
      subject: `${move.after}/`,
      before: move.before,
      after: move.after,
      message: `${missing.length} of BEFORE's files under ${move.before} ${missing.length === 1 ? "is" : "are"} not under ${move.after} in AFTER, where the change moves them (e.g. ${missing.slice(0, 3).join(", ")}).`,
      paths: missing.map((relative) => joinPath(move.after, relative)),
    });
  }
  return { differences, compared, absent };
}
