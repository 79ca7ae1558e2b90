// Generated sections: the part of a file `shipshape ci` owns sits between two marker lines.
// Running `ci` again replaces only that part; everything outside it is the user's and is kept
// byte for byte. Pure.

export const BEGIN_MARKER = ">>> shipshape ci: generated section; `shipshape ci --write` replaces it, edit outside the markers";
export const END_MARKER = "<<< shipshape ci: end of generated section";

export interface SectionLines {
  /** The generated lines, without markers and without indentation. */
  body: string;
  /** Indentation of the markers and of every body line. */
  indent: string;
}

/** The section as it is written: marker comment, indented body, end marker. */
export function renderSection(section: SectionLines): string {
  const lines = section.body.replace(/\n$/, "").split("\n");
  const indented = lines.map((line) => (line === "" ? "" : `${section.indent}${line}`));
  return `${section.indent}# ${BEGIN_MARKER}\n${indented.join("\n")}\n${section.indent}# ${END_MARKER}\n`;
}

export type SectionUpdate = { kind: "replaced" | "appended"; text: string } | { kind: "no-markers" } | { kind: "broken-markers"; reason: string };

/**
 * Replaces the section in `existing` (the text between the begin and end markers, both included;
 * the existing markers' indentation is kept). Without markers: appends when `appendWhenMissing`,
 * else reports it, so a hand-written file is never overwritten.
 */
export function updateSection(existing: string, body: string, options: { appendWhenMissing: boolean; indent: string }): SectionUpdate {
  const lines = existing.split("\n");
  const begins = lines.flatMap((line, index) => (line.trim() === `# ${BEGIN_MARKER}` ? [index] : []));
  const ends = lines.flatMap((line, index) => (line.trim() === `# ${END_MARKER}` ? [index] : []));
  if (begins.length === 0 && ends.length === 0) {
    if (!options.appendWhenMissing) return { kind: "no-markers" };
    const separator = existing === "" || existing.endsWith("\n\n") ? "" : existing.endsWith("\n") ? "\n" : "\n\n";
    return { kind: "appended", text: `${existing}${separator}${renderSection({ body, indent: options.indent })}` };
  }
  if (begins.length !== 1 || ends.length !== 1) return { kind: "broken-markers", reason: `expected one begin and one end marker, found ${begins.length} and ${ends.length}` };
  const begin = begins[0] as number;
  const end = ends[0] as number;
  if (end < begin) return { kind: "broken-markers", reason: "the end marker comes before the begin marker" };
  const indent = /^\s*/.exec(lines[begin] as string)?.[0] ?? "";
  const before = lines.slice(0, begin).join("\n");
  const after = lines.slice(end + 1).join("\n");
  const section = renderSection({ body, indent }).replace(/\n$/, "");
  const text = [begin === 0 ? undefined : before, section, after].filter((part) => part !== undefined).join("\n");
  return { kind: "replaced", text };
}
