import type { RunInstruction, ShellCommand } from "../dockerfile/model.ts";
import { isApt, isAptUpdate, subcommand } from "./queries.ts";
import { commandIndex } from "./support/package-hygiene.ts";
import { APT_ARCHIVES, APT_LISTS, checkCacheMounts, commandLabel, disablesDockerClean, instructionsUpTo, isAptDownload, joinWithAnd, unwrapXargs } from "./support/cache-mounts.ts";
import type { CacheNeed } from "./support/cache-mounts.ts";
import type { DockerfileRule } from "./types.ts";

// Without cache mounts every rebuild of an apt-get install layer downloads the package lists
// and every .deb again. Cache mounts on /var/cache/apt and /var/lib/apt keep them on the
// builder between builds and out of the image. (Deleting the lists for image size is another
// rule's business: with these mounts they never reach the layer in the first place.)

// sharing=locked: apt locks both directories; a concurrent build must wait, not share them.
// rootOwned: apt runs as root (directly or under sudo), whatever USER says.
const ARCHIVES: CacheNeed = { label: "apt archives", target: "/var/cache/apt", display: "/var/cache/apt", within: APT_ARCHIVES, options: "sharing=locked", rootOwned: true };
const LISTS: CacheNeed = { label: "apt lists", target: "/var/lib/apt", display: "/var/lib/apt", within: APT_LISTS, options: "sharing=locked", rootOwned: true };

export const rule: DockerfileRule = {
  meta: {
    id: "apt-cache-mount-missing",
    description: "apt-get install without BuildKit cache mounts on /var/cache/apt and /var/lib/apt downloads every package again on each rebuild.",
    impact: "low",
    category: "cache",
    scope: "dockerfile",
    hadolint: [],
    fixable: true,
    fixLevel: "safe",
  },
  check({ dockerfile }) {
    return checkCacheMounts(dockerfile, {
      consequence: (missing) => `downloads ${joinWithAnd([LISTS, ARCHIVES].filter((need) => missing.includes(need)).map((need) => (need === LISTS ? "the package lists" : "every .deb")))} again`,
      needsOf(command, _env, run) {
        if (!isAptDownload(command)) return undefined;
        // The lists only when this RUN updates them: an install relying on the lists of an
        // earlier layer would find an empty mount there.
        return { label: commandLabel(unwrapXargs(command)), needs: updatesBefore(run, command) ? [ARCHIVES, LISTS] : [ARCHIVES] };
      },
      // `apt-get clean` empties /var/cache/apt/archives, `distclean` the lists too.
      cleansCache(command) {
        const inner = unwrapXargs(command);
        return isApt(inner) && ["clean", "distclean", "dist-clean"].includes(subcommand(inner) ?? "");
      },
      offlineNeeds(command, _env, run) {
        return isAptDownload(command) && !updatesBefore(run, command) ? [LISTS] : undefined;
      },
      note(run) {
        const stage = dockerfile.stages[run.stageIndex];
        if (!stage || instructionsUpTo(dockerfile, stage, run).some(disablesDockerClean)) return undefined;
        return "On Debian and Ubuntu bases also remove /etc/apt/apt.conf.d/docker-clean in an earlier RUN, or apt empties the cache after each install (see apt-docker-clean-active)";
      },
    });
  },
};

/** An `apt-get update` earlier in the same RUN. */
function updatesBefore(run: RunInstruction, command: ShellCommand): boolean {
  let first = firstAptUpdate.get(run);
  if (first === undefined) {
    first = run.shell.commands.findIndex((other) => isAptUpdate(unwrapXargs(other)));
    if (first < 0) first = Number.POSITIVE_INFINITY;
    firstAptUpdate.set(run, first);
  }
  return commandIndex(run, command) > first;
}

/** Per RUN, the index of its first `apt-get update` (asked for every apt command: found once). */
const firstAptUpdate = new WeakMap<RunInstruction, number>();
