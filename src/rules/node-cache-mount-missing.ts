import type { RunInstruction, ShellCommand } from "../dockerfile/model.ts";
import { dependencyInstall, hasOption, optionValue } from "./queries.ts";
import { checkCacheMounts, commandLabel, commandVariable, configuredNeed, homeNeed, resolveRunPath } from "./support/cache-mounts.ts";
import type { CacheNeed, RunEnvironment } from "./support/cache-mounts.ts";
import type { DockerfileRule } from "./types.ts";

// npm, yarn and pnpm keep every downloaded tarball in a cache (npm, yarn) or a content-
// addressed store (pnpm). In a Docker build that cache starts empty each time the install
// layer is rebuilt, so every package is downloaded again. A BuildKit cache mount on it keeps
// the downloads between builds and out of the image.
export const rule: DockerfileRule = {
  meta: {
    id: "node-cache-mount-missing",
    description: "npm, yarn or pnpm install without a BuildKit cache mount on its cache or store downloads every package again on each rebuild.",
    impact: "medium",
    category: "cache",
    scope: "dockerfile",
    hadolint: [],
    fixable: true,
    fixLevel: "safe",
  },
  check({ dockerfile, buildContext }) {
    // Yarn 2+ (Berry) announces itself with .yarnrc.yml; it caches per project or in ~/.yarn/berry.
    const berryProject = buildContext?.entries.some((entry) => !entry.excluded && /(^|\/)\.yarnrc\.yml$/.test(entry.path)) ?? false;
    return checkCacheMounts(dockerfile, {
      consequence: "downloads every package again",
      needsOf(command, env, run) {
        if (hasOption(command, "--offline")) return undefined;
        const need = cacheOf(command, env, run, berryProject);
        return need && { label: commandLabel(command), needs: [need] };
      },
      // `npm cache clean --force`, `yarn cache clean`, `pnpm store prune`.
      cleansCache(command) {
        const [first, second] = command.args;
        if (command.name === "npm" || command.name === "yarn") return first === "cache" && (second === "clean" || second === "clear");
        return command.name === "pnpm" && first === "store" && second === "prune";
      },
      // `pnpm fetch` then `pnpm install --offline`: the second reads the store the first filled.
      offlineNeeds(command, env, run) {
        const need = hasOption(command, "--offline") ? cacheOf(command, env, run, berryProject) : undefined;
        return need && [need];
      },
    });
  },
};

function cacheOf(command: ShellCommand, env: RunEnvironment, run: RunInstruction, berryProject: boolean): CacheNeed | undefined {
  const install = dependencyInstall(command);
  if (!install || install.ecosystem !== "node") return undefined;
  if (install.manager === "npm") return npmCache(command, env, run);
  return install.manager === "yarn" ? yarnCache(command, env, run, berryProject) : pnpmStore(command, env, run);
}

/** npm: --cache, npm_config_cache (any case), else ~/.npm. */
function npmCache(command: ShellCommand, env: RunEnvironment, run: RunInstruction): CacheNeed {
  const configured = optionValue(command, "--cache") ?? npmConfig("cache", env, run, command);
  return configuredNeed("npm cache", env, configured, () => homeNeed("npm cache", env, ".npm"));
}

/** npm and pnpm read `npm_config_<key>` case-insensitively. */
function npmConfig(key: string, env: RunEnvironment, run: RunInstruction, command: ShellCommand): string | undefined {
  return commandVariable(`npm_config_${key}`, env, run, command) ?? commandVariable(`NPM_CONFIG_${key.toUpperCase()}`, env, run, command);
}

/**
 * Yarn 1 caches in $XDG_CACHE_HOME/yarn, else /usr/local/share/.cache/yarn as root and
 * ~/.cache/yarn otherwise; Yarn Berry in ~/.yarn/berry/cache (Yarn 4 default) or the project's
 * .yarn/cache. --cache-folder and YARN_CACHE_FOLDER override both.
 */
function yarnCache(command: ShellCommand, env: RunEnvironment, run: RunInstruction, berryProject: boolean): CacheNeed {
  const configured = optionValue(command, "--cache-folder") ?? commandVariable("YARN_CACHE_FOLDER", env, run, command);
  if (configured !== undefined) return configuredNeed("yarn cache", env, configured, () => homeNeed("yarn cache", env, ".cache/yarn"));
  const projectCache = resolveRunPath(".yarn/cache", env);
  const berry = homeNeed("yarn cache", env, ".yarn/berry/cache");
  const xdg = commandVariable("XDG_CACHE_HOME", env, run, command);
  // Yarn 1 takes root's "home" to be /usr/local/share.
  const classic = xdg !== undefined ? configuredNeed("yarn cache", env, `${xdg}/yarn`, () => homeNeed("yarn cache", env, ".cache/yarn")) : env.user.isRoot ? { label: "yarn cache", target: "/usr/local/share/.cache/yarn", display: "/usr/local/share/.cache/yarn" } : homeNeed("yarn cache", env, ".cache/yarn");
  const isBerry = berryProject || command.args.some((arg) => arg === "--immutable" || arg === "--immutable-cache");
  const chosen = isBerry ? berry : classic;
  const other = isBerry ? classic : berry;
  const alternatives = [other.target, projectCache].filter((path): path is string => path !== undefined);
  return { ...chosen, alternatives };
}

/** pnpm: --store-dir, npm_config_store_dir, $PNPM_HOME/store, $XDG_DATA_HOME/pnpm/store, ~/.local/share/pnpm/store. */
function pnpmStore(command: ShellCommand, env: RunEnvironment, run: RunInstruction): CacheNeed {
  const configured = optionValue(command, "--store-dir") ?? npmConfig("store_dir", env, run, command);
  if (configured !== undefined) return configuredNeed("pnpm store", env, configured, () => homeNeed("pnpm store", env, ".local/share/pnpm/store"));
  const pnpmHome = commandVariable("PNPM_HOME", env, run, command);
  if (pnpmHome !== undefined) return configuredNeed("pnpm store", env, `${pnpmHome}/store`, () => homeNeed("pnpm store", env, ".local/share/pnpm/store"));
  const xdg = commandVariable("XDG_DATA_HOME", env, run, command);
  if (xdg !== undefined) return configuredNeed("pnpm store", env, `${xdg}/pnpm/store`, () => homeNeed("pnpm store", env, ".local/share/pnpm/store"));
  return homeNeed("pnpm store", env, ".local/share/pnpm/store");
}
