import type { CopyInstruction, DockerfileModel } from "../dockerfile/model.ts";
import { addSourceKind } from "./support/package-hygiene.ts";
import type { DockerfileRule, RuleReport, TextEdit } from "./types.ts";

// ADD does more than copy: it downloads URLs and extracts local tar archives, by looking at the
// source. For plain files and directories it behaves like COPY, but a reader (and the next
// person who drops a .tar.gz into that directory) cannot tell; COPY says exactly what happens.
export const rule: DockerfileRule = {
  meta: {
    id: "add-instead-of-copy",
    description: "ADD of local files or directories that are neither archives nor URLs: use COPY.",
    impact: "low",
    category: "maintainability",
    scope: "dockerfile",
    hadolint: ["DL3020"],
    fixable: true,
    fixLevel: "safe",
  },
  check({ dockerfile }) {
    const reports: RuleReport[] = [];
    for (const instruction of dockerfile.instructions) {
      if (instruction.keyword !== "ADD") continue;
      const add = instruction as CopyInstruction;
      const kinds = add.sources.map(addSourceKind);
      const plain = add.sources.filter((_, index) => kinds[index] === "plain");
      if (plain.length === 0 && add.heredocs.length === 0) continue;
      const notExtracted = plain.filter((source) => /\.(zip|jar|war|ear|whl|deb|rpm|apk|7z|rar)$/i.test(source));
      const report: RuleReport = {
        message:
          `ADD ${plain.join(" ") || "<<heredoc"} copies ${plain.length > 1 ? "local paths" : "a local path"} like COPY would; use COPY, whose behaviour does not depend on what the source is (ADD also downloads URLs and extracts tar archives)` +
          (notExtracted.length > 0 ? `. Note: ADD does not extract ${notExtracted.join(", ")}; only tar archives are extracted` : ""),
        line: instruction.span.start.line,
        endLine: instruction.span.end.line,
      };
      // Only when every source is plain, and no ADD-only flag is used, is COPY a drop-in replacement.
      const addOnlyFlag = add.flags.some((flag) => ["checksum", "keep-git-dir", "unpack"].includes(flag.name));
      if (kinds.every((kind) => kind === "plain") && !addOnlyFlag) {
        const edit = keywordToCopy(dockerfile, add);
        if (edit) report.fix = [edit];
      }
      reports.push(report);
    }
    return reports;
  },
};

/** Replaces the ADD keyword (after ONBUILD, if any) by COPY in the same letter case. */
function keywordToCopy(model: DockerfileModel, add: CopyInstruction): TextEdit | undefined {
  const start = add.span.start.offset;
  const match = /^(?:onbuild\s+)?(add)(?=\s)/i.exec(model.text.slice(start, add.span.end.offset));
  if (!match || match[1] === undefined) return undefined;
  const keyword = match[1];
  const offset = start + match[0].length - keyword.length;
  return { start: offset, end: offset + keyword.length, text: keyword === keyword.toLowerCase() ? "copy" : "COPY" };
}
