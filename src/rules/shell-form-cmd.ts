import type { CommandInstruction } from "../dockerfile/model.ts";
import { isCommandLike } from "../dockerfile/model.ts";
import { isShippedStage } from "./queries.ts";
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
        const fix = execFormFix(dockerfile.text, instruction);
        if (fix) report.fix = [fix];
        reports.push(report);
      }
    }
    return reports;
  },
};

/** Only simple commands convert safely: no shell operators, expansions or quotes to interpret. */
function execFormFix(text: string, instruction: CommandInstruction): { start: number; end: number; text: string } | undefined {
  const body = instruction.argumentText;
  if (body.includes("\n") || /[$`|&;<>(){}*?~\\'"]/.test(body)) return undefined;
  const words = body.split(/\s+/).filter(Boolean);
  if (words.length === 0) return undefined;
  const start = instruction.span.start.offset + text.slice(instruction.span.start.offset, instruction.span.end.offset).indexOf(body);
  return { start, end: start + body.length, text: JSON.stringify(words).replace(/","/g, '", "') };
}
