// In-memory snapshots: tests, docs examples and the benchmark build repositories from a
// map of path -> content without touching the disk.
import path from "node:path";
import { isAuditedTextFile } from "./kinds.ts";
import type { RepoSnapshot } from "./snapshot.ts";

/** `files` maps POSIX paths to contents; a number stands for a file of that many bytes whose content does not matter. */
export function snapshotFromFiles(files: Record<string, string | number>, root = "(memory)"): RepoSnapshot {
  const texts = new Map<string, string>();
  const entries = Object.entries(files).map(([filePath, content]) => {
    if (typeof content === "string" && isAuditedTextFile(path.posix.basename(filePath))) texts.set(filePath, content);
    const size = typeof content === "number" ? content : Buffer.byteLength(content);
    return { path: filePath, size, gitignored: false };
  });
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { root, files: entries, texts, readErrors: new Map() };
}
