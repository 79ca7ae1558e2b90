// The YAML parser, loaded on first use: most audits read no compose file or YAML config, and
// loading `yaml` costs about a tenth of a one-file audit's start-up (bench:startup).
import { createRequire } from "node:module";
import type * as Yaml from "yaml";

let loaded: typeof Yaml | undefined;

export function yamlModule(): typeof Yaml {
  loaded ??= createRequire(import.meta.url)("yaml") as typeof Yaml;
  return loaded;
}
