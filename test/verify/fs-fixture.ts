// Merged filesystems for tests, written as a map: path -> text (a file whose content verify
// captured), { link } (symlink), { dir: true }, { elf } (a parsed ELF), { mode } (a plain file).
import type { ElfInfo } from "../../src/verify/elf.ts";
import { parseElf } from "../../src/verify/elf.ts";
import type { FsNode } from "../../src/verify/filesystem.ts";
import { MergedFilesystem } from "../../src/verify/filesystem.ts";
import type { ElfSpec } from "./elf-fixture.ts";
import { buildElf } from "./elf-fixture.ts";

export type FixtureEntry = string | { link: string } | { dir: true } | { elf: ElfSpec; mode?: number } | { mode: number; shebang?: string; text?: string } | { whiteout: true };

export function layer(entries: Record<string, FixtureEntry>): FsNode[] {
  return Object.entries(entries).map(([path, entry]): FsNode => {
    if (typeof entry === "string") return { path, type: "file", size: entry.length, mode: 0o644, content: { text: entry } };
    if ("link" in entry) return { path, type: "symlink", size: 0, mode: 0o777, linkTarget: entry.link };
    if ("dir" in entry) return { path, type: "directory", size: 0, mode: 0o755 };
    if ("whiteout" in entry) return { path, type: "file", size: 0, mode: 0o644 };
    if ("elf" in entry) {
      const elf = parseElf(buildElf(entry.elf)) as ElfInfo;
      return { path, type: "file", size: 1000, mode: entry.mode ?? 0o755, content: { elf } };
    }
    const node: FsNode = { path, type: "file", size: 10, mode: entry.mode };
    if (entry.shebang !== undefined) {
      const [interpreter = "", argument] = entry.shebang.split(" ");
      node.content = argument === undefined ? { shebang: { interpreter } } : { shebang: { interpreter, argument } };
    } else if (entry.text !== undefined) node.content = { text: entry.text };
    return node;
  });
}

export function filesystem(...layers: Record<string, FixtureEntry>[]): MergedFilesystem {
  const merged = new MergedFilesystem();
  for (const entries of layers) merged.applyLayer(layer(entries));
  return merged;
}

/** A Debian-like base: a loader, libc, a shell, env, and the multiarch ld.so.conf. */
export const DEBIAN_BASE: Record<string, FixtureEntry> = {
  "/lib64": { dir: true },
  "/lib64/ld-linux-x86-64.so.2": { link: "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" },
  "/lib": { link: "usr/lib" },
  "/bin": { link: "usr/bin" },
  "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2": { elf: { soname: "ld-linux-x86-64.so.2" }, mode: 0o755 },
  "/usr/lib/x86_64-linux-gnu/libc.so.6": { elf: { soname: "libc.so.6", needed: ["ld-linux-x86-64.so.2"] }, mode: 0o755 },
  "/usr/bin/dash": { elf: { type: 3, interpreter: "/lib64/ld-linux-x86-64.so.2", needed: ["libc.so.6"] } },
  "/usr/bin/sh": { link: "dash" },
  "/usr/bin/env": { elf: { type: 3, interpreter: "/lib64/ld-linux-x86-64.so.2", needed: ["libc.so.6"] } },
  "/etc/ld.so.conf": "include /etc/ld.so.conf.d/*.conf\n",
  "/etc/ld.so.conf.d/x86_64-linux-gnu.conf": "# Multiarch support\n/usr/local/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu\n",
  "/etc/passwd": "root:x:0:0:root:/root:/bin/bash\nnode:x:1000:1000::/home/node:/bin/bash\n",
  "/etc/group": "root:x:0:\nnode:x:1000:\nstaff:x:50:\n",
};
