// The one place text edits are applied, for `shipshape fix` and for the rule tests. Pure.
//
// A finding's edits form a group applied all-or-nothing: a cache-mount fix inserts the mount
// and removes `--no-cache-dir` in one go, half of it would be wrong. Groups that collide with
// a group already accepted in this pass are deferred: the fix loop audits the edited text
// again and the rule, if it still fires, offers fresh edits (ESLint's fixer works the same way).
import type { TextEdit } from "../rules/types.ts";

/** The edits of one finding, applied together or not at all. */
export interface EditGroup {
  rule: string;
  /** 1-based line of the finding (for reporting). */
  line: number;
  edits: readonly TextEdit[];
}

export interface EditSelection<G extends EditGroup> {
  accepted: G[];
  /** Groups that overlap an accepted one or are malformed (out of range, overlapping themselves). */
  deferred: G[];
}

/** Whether two edits touch the same bytes: overlapping ranges, an insertion inside a replaced range, or two insertions at one offset (their order would be a guess). */
export function editsConflict(a: TextEdit, b: TextEdit): boolean {
  const aInsert = a.start === a.end;
  const bInsert = b.start === b.end;
  if (aInsert && bInsert) return a.start === b.start;
  if (aInsert) return a.start > b.start && a.start < b.end;
  if (bInsert) return b.start > a.start && b.start < a.end;
  return a.start < b.end && b.start < a.end;
}

/**
 * Whether edits of two different findings collide. Stricter than editsConflict: an insertion at
 * either end of another finding's replaced range collides too, because it was computed against
 * the replaced text (an `--omit=dev` appended to `npm install` must not land after the line a
 * reordering fix put in its place). The deferred one is recomputed on the edited text next pass.
 */
export function groupEditsConflict(a: TextEdit, b: TextEdit): boolean {
  if (editsConflict(a, b)) return true;
  const aInsert = a.start === a.end;
  const bInsert = b.start === b.end;
  if (aInsert && !bInsert) return a.start === b.start || a.start === b.end;
  if (bInsert && !aInsert) return b.start === a.start || b.start === a.end;
  return false;
}

function isWellFormed(edits: readonly TextEdit[], length: number): boolean {
  if (edits.some((edit) => !Number.isInteger(edit.start) || !Number.isInteger(edit.end) || edit.start < 0 || edit.end < edit.start || edit.end > length)) return false;
  for (let i = 0; i < edits.length; i++) {
    for (let j = i + 1; j < edits.length; j++) {
      const a = edits[i] as TextEdit;
      const b = edits[j] as TextEdit;
      // Within one group, insertions at one offset keep the order the rule gave them.
      if (a.start === a.end && b.start === b.end) continue;
      if (editsConflict(a, b)) return false;
    }
  }
  return true;
}

/**
 * Chooses the groups to apply to a text of `length` characters: in order of their first edit
 * (ties: the given order), each group whose edits conflict with none accepted so far.
 */
export function selectEditGroups<G extends EditGroup>(groups: readonly G[], length: number): EditSelection<G> {
  const accepted: G[] = [];
  const deferred: G[] = [];
  const taken: TextEdit[] = [];
  const ordered = groups.map((group, index) => ({ group, index, first: Math.min(...group.edits.map((edit) => edit.start)) }));
  ordered.sort((a, b) => a.first - b.first || a.index - b.index);
  for (const { group } of ordered) {
    if (group.edits.length === 0 || !isWellFormed(group.edits, length) || group.edits.some((edit) => taken.some((other) => groupEditsConflict(edit, other)))) {
      deferred.push(group);
      continue;
    }
    accepted.push(group);
    taken.push(...group.edits);
  }
  return { accepted, deferred };
}

/**
 * Applies edits that do not conflict (see editsConflict; insertions at one offset keep their
 * order). Throws on conflicting edits: callers choose with selectEditGroups first.
 */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  if (!isWellFormed(edits, text.length)) throw new Error("applyEdits: edits overlap or lie outside the text");
  const ordered = edits.map((edit, index) => ({ edit, index }));
  ordered.sort((a, b) => a.edit.start - b.edit.start || a.edit.end - b.edit.end || a.index - b.index);
  let result = "";
  let position = 0;
  for (const { edit } of ordered) {
    result += text.slice(position, edit.start) + edit.text;
    position = edit.end;
  }
  return result + text.slice(position);
}
