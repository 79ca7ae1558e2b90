// The only part of the audit that reads the disk: walks a directory into a RepoSnapshot.
import fs from "node:fs";
import path from "node:path";
import { decodeText } from "./decode.ts";
import { createGitignoreSet } from "./gitignore.ts";
import { isAuditedTextFile, isVendoredPath } from "./kinds.ts";
import type { RepoFile, RepoSnapshot } from "./snapshot.ts";

export const MAX_WALKED_FILES = 500_000;

/** Walks `root` (a directory) recording every file with its size, reading the files the audit needs. */
export function scanDirectory(root: string): RepoSnapshot {
  const absoluteRoot = path.resolve(root);
  let realRoot = absoluteRoot;
  try {
    realRoot = fs.realpathSync(absoluteRoot);
  } catch {
    // unreadable root: the walk reports it
  }
  const files: RepoFile[] = [];
  const texts = new Map<string, string>();
  const readErrors = new Map<string, string>();
  const unreadableDirectories = new Map<string, string>();
  const gitignore = createGitignoreSet();
  let truncated: string | undefined;

  const walk = (relativeDir: string, ignoredDir: boolean): void => {
    if (truncated) return;
    const absoluteDir = relativeDir === "" ? absoluteRoot : path.join(absoluteRoot, relativeDir);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(absoluteDir, { withFileTypes: true });
    } catch (error) {
      unreadableDirectories.set(relativeDir || ".", `cannot list directory: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      return;
    }
    if (!ignoredDir && entries.some((entry) => entry.name === ".gitignore" && entry.isFile())) {
      const text = readSmallText(path.join(absoluteDir, ".gitignore"));
      if (text !== undefined) gitignore.add(relativeDir, text);
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const relative = relativeDir === "" ? entry.name : `${relativeDir}/${entry.name}`;
      if (entry.isDirectory()) {
        walk(relative, ignoredDir || entry.name === ".git" || gitignore.ignores(relative, true));
        continue;
      }
      if (!entry.isFile() && !entry.isSymbolicLink()) continue;
      if (files.length >= MAX_WALKED_FILES) {
        truncated = `stopped after ${MAX_WALKED_FILES} files; context sizes are lower bounds`;
        return;
      }
      const absolute = path.join(absoluteDir, entry.name);
      let size = 0;
      if (entry.isSymbolicLink()) {
        // Followed when it resolves to a file inside the repository: audited under the link's path.
        const link = followLink(absolute, realRoot);
        const gitignoredLink = ignoredDir || gitignore.ignores(relative, false);
        if ("error" in link) {
          files.push({ path: relative, size: 0, gitignored: gitignoredLink });
          if (!gitignoredLink && !isVendoredPath(relative) && isAuditedTextFile(entry.name)) readErrors.set(relative, link.error);
          continue;
        }
        files.push({ path: relative, size: link.size, gitignored: gitignoredLink });
        if (!gitignoredLink && !isVendoredPath(relative) && isAuditedTextFile(entry.name)) readInto(link.target, relative, texts, readErrors);
        continue;
      }
      if (entry.isFile()) {
        try {
          size = fs.statSync(absolute).size;
        } catch {
          size = 0;
        }
      }
      const gitignored = ignoredDir || gitignore.ignores(relative, false);
      files.push({ path: relative, size, gitignored });
      if (entry.isFile() && !gitignored && !isVendoredPath(relative) && isAuditedTextFile(entry.name)) {
        readInto(absolute, relative, texts, readErrors);
      }
    }
  };
  walk("", false);
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const snapshot: RepoSnapshot = { root: absoluteRoot, files, texts, readErrors };
  if (truncated) snapshot.truncated = truncated;
  if (unreadableDirectories.size > 0) snapshot.unreadableDirectories = unreadableDirectories;
  return snapshot;
}

/** Snapshot of a single file given on the command line: its directory is walked as context. */
export function scanFile(filePath: string): { snapshot: RepoSnapshot; target: string } {
  const absolute = path.resolve(filePath);
  const snapshot = scanDirectory(path.dirname(absolute));
  const target = path.basename(absolute);
  if (!snapshot.texts.has(target) && !snapshot.readErrors.has(target)) readInto(absolute, target, snapshot.texts, snapshot.readErrors);
  if (!snapshot.files.some((file) => file.path === target)) {
    snapshot.files.push({ path: target, size: safeSize(absolute), gitignored: false });
    snapshot.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
  return { snapshot, target };
}

/** A symbolic link's file, if it resolves to a regular file within the repository. */
function followLink(absolute: string, realRoot: string): { target: string; size: number } | { error: string } {
  let target: string;
  try {
    target = fs.realpathSync(absolute);
  } catch (error) {
    return { error: `symbolic link is broken (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}: ${readLinkText(absolute)})` };
  }
  if (!target.startsWith(`${realRoot}${path.sep}`)) return { error: `symbolic link points outside the repository (to ${readLinkText(absolute)}); not followed` };
  try {
    const stat = fs.statSync(target);
    if (!stat.isFile()) return { error: `symbolic link points to a ${stat.isDirectory() ? "directory" : "special file"}, not a file` };
    return { target, size: stat.size };
  } catch (error) {
    return { error: `cannot read link target: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
}

function readLinkText(absolute: string): string {
  try {
    return fs.readlinkSync(absolute);
  } catch {
    return "?";
  }
}

function readInto(absolute: string, relative: string, texts: Map<string, string>, errors: Map<string, string>): void {
  try {
    const decoded = decodeText(fs.readFileSync(absolute));
    if ("error" in decoded) errors.set(relative, decoded.error);
    else texts.set(relative, decoded.text);
  } catch (error) {
    errors.set(relative, `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function readSmallText(absolute: string): string | undefined {
  try {
    const decoded = decodeText(fs.readFileSync(absolute));
    return "text" in decoded ? decoded.text : undefined;
  } catch {
    return undefined;
  }
}

function safeSize(absolute: string): number {
  try {
    return fs.statSync(absolute).size;
  } catch {
    return 0;
  }
}
