import type { ShellCommand } from "../dockerfile/model.ts";
import { isRun } from "../dockerfile/model.ts";
import { estimateMB } from "./estimates.ts";
import { isApt, isShippedStage, subcommand } from "./queries.ts";
import { positionalArgs } from "./support/package-hygiene.ts";
import type { DockerfileRule, RuleReport } from "./types.ts";

// Upgrading every package of the base image in a RUN rewrites those files into a new layer:
// the old versions stay in the base layers, the new ones are added on top. The result also
// depends on the day of the build. Upgrading for security fixes is legitimate (Docker and
// OWASP stopped advising against it in 2021), so this is about cost, with low impact: a newer
// base image (tag or digest) usually gives the same fixes without the duplicate.
export const rule: DockerfileRule = {
  meta: {
    id: "apt-get-upgrade",
    description: "A whole-system package upgrade (apt-get upgrade, apk upgrade, yum update...) in a shipped stage.",
    impact: "low",
    category: "size",
    scope: "dockerfile",
    hadolint: ["DL3005", "DL3035"],
    fixable: false,
  },
  check({ dockerfile }) {
    const reports: RuleReport[] = [];
    for (const stage of dockerfile.stages) {
      if (!isShippedStage(dockerfile, stage)) continue;
      for (const run of stage.instructions.filter(isRun)) {
        const upgrade = run.shell.commands.map(systemUpgrade).find((label) => label !== undefined);
        if (!upgrade) continue;
        reports.push({
          message: `${upgrade} rewrites the base image's packages into a new layer (the old files stay in the base layers) and makes the image depend on the build date; prefer a current base image tag or digest rebuilt with --pull, or upgrade only the package a fix needs (apt-get install --only-upgrade <pkg>)`,
          line: run.span.start.line,
          endLine: run.span.end.line,
          estimatedSavingMB: estimateMB("upgradeLayer"),
        });
      }
    }
    return reports;
  },
};

/** The upgrade command as written when it upgrades every installed package; targeted upgrades return undefined. */
function systemUpgrade(command: ShellCommand): string | undefined {
  if (command.name === "pacman") {
    const sync = command.args.find((arg) => /^-S[a-z]*u/.test(arg));
    return sync ? `pacman ${sync}` : undefined;
  }
  const sub = subcommand(command);
  if (sub === undefined) return undefined;
  const label = `${command.name} ${sub}`;
  if (isApt(command)) return ["upgrade", "dist-upgrade", "full-upgrade", "safe-upgrade"].includes(sub) ? label : undefined;
  // Named packages: a targeted fix, not a system upgrade.
  const packages = positionalArgs(command, ["-X", "--repository", "--exclude", "-x", "--setopt", "--enablerepo", "--disablerepo"]);
  switch (command.name) {
    case "apk":
      return sub === "upgrade" && packages.length === 0 ? label : undefined;
    case "yum":
    case "dnf":
    case "microdnf":
      return ["update", "upgrade", "distro-sync", "upgrade-minimal"].includes(sub) && packages.length === 0 ? label : undefined;
    case "zypper":
      return ["update", "up", "dist-upgrade", "dup", "patch"].includes(sub) && packages.length === 0 ? label : undefined;
    default:
      return undefined;
  }
}
