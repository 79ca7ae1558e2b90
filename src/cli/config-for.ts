// The shipshape.config.* a command run on PATH uses: next to PATH (its directory), else in the
// current directory; none is fine (defaults).
import fs from "node:fs";
import path from "node:path";
import { findConfigFile, loadConfigFile } from "../audit/audit-paths.ts";
import type { ShipshapeConfig } from "../audit/config.ts";
import type { CliIO } from "./io.ts";

export function configFor(io: Pick<CliIO, "cwd">, given: string): ShipshapeConfig | undefined {
  const absolute = path.resolve(io.cwd, given);
  const directory = fs.statSync(absolute, { throwIfNoEntry: false })?.isDirectory() ? absolute : path.dirname(absolute);
  const file = findConfigFile(directory, io.cwd);
  return file !== undefined ? loadConfigFile(file) : undefined;
}
