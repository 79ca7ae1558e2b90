import type { CommandInstruction, DockerfileModel, Stage } from "../dockerfile/model.ts";
import { isCommandLike } from "../dockerfile/model.ts";
import { isShippedStage } from "./queries.ts";
import { stageChain } from "./support/package-hygiene.ts";
import type { DockerfileRule, RuleReport } from "./types.ts";

// Shell-form CMD/ENTRYPOINT runs the app as a child of /bin/sh -c: SIGTERM goes to the
// shell, the app never sees it, and `docker stop` waits 10 s before killing it.
export const rule: DockerfileRule = {
  meta: {
    id: "shell-form-cmd",
    description: "CMD or ENTRYPOINT in shell form: the process does not receive SIGTERM and stops slowly.",
    impact: "medium",
    category: "maintainability",
    scope: "dockerfile",
    hadolint: ["DL3025"],
    fixable: true,
    fixLevel: "rewrite",
  },
  check({ dockerfile }) {
    const reports: RuleReport[] = [];
    for (const stage of dockerfile.stages) {
      if (!isShippedStage(dockerfile, stage)) continue;
      for (const instruction of stage.instructions) {
        if (!isCommandLike(instruction) || instruction.keyword === "HEALTHCHECK" || instruction.form !== "shell") continue;
        const report: RuleReport = {
          message: `${instruction.keyword} in shell form runs under /bin/sh -c, so signals do not reach the process; use the JSON (exec) form`,
          line: instruction.span.start.line,
          endLine: instruction.span.end.line,
        };
        const fix = changesHowOtherCommandRuns(dockerfile, stage, instruction) ? undefined : execFormFix(dockerfile.text, instruction);
        if (fix) report.fix = [fix];
        reports.push(report);
      }
    }
    return reports;
  },
};

/**
 * Whether exec form would change what the other of CMD/ENTRYPOINT does. A shell-form ENTRYPOINT
 * ignores CMD (it becomes `sh -c`'s $0...), an exec-form one receives it as arguments: with a CMD
 * in the stage, the container would run something else. A CMD under an ENTRYPOINT (of this stage
 * or a stage it builds on) is the ENTRYPOINT's arguments: `/bin/sh -c "..."` would become the
 * bare words. (Setting ENTRYPOINT resets a CMD inherited from the base, so only this stage's CMD counts.)
 */
function changesHowOtherCommandRuns(model: DockerfileModel, stage: Stage, instruction: CommandInstruction): boolean {
  const own = (keyword: string, stages: readonly Stage[]): boolean => stages.some((candidate) => candidate.instructions.some((other) => other.keyword === keyword && !other.onbuild));
  if (instruction.keyword === "ENTRYPOINT") return own("CMD", [stage]);
  return own("ENTRYPOINT", stageChain(model, stage));
}

/** Shell keywords and builtins: no program of that name for exec form to start. */
const SHELL_BUILTINS = new Set(["exec", "cd", "export", "set", "unset", "source", ".", "eval", "trap", "ulimit", "umask", "alias", "readonly", "shift", "wait", "let", "local", "declare", "typeset", "function", "time", "if", "for", "while", "until", "case", "select", "!", "[[", "{"]);

/**
 * Only simple commands convert safely: no shell operators, expansions, quotes or comments to
 * interpret (`#` is not a comment to the Dockerfile parser, but `sh -c` reads it as one, so it
 * must not become an argument), no `VAR=value` prefix, no builtin as the program, and nothing
 * that looks like a broken JSON array (Docker runs that as shell form on purpose).
 */
function execFormFix(text: string, instruction: CommandInstruction): { start: number; end: number; text: string } | undefined {
  const body = instruction.argumentText;
  if (body.includes("\n") || /[$`|&;<>(){}*?~\\'"#[\]]/.test(body)) return undefined;
  const words = body.split(/\s+/).filter(Boolean);
  const program = words[0];
  if (program === undefined || program.includes("=") || SHELL_BUILTINS.has(program)) return undefined;
  // The body as written: a CMD continued over lines (or split by comment lines) is not converted.
  const at = text.slice(instruction.span.start.offset, instruction.span.end.offset).indexOf(body);
  if (at < 0 || instruction.onbuild) return undefined;
  const start = instruction.span.start.offset + at;
  return { start, end: start + body.length, text: JSON.stringify(words).replace(/","/g, '", "') };
}
