// Which network builds and probe containers use. By default none is named, so the engine uses its
// own default (its bridge), as `docker build` and `docker run` do. `--network NAME`, then the
// environment variable SHIPSHAPE_NETWORK, then the config's `build.network` name one ("host" on
// an engine without a bridge network, as in this project's CI).
export const NETWORK_ENV = "SHIPSHAPE_NETWORK";

/** The network to use, or undefined for the engine's default. */
export function chooseNetwork(flag: string | undefined, env: NodeJS.ProcessEnv, configured?: string): string | undefined {
  for (const value of [flag, env[NETWORK_ENV], configured]) {
    const trimmed = value?.trim();
    if (trimmed !== undefined && trimmed !== "") return trimmed;
  }
  return undefined;
}
