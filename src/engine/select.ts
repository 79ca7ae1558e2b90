// Picks the Engine: buildx when the docker CLI has it (what users run), otherwise the Engine
// API (always there when an engine is). `--driver api|buildx` overrides the choice.
import { ApiEngine } from "./api-engine.ts";
import { BuildxEngine, buildxAvailable } from "./buildx-engine.ts";
import type { Engine } from "./types.ts";
import { EngineDriverError } from "../errors.ts";

export type EngineDriver = "api" | "buildx" | "auto";

export const ENGINE_DRIVERS: readonly EngineDriver[] = ["auto", "api", "buildx"];

export interface CreateEngineOptions {
  driver?: EngineDriver;
  env?: NodeJS.ProcessEnv;
  /** The docker CLI for the buildx driver (default "docker"). */
  dockerBinary?: string;
  /** A buildx builder (`--builder NAME`): builds go through buildx on it, whatever the driver default. */
  builder?: string;
}

export function isEngineDriver(value: string): value is EngineDriver {
  return (ENGINE_DRIVERS as readonly string[]).includes(value);
}

export async function createEngine(options: CreateEngineOptions = {}): Promise<Engine> {
  const env = options.env ?? process.env;
  const driver = options.driver ?? "auto";
  const dockerBinary = options.dockerBinary ?? "docker";
  if (!isEngineDriver(driver)) throw new EngineDriverError(`unknown engine driver "${String(driver)}": expected ${ENGINE_DRIVERS.join(", ")}`);
  const api = new ApiEngine({ env });
  if (options.builder !== undefined && driver === "api") throw new EngineDriverError(`--builder ${options.builder} builds through buildx; it cannot be combined with --driver api`);
  if (driver === "api") return api;
  const hasBuildx = await buildxAvailable(env, dockerBinary);
  if (options.builder !== undefined) {
    if (!hasBuildx) throw new EngineDriverError(`--builder ${options.builder}: \`${dockerBinary} buildx version\` failed; install the buildx plugin`);
    return new BuildxEngine({ env, dockerBinary, api, builder: options.builder });
  }
  if (driver === "buildx" && !hasBuildx) {
    throw new EngineDriverError(`--driver buildx: \`${dockerBinary} buildx version\` failed; install the buildx plugin or use --driver api`);
  }
  return hasBuildx ? new BuildxEngine({ env, dockerBinary, api }) : api;
}
