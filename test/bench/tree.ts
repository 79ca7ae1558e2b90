// Test helpers for the bench: write a directory tree, and fingerprint one (names, types, modes,
// contents, link targets, mtimes) to prove a run left it as it was.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export type TreeEntry = string | { link: string } | { mode: number; text: string };

export function writeTree(root: string, files: Record<string, TreeEntry>): string {
  fs.mkdirSync(root, { recursive: true });
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(root, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (typeof content === "string") fs.writeFileSync(file, content);
    else if ("link" in content) fs.symlinkSync(content.link, file);
    else fs.writeFileSync(file, content.text, { mode: content.mode });
  }
  return root;
}

export function treeFingerprint(root: string): string {
  const hash = createHash("sha256");
  const walk = (relative: string): void => {
    const absolute = path.join(root, relative);
    for (const name of fs.readdirSync(absolute).sort()) {
      const child = relative === "" ? name : `${relative}/${name}`;
      const stat = fs.lstatSync(path.join(root, child));
      hash.update(`${child}\0${stat.mode}\0${stat.mtimeMs}\0`);
      if (stat.isSymbolicLink()) hash.update(fs.readlinkSync(path.join(root, child)));
      else if (stat.isDirectory()) walk(child);
      else hash.update(fs.readFileSync(path.join(root, child)));
      hash.update("\0");
    }
  };
  walk("");
  return hash.digest("hex");
}
