import type { DockerfileModel, Instruction } from "../dockerfile/model.ts";
import type { DockerfileRule, RuleReport, TextEdit } from "./types.ts";

// Only the last CMD and the last ENTRYPOINT of a stage end up in the image configuration; the
// earlier ones do nothing. A reader who stops at the first believes the container runs
// something it does not, and edits to it silently have no effect.
export const rule: DockerfileRule = {
  meta: {
    id: "multiple-cmd-or-entrypoint",
    description: "A stage has more than one CMD or more than one ENTRYPOINT; only the last of each takes effect.",
    impact: "low",
    category: "maintainability",
    scope: "dockerfile",
    hadolint: ["DL4003", "DL4004"],
    fixable: true,
    fixLevel: "safe",
  },
  check({ dockerfile }) {
    const reports: RuleReport[] = [];
    for (const stage of dockerfile.stages) {
      for (const keyword of ["CMD", "ENTRYPOINT"]) {
        // ONBUILD CMD is a trigger for images built FROM this one, not this stage's command.
        const all = stage.instructions.filter((instruction) => instruction.keyword === keyword && !instruction.onbuild);
        const last = all.at(-1);
        if (!last) continue;
        for (const overridden of all.slice(0, -1)) {
          reports.push({
            message: `${keyword} on line ${overridden.span.start.line} is overridden by the ${keyword} on line ${last.span.start.line} in the same stage, so it has no effect: remove it`,
            line: overridden.span.start.line,
            endLine: overridden.span.end.line,
            fix: [removeInstruction(dockerfile, overridden)],
          });
        }
      }
    }
    return reports;
  },
};

/** Deletes the instruction's whole lines, line break included; nothing else changes. */
function removeInstruction(model: DockerfileModel, instruction: Instruction): TextEdit {
  const start = model.lineStarts[instruction.span.start.line - 1] ?? instruction.span.start.offset;
  const end = model.lineStarts[instruction.span.end.line] ?? model.text.length;
  return { start, end, text: "" };
}
