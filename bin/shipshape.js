#!/usr/bin/env node
// Published packages run the compiled dist/; a checkout runs the TypeScript sources
// directly (Node >= 22.18 strips types, but never inside node_modules).
import { existsSync } from "node:fs";
const compiled = new URL("../dist/cli/main.js", import.meta.url);
await import(existsSync(compiled) ? compiled.href : new URL("../src/cli/main.ts", import.meta.url).href);
