#!/usr/bin/env -S node --max-semi-space-size=8
// --max-semi-space-size=8 (MB): V8 otherwise grows the young generation to 128 MB during an audit
// of thousands of files; capped, peak RSS of 4,000 real Dockerfiles drops from 537 MB to 370 MB at
// the same CPU time (bench:audit). The flag only takes effect on the command line, hence here.
// An installed package (under node_modules) runs the compiled dist/, built by `prepack`; a checkout
// runs the TypeScript sources directly (Node >= 22.18 strips types, but never inside node_modules),
// so a dist/ left over from `npm pack` never shadows the sources being edited.
// Plain JavaScript that any Node can read: check the version before importing anything that
// needs a newer one (type stripping, node:sqlite), so an old Node gets a sentence, not
// ERR_UNKNOWN_FILE_EXTENSION.
import { existsSync } from "node:fs";
import module from "node:module";
import { fileURLToPath } from "node:url";

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(`shipshape needs Node >= 22.18 (this is ${process.versions.node})\n`);
  process.exit(2);
}
const installed = fileURLToPath(import.meta.url).split(/[\\/]/).includes("node_modules");
const entry = new URL(installed ? "../dist/cli/main.js" : "../src/cli/main.ts", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(`shipshape: ${fileURLToPath(entry)} is missing: install shipshape from a packed tarball (npm pack) or a git URL, which build dist/\n`);
  process.exit(2);
}
// Node's on-disk compile cache (V8 code cache, in the system temporary directory; Node >= 22.1):
// compiling the modules an audit loads is most of a short command's time, and the cache makes a
// one-file audit several times faster from its second run. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
module.enableCompileCache?.();
await import(entry.href);
