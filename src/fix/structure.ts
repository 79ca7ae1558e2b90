// The structural check every fixed Dockerfile passes before it may be written: the safe fixes
// edit inside instructions, so the fixed file must hold the same instructions in the same order
// (an edit that leaves a dangling `\` would swallow the next instruction into a RUN), and every
// RUN body that parsed as shell before must still parse. Pure; shared by the fix loop (which
// keeps a failing file unchanged) and bench/fix-oracle.ts.
import { parseDockerfile } from "../dockerfile/parse.ts";
import type { Instruction, RunInstruction } from "../dockerfile/model.ts";

/** How an instruction is named in the sequence: ONBUILD triggers count as `ONBUILD RUN`; ADD and COPY are one (add-instead-of-copy turns one into the other). */
function instructionName(instruction: Instruction): string {
  const keyword = instruction.keyword === "ADD" ? "COPY" : instruction.keyword;
  return instruction.onbuild ? `ONBUILD ${keyword}` : keyword;
}

/**
 * Fixes that mean to change the instruction sequence, and the keywords they may insert or
 * remove: the overridden CMD/ENTRYPOINT is removed, the docker-clean hook is disabled in a RUN
 * of its own, and the dependency manifests get a COPY of their own before the install while the
 * broad COPY moves after it. Every other instruction must stay, in order.
 */
export const INSTRUCTION_CHANGES: Readonly<Record<string, { inserts?: readonly string[]; removes?: readonly string[] }>> = {
  "multiple-cmd-or-entrypoint": { removes: ["CMD", "ENTRYPOINT"] },
  "apt-docker-clean-active": { inserts: ["RUN"] },
  "copy-all-before-deps-install": { inserts: ["COPY"], removes: ["COPY"] },
};

/** Files with more instructions are compared position by position (the alignment is quadratic). */
const MAX_ALIGNED = 3000;

/** Pairs of equal names (indexes into before and after) of a longest common subsequence. */
function align(before: readonly string[], after: readonly string[]): [number, number][] {
  if (before.length > MAX_ALIGNED || after.length > MAX_ALIGNED) return before.map((_, index) => [index, index]);
  const width = after.length + 1;
  const table = new Uint16Array((before.length + 1) * width);
  for (let i = before.length - 1; i >= 0; i--) {
    for (let j = after.length - 1; j >= 0; j--) {
      table[i * width + j] = before[i] === after[j] ? (table[(i + 1) * width + j + 1] ?? 0) + 1 : Math.max(table[(i + 1) * width + j] ?? 0, table[i * width + j + 1] ?? 0);
    }
  }
  const pairs: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < before.length && j < after.length) {
    if (before[i] === after[j]) {
      pairs.push([i, j]);
      i++;
      j++;
    } else if ((table[(i + 1) * width + j] ?? 0) >= (table[i * width + j + 1] ?? 0)) i++;
    else j++;
  }
  return pairs;
}

/**
 * Why `after` (a fixed `before`) must not be written; empty when it may. `rules` are the rules
 * whose fixes made `after`: the instructions they may insert or remove (INSTRUCTION_CHANGES) are
 * the only differences allowed in the sequence. No more RUN bodies may fail to parse as shell.
 */
export function structuralProblems(before: string, after: string, options: { path?: string; rules?: Iterable<string> } = {}): string[] {
  if (before === after) return [];
  const original = parseDockerfile(before, options.path);
  const fixed = parseDockerfile(after, options.path);
  const changes = [...(options.rules ?? [])].map((rule) => INSTRUCTION_CHANGES[rule]).filter((change) => change !== undefined);
  const inserts = new Set(changes.flatMap((change) => change.inserts ?? []));
  const removes = new Set(changes.flatMap((change) => change.removes ?? []));
  const beforeNames = original.instructions.map(instructionName);
  const afterNames = fixed.instructions.map(instructionName);
  const pairs = align(beforeNames, afterNames);
  const matchedBefore = new Set(pairs.map(([i]) => i));
  const matchedAfter = new Set(pairs.map(([, j]) => j));
  const problems: string[] = [];
  original.instructions.forEach((instruction, index) => {
    if (!matchedBefore.has(index) && !removes.has(beforeNames[index] ?? "")) problems.push(`the ${beforeNames[index]} at line ${instruction.span.start.line} is gone (merged into the instruction before it?)`);
  });
  fixed.instructions.forEach((instruction, index) => {
    if (!matchedAfter.has(index) && !inserts.has(afterNames[index] ?? "")) problems.push(`a ${afterNames[index]} appeared at line ${instruction.span.start.line} of the fixed file`);
  });
  if (problems.length > 0) return problems;
  // Which RUN an inserted one is cannot always be told (two RUNs in a row align either way), so
  // bodies are compared as a whole: no more RUNs that fail to parse than before. The ones named
  // are those whose text did not fail before.
  const unparsed = (model: typeof original): RunInstruction[] => model.instructions.filter((instruction): instruction is RunInstruction => instruction.keyword === "RUN" && "shell" in instruction && instruction.shell.parseError !== undefined);
  const failedBefore = unparsed(original);
  const failedAfter = unparsed(fixed);
  if (failedAfter.length > failedBefore.length) {
    const known = new Set(failedBefore.map((run) => run.shell.source));
    for (const run of failedAfter.filter((candidate) => !known.has(candidate.shell.source))) problems.push(`the RUN at line ${run.span.start.line} no longer parses as shell (${run.shell.parseError ?? ""})`);
    if (problems.length === 0) problems.push("more RUN bodies fail to parse as shell than before");
  }
  return problems;
}
