import type { DockerfileModel, Flag, RunInstruction } from "../dockerfile/model.ts";
import { isRun } from "../dockerfile/model.ts";
import { isApt } from "./queries.ts";
import { cacheMountTargets, runEnvironment, touchesAptCache, unwrapXargs } from "./support/cache-mounts.ts";
import type { DockerfileRule, RuleReport, TextEdit } from "./types.ts";

// A cache mount is shared by every build on the builder by default (sharing=shared). apt
// keeps a lock file and state in /var/cache/apt and /var/lib/apt; two builds running apt on
// the same shared mount at once (parallel stages, CI jobs on one builder) fight over it and
// can leave partial downloads or broken lists behind. sharing=locked makes them take turns.
export const rule: DockerfileRule = {
  meta: {
    id: "apt-cache-mount-not-locked",
    description: "A cache mount on /var/cache/apt or /var/lib/apt without sharing=locked lets parallel builds corrupt apt's state.",
    impact: "medium",
    category: "cache",
    scope: "dockerfile",
    hadolint: [],
    fixable: true,
    fixLevel: "safe",
  },
  check({ dockerfile }) {
    const reports: RuleReport[] = [];
    for (const stage of dockerfile.stages) {
      for (const run of stage.instructions.filter(isRun)) {
        if (run.onbuild || !run.shell.commands.some((command) => isApt(unwrapXargs(command)))) continue;
        const env = runEnvironment(dockerfile, stage, run);
        const flags = run.flags.filter((flag) => flag.name === "mount");
        // `private` is safe too (a concurrent build gets its own empty mount); only shared ones race.
        const unlocked = cacheMountTargets(run, env).filter(({ mount, target }) => target !== undefined && touchesAptCache(target) && (mount.sharing ?? "shared") === "shared");
        if (unlocked.length === 0) continue;
        const targets = unlocked.map(({ raw }) => raw);
        const report: RuleReport = {
          message: `cache mount${targets.length > 1 ? "s" : ""} on ${targets.join(" and ")} ${targets.length > 1 ? "are" : "is"} shared between concurrent builds while apt locks and writes ${targets.length > 1 ? "them" : "it"}; add sharing=locked`,
          line: run.span.start.line,
          endLine: run.span.end.line,
        };
        const edits = unlocked.map(({ mount }) => lockEdit(dockerfile, run, flags[run.mounts.indexOf(mount)]));
        if (edits.every((edit): edit is TextEdit => edit !== undefined)) report.fix = edits;
        reports.push(report);
      }
    }
    return reports;
  },
};

/** Rewrites `sharing=shared` to `sharing=locked`, or appends `,sharing=locked` to the mount flag. */
function lockEdit(model: DockerfileModel, run: RunInstruction, flag: Flag | undefined): TextEdit | undefined {
  if (!flag || run.onbuild) return undefined;
  const text = model.text.slice(flag.span.start.offset, flag.span.end.offset);
  if (!text.startsWith("--mount=")) return undefined;
  const shared = /(^|[=,])sharing=shared(?=,|$)/.exec(text.replace(/["']$/, ""));
  if (shared) {
    const start = flag.span.start.offset + shared.index + (shared[1] ?? "").length;
    return { start, end: start + "sharing=shared".length, text: "sharing=locked" };
  }
  const end = flag.span.end.offset - (/["']$/.test(text) ? 1 : 0);
  return { start: end, end, text: ",sharing=locked" };
}
