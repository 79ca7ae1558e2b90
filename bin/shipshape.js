#!/usr/bin/env node
// Published packages run the compiled dist/; a checkout runs the TypeScript sources
// directly (Node >= 22.18 strips types, but never inside node_modules).
// Plain JavaScript that any Node can read: check the version before importing anything that
// needs a newer one (type stripping, node:sqlite), so an old Node gets a sentence, not
// ERR_UNKNOWN_FILE_EXTENSION.
import { existsSync } from "node:fs";

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(`shipshape needs Node >= 22.18 (this is ${process.versions.node})\n`);
  process.exit(2);
}
const compiled = new URL("../dist/cli/main.js", import.meta.url);
await import(existsSync(compiled) ? compiled.href : new URL("../src/cli/main.ts", import.meta.url).href);
