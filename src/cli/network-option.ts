// `--network NAME` of build, bench, verify and fix --verify, with SHIPSHAPE_NETWORK and the config's
// `build.network` behind it (src/engine/network.ts). The config is read only when neither is set.
import fs from "node:fs";
import path from "node:path";
import { findConfigFile, loadConfigFile } from "../audit/audit-paths.ts";
import { chooseNetwork, NETWORK_ENV } from "../engine/network.ts";
import type { CliIO } from "./io.ts";

export const NETWORK_HELP = `  --network NAME                     network of builds and probe containers (default: the engine's; env ${NETWORK_ENV}, config build.network)\n`;

/** The network for a command run on `given` (a directory or a file: the config is looked for next to it, then in the current directory). */
export function networkOption(flag: string | undefined, io: Pick<CliIO, "env" | "cwd">, given: string): string | undefined {
  const chosen = chooseNetwork(flag, io.env);
  if (chosen !== undefined) return chosen;
  const absolute = path.resolve(io.cwd, given);
  const directory = fs.statSync(absolute, { throwIfNoEntry: false })?.isDirectory() ? absolute : path.dirname(absolute);
  const file = findConfigFile(directory, io.cwd);
  return chooseNetwork(undefined, io.env, file !== undefined ? loadConfigFile(file).build?.network : undefined);
}
