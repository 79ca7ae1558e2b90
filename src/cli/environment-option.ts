// `--env NAME` of build, bench and monitor: a compose file set named in the config's
// `environments:` (`blue: [docker-compose.yml, docker-compose.blue.yml]`), read as
// `docker compose -f docker-compose.yml -f docker-compose.blue.yml` reads it.
import type { ShipshapeConfig } from "../audit/config.ts";
import { UsageError } from "../errors.ts";
import { closestMatch } from "../suggest.ts";

export const ENV_HELP = `  --env NAME                         use the compose file set NAME from the config's environments: (docs/environments.md)\n`;

/** The files of environment `name` (repository-relative), or undefined when no --env was given. */
export function environmentFiles(config: ShipshapeConfig | undefined, name: string | undefined): string[] | undefined {
  if (name === undefined) return undefined;
  const environments = config?.environments ?? {};
  const files = environments[name];
  if (files !== undefined) return files;
  const known = Object.keys(environments);
  if (known.length === 0) throw new UsageError(`--env ${name}: the config names no environments (environments: in shipshape.config.yaml)`);
  const suggestion = closestMatch(name, known);
  throw new UsageError(`--env ${name}: no such environment${suggestion !== undefined ? `; did you mean '${suggestion}'?` : ""} (the config names ${known.join(", ")})`);
}
