import { isRun } from "../dockerfile/model.ts";
import { subcommand } from "./queries.ts";
import { nameArgvIndex, wordEndOffset } from "./support/package-hygiene.ts";
import type { DockerfileRule, RuleReport } from "./types.ts";

// `apt` is the interactive front end: its output and behaviour may change between releases
// and it warns "apt does not have a stable CLI interface. Use with caution in scripts."
// `apt-get` and `apt-cache` are the stable, scriptable interfaces to the same machinery.
export const rule: DockerfileRule = {
  meta: {
    id: "apt-use-apt-get",
    description: "apt (the interactive front end) used in RUN instead of apt-get / apt-cache.",
    impact: "low",
    category: "maintainability",
    scope: "dockerfile",
    hadolint: ["DL3027"],
    fixable: true,
    fixLevel: "safe",
  },
  check({ dockerfile }) {
    const reports: RuleReport[] = [];
    for (const run of dockerfile.instructions.filter(isRun)) {
      for (const command of run.shell.commands) {
        if (command.name !== "apt") continue;
        const sub = subcommand(command) ?? "";
        const replacement = APT_GET.has(sub) ? "apt-get" : APT_CACHE.has(sub) ? "apt-cache" : undefined;
        const report: RuleReport = {
          message: `apt ${sub} in a Dockerfile: apt's command line is meant for people and is not stable for scripts; use ${replacement ? `${replacement} ${sub}` : sub === "full-upgrade" ? "apt-get dist-upgrade" : "apt-get or apt-cache"}`,
          line: run.span.start.line,
          endLine: run.span.end.line,
        };
        // `apt` -> `apt-get`: append to the command word, which also keeps a path such as /usr/bin/apt.
        const end = replacement ? wordEndOffset(dockerfile, run, command, nameArgvIndex(command)) : undefined;
        if (replacement && end !== undefined && dockerfile.text.slice(end - 3, end) === "apt") report.fix = [{ start: end, end, text: replacement.slice(3) }];
        // `apt upgrade` installs new dependencies that `apt-get upgrade` holds back: other packages.
        if (report.fix && sub === "upgrade") report.fixLevel = "rewrite";
        reports.push(report);
      }
    }
    return reports;
  },
};

/** Subcommands apt-get has with the same meaning. */
const APT_GET = new Set(["install", "update", "upgrade", "dist-upgrade", "remove", "purge", "autoremove", "autoclean", "clean", "source", "build-dep", "download", "changelog", "satisfy", "check"]);
/** Query subcommands that belong to apt-cache. */
const APT_CACHE = new Set(["search", "show", "policy", "showsrc", "depends", "rdepends"]);
