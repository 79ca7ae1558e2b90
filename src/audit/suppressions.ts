// Inline suppressions, handled in one place for every rule:
//   # hadolint ignore=DL3008,DL3015      (next instruction; hadolint ids map to our rules)
//   # hadolint global ignore=DL3008      (whole file)
//   # shipshape ignore=apt-no-install-recommends   (next instruction)
//   # shipshape global ignore=runs-as-root         (whole file)
import type { DockerfileModel } from "../dockerfile/model.ts";

const DIRECTIVE = /^\s*(hadolint|shipshape)\s+(global\s+)?ignore\s*=\s*([\w\-, ]+)/i;

export interface Suppressions {
  /** Ids (ours or hadolint's) suppressed everywhere in the file. */
  global: Set<string>;
  /** Per 1-based line of an instruction's first line: ids suppressed for that instruction. */
  byInstructionLine: Map<number, { ids: Set<string>; endLine: number }>;
}

export function collectSuppressions(model: DockerfileModel): Suppressions {
  const global = new Set<string>();
  const pendingByLine = new Map<number, string[]>();
  for (const comment of model.comments) {
    const match = DIRECTIVE.exec(comment.text);
    if (!match) continue;
    const ids = (match[3] ?? "").split(",").map((id) => id.trim().toLowerCase()).filter(Boolean);
    if (match[2]) ids.forEach((id) => global.add(id));
    else pendingByLine.set(comment.line, ids);
  }
  // A line directive applies to the next instruction, across further comment lines.
  const byInstructionLine = new Map<number, { ids: Set<string>; endLine: number }>();
  const commentLines = new Set(model.comments.map((comment) => comment.line));
  for (const instruction of model.instructions) {
    const ids = new Set<string>();
    let line = instruction.span.start.line - 1;
    while (line >= 1 && commentLines.has(line)) {
      pendingByLine.get(line)?.forEach((id) => ids.add(id));
      line--;
    }
    if (ids.size > 0) byInstructionLine.set(instruction.span.start.line, { ids, endLine: instruction.span.end.line });
  }
  return { global, byInstructionLine };
}

/** Whether a finding of `rule` (with its hadolint aliases) on `line` is suppressed. */
export function isSuppressed(suppressions: Suppressions, rule: string, hadolint: readonly string[], line: number): boolean {
  const names = [rule, ...hadolint].map((id) => id.toLowerCase());
  if (names.some((name) => suppressions.global.has(name))) return true;
  for (const [start, entry] of suppressions.byInstructionLine) {
    if (line >= start && line <= entry.endLine && names.some((name) => entry.ids.has(name))) return true;
  }
  return false;
}

/** For YAML and other line-based files: `# shipshape ignore=id` applies to the next non-comment line. */
export function collectLineCommentSuppressions(text: string): Suppressions {
  const global = new Set<string>();
  const byInstructionLine = new Map<number, { ids: Set<string>; endLine: number }>();
  const lines = text.split(/\r?\n/);
  let pending: string[] = [];
  lines.forEach((line, index) => {
    const comment = /^\s*#(.*)$/.exec(line);
    if (comment) {
      const match = DIRECTIVE.exec(comment[1] ?? "");
      if (match) {
        const ids = (match[3] ?? "").split(",").map((id) => id.trim().toLowerCase()).filter(Boolean);
        if (match[2]) ids.forEach((id) => global.add(id));
        else pending.push(...ids);
      }
      return;
    }
    if (pending.length > 0 && line.trim() !== "") {
      byInstructionLine.set(index + 1, { ids: new Set(pending), endLine: index + 1 });
      pending = [];
    }
  });
  return { global, byInstructionLine };
}
