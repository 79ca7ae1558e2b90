import type { RunInstruction, ShellCommand } from "../dockerfile/model.ts";
import { isRun } from "../dockerfile/model.ts";
import { imageShortName } from "../dockerfile/image-ref.ts";
import type { EstimateKey } from "./estimates.ts";
import { estimateMB } from "./estimates.ts";
import { hasOption, isShippedStage, optionValue, subcommand } from "./queries.ts";
import { commandsAfter, environmentAt, hasMountFor, hasMountWhere, instructionsBefore, normalizePath, removalCovers, removedPaths, stageChain, variableValue } from "./support/package-hygiene.ts";
import type { DockerfileRule, RuleReport } from "./types.ts";

// Package managers keep what they download (metadata, packages, tarballs) so the next install
// is faster. In an image there is no next install: whatever the cache holds when the RUN ends
// is frozen into that layer and shipped. Cleaning in the same RUN, or pointing the cache at a
// BuildKit cache mount, keeps the speed-up without the weight. (apt, apk and pip have rules
// of their own: apt-lists-not-removed, apk-no-cache, pip-no-cache-dir.)
export const rule: DockerfileRule = {
  meta: {
    id: "package-cache-in-layer",
    description: "yum/dnf/zypper/yarn/npm/gem/composer installs in a shipped stage leave their download cache or docs in the layer.",
    impact: "medium",
    category: "size",
    scope: "dockerfile",
    hadolint: ["DL3032", "DL3036", "DL3040", "DL3060"],
    fixable: false,
  },
  check({ dockerfile }) {
    const reports: RuleReport[] = [];
    for (const stage of dockerfile.stages) {
      if (!isShippedStage(dockerfile, stage)) continue;
      const baseImage = stageChain(dockerfile, stage)[0]?.base;
      const officialRuby = baseImage !== undefined && imageShortName(baseImage) === "ruby";
      for (const run of stage.instructions.filter(isRun)) {
        const env = environmentAt(dockerfile, stage, run);
        const context: CacheContext = { run, env, officialRuby, gemrcDisablesDocs: instructionsBefore(dockerfile, stage, run).some((earlier) => isRun(earlier) && /gem:\s*--no-document/.test(earlier.shell.source)) };
        for (const cache of CACHES) {
          const command = run.shell.commands.find((candidate) => cache.leavesCache(candidate, context));
          if (!command) continue;
          const dirs = cache.cacheDirs(command, context);
          if (dirs.some((dir) => hasMountFor(run, dir)) || hasMountWhere(run, cache.mountTarget)) continue;
          if (commandsAfter(run, command).some((later) => cache.cleans(later) || removedPaths(later).some((path) => removesCache(path, dirs, cache)))) continue;
          const report: RuleReport = { message: cache.message(command), line: run.span.start.line, endLine: run.span.end.line };
          if (cache.estimate) report.estimatedSavingMB = estimateMB(cache.estimate);
          reports.push(report);
        }
      }
    }
    return reports;
  },
};

interface CacheContext {
  run: RunInstruction;
  env: ReadonlyMap<string, string>;
  officialRuby: boolean;
  gemrcDisablesDocs: boolean;
}

interface CacheKind {
  /** A command that fills the cache and is not told to skip it. */
  leavesCache(command: ShellCommand, context: CacheContext): boolean;
  /** Where the cache lives (first: the one named in messages). */
  cacheDirs(command: ShellCommand, context: CacheContext): string[];
  /** A later command of the same RUN that empties the cache. */
  cleans(command: ShellCommand): boolean;
  /** A cache/tmpfs mount target that holds this cache (user-dependent locations). */
  mountTarget(target: string): boolean;
  /** Removed paths that also count, besides the cache directories (e.g. `/var/cache/*`). */
  removalHint?: RegExp;
  estimate?: EstimateKey;
  message(command: ShellCommand): string;
}

const RPM_INSTALLS = ["install", "update", "upgrade", "groupinstall", "reinstall", "localinstall", "makecache", "builddep", "distro-sync"];
/** dnf's abbreviated subcommands (`dnf in`, `dnf up-min`); yum on EL8+ is dnf and takes them too. */
const DNF_ABBREVIATIONS = ["in", "rei", "up", "upgrade-minimal", "update-minimal", "up-min", "mc", "dsync", "downgrade", "down"];

const rpmCache = (manager: "yum" | "dnf" | "microdnf", dirs: string[], hadolint: string): CacheKind => ({
  leavesCache: (command) => command.name === manager && (RPM_INSTALLS.includes(subcommand(command) ?? "") || (manager !== "microdnf" && DNF_ABBREVIATIONS.includes(subcommand(command) ?? ""))),
  cacheDirs: () => dirs,
  cleans: (command) => command.name === manager && subcommand(command) === "clean" && command.args.includes("all"),
  mountTarget: (target) => dirs.includes(target),
  estimate: "rpmCache",
  message: (command) =>
    `${manager} ${subcommand(command)} leaves repository metadata and packages in ${dirs[0]} in this layer (${hadolint}); end the same RUN with \`${manager} clean all\`, or use RUN --mount=type=cache,target=${dirs[0]}`,
});

/** npm's cache: --cache, npm_config_cache, else ~/.npm of the user running npm. */
function npmCacheDirs(command: ShellCommand, context: CacheContext): string[] {
  const configured = optionValue(command, "--cache") ?? variableValue("npm_config_cache", context.env, context.run, command) ?? variableValue("NPM_CONFIG_CACHE", context.env, context.run, command);
  return configured && !configured.includes("$") ? [configured] : ["/root/.npm"];
}

function yarnCacheDirs(command: ShellCommand, context: CacheContext): string[] {
  const configured = optionValue(command, "--cache-folder") ?? variableValue("YARN_CACHE_FOLDER", context.env, context.run, command);
  return configured && !configured.includes("$") ? [configured] : ["/usr/local/share/.cache/yarn", "/root/.cache/yarn", "/root/.yarn/berry/cache"];
}

function composerCacheDirs(command: ShellCommand, context: CacheContext): string[] {
  const configured = variableValue("COMPOSER_CACHE_DIR", context.env, context.run, command);
  if (configured && !configured.includes("$")) return [configured];
  const home = variableValue("COMPOSER_HOME", context.env, context.run, command);
  return home && !home.includes("$") ? [`${home}/cache`] : ["/root/.composer/cache", "/root/.cache/composer"];
}

const CACHES: CacheKind[] = [
  // yum on EL8+ is dnf underneath and caches in /var/cache/dnf.
  rpmCache("yum", ["/var/cache/yum", "/var/cache/dnf"], "DL3032"),
  rpmCache("dnf", ["/var/cache/dnf", "/var/cache/libdnf5"], "DL3040"),
  // microdnf built on libdnf5 (Fedora 41+, UBI 10) caches where dnf5 does.
  rpmCache("microdnf", ["/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5"], "DL3040"),
  {
    leavesCache: (command) => command.name === "zypper" && ["install", "in", "update", "up", "patch", "dist-upgrade", "dup", "refresh", "ref"].includes(subcommand(command) ?? ""),
    cacheDirs: () => ["/var/cache/zypp"],
    cleans: (command) => command.name === "zypper" && ["clean", "cc"].includes(subcommand(command) ?? ""),
    mountTarget: (target) => target === "/var/cache/zypp",
    estimate: "rpmCache",
    message: (command) => `zypper ${subcommand(command)} leaves repository metadata and packages in /var/cache/zypp in this layer (DL3036); end the same RUN with \`zypper clean --all\`, or use RUN --mount=type=cache,target=/var/cache/zypp`,
  },
  {
    // `yarn global add` (Yarn 1) downloads through the same cache.
    leavesCache: (command) => command.name === "yarn" && ([undefined, "install", "add"].includes(subcommand(command)) || (subcommand(command) === "global" && command.args.includes("add"))),
    cacheDirs: yarnCacheDirs,
    cleans: (command) => command.name === "yarn" && subcommand(command) === "cache" && command.args.includes("clean"),
    mountTarget: (target) => /yarn/.test(target),
    estimate: "yarnCache",
    message: (command) => `yarn${subcommand(command) ? ` ${subcommand(command) === "global" ? "global add" : subcommand(command)}` : ""} leaves yarn's package cache in this layer (DL3060); end the same RUN with \`yarn cache clean\`, or use RUN --mount=type=cache,target=/usr/local/share/.cache/yarn (Yarn 1) / /root/.yarn/berry/cache (Yarn 2+)`,
  },
  {
    leavesCache: (command) => command.name === "npm" && ["ci", "install", "i", "in", "isntall", "add", "update"].includes(subcommand(command) ?? ""),
    cacheDirs: npmCacheDirs,
    cleans: (command) => command.name === "npm" && subcommand(command) === "cache" && command.args.includes("clean"),
    mountTarget: (target) => target.endsWith("/.npm") || /npm/.test(target.split("/").at(-1) ?? ""),
    removalHint: /\/\.npm(\/_cacache)?$/,
    estimate: "npmCache",
    message: (command) => `npm ${subcommand(command)} leaves npm's cache (~/.npm) in this layer; end the same RUN with \`npm cache clean --force\`, or use RUN --mount=type=cache,target=/root/.npm`,
  },
  {
    leavesCache: (command, context) =>
      command.name === "gem" &&
      subcommand(command) === "install" &&
      !hasOption(command, "--no-document", "--no-doc", "-N") &&
      !(hasOption(command, "--no-ri") && hasOption(command, "--no-rdoc")) &&
      // Official ruby images configure `install: --no-document` in /usr/local/etc/gemrc.
      !context.officialRuby &&
      !context.gemrcDisablesDocs,
    cacheDirs: () => [],
    cleans: () => false,
    mountTarget: () => false,
    message: () => "gem install generates ri/rdoc documentation into this layer; add --no-document (or write `gem: --no-document` to ~/.gemrc)",
  },
  {
    leavesCache: (command, context) =>
      command.name === "composer" &&
      ["install", "require", "update", "create-project"].includes(subcommand(command) ?? "") &&
      !hasOption(command, "--no-cache") &&
      variableValue("COMPOSER_CACHE_DIR", context.env, context.run, command) !== "/dev/null",
    cacheDirs: composerCacheDirs,
    cleans: (command) => command.name === "composer" && ["clear-cache", "clearcache", "cc"].includes(subcommand(command) ?? ""),
    mountTarget: (target) => /composer/.test(target),
    message: (command) => `composer ${subcommand(command)} leaves composer's download cache in this layer; add --no-cache, end the same RUN with \`composer clear-cache\`, or use RUN --mount=type=cache,target=/root/.composer/cache`,
  },
];

function removesCache(removed: string, dirs: string[], cache: CacheKind): boolean {
  const expanded = removed.replace(/^(~|\$HOME|\$\{HOME\})(?=\/|$)/, "/root");
  if (dirs.some((dir) => removalCovers(expanded, `${dir}/x`))) return true;
  return cache.removalHint !== undefined && expanded.startsWith("/") && cache.removalHint.test(normalizePath(expanded.replace(/\/\*$/, "")));
}
