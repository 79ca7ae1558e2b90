// The stderr note about folders the audit did not look into: one summary line, and with
// --verbose one line per folder with the reason. Pure: the CLI writes it.
import path from "node:path";
import { joinWithAnd, plural } from "../format/index.ts";
import type { SkippedFolder } from "../repo/snapshot.ts";

export function describeSkipped(skipped: readonly SkippedFolder[], verbose: boolean): string {
  if (skipped.length === 0) return "";
  const dependency = skipped.filter((folder) => folder.reason === "dependency-or-build");
  const unreadable = skipped.filter((folder) => folder.reason === "unreadable");
  const parts: string[] = [];
  if (dependency.length > 0) {
    const names = [...new Set(dependency.map((folder) => path.posix.basename(folder.path)))].sort();
    parts.push(`${plural(dependency.length, "dependency/build folder")} (${names.join(", ")})`);
  }
  if (unreadable.length > 0) parts.push(`${unreadable.length} unreadable`);
  const lines = [`shipshape: skipped ${plural(skipped.length, "folder")}: ${joinWithAnd(parts)}${verbose ? ":" : "; --verbose lists them"}`];
  if (verbose) for (const folder of skipped) lines.push(`  ${folder.path}/: ${folder.detail}`);
  return `${lines.join("\n")}\n`;
}
