// Escaping for text that came from the audited repository (paths, messages quoting Dockerfile
// content). Reporters never let such text change the structure of their output: no Markdown
// or HTML from a message in the audit document, no terminal escape sequences on a TTY.

/**
 * Like escapeMarkdown, for a finding message inside a GFM table cell, but `code` spans (rule
 * messages quote commands between backticks) stay code spans when the backticks pair up. Inside
 * a code span nothing is HTML or Markdown, so only the table's `|` is escaped (GFM unescapes
 * `\|` inside code spans of table cells) and line breaks become spaces. Unpaired backticks:
 * everything is escaped as plain text.
 */
export function escapeMarkdownTableMessage(text: string): string {
  const parts = text.split("`");
  if (parts.length % 2 === 0) return escapeMarkdown(text);
  return parts
    .map((part, index) => {
      if (index % 2 === 0) return escapeMarkdown(part);
      const code = part.replace(/\r\n|\r|\n|\u2028|\u2029|\t/g, " ").replace(CONTROL_CHARACTERS, "").replace(/\|/g, "\\|");
      return code.trim() === "" ? escapeMarkdown(`\`${part}\``) : `\`${code}\``;
    })
    .join("");
}

/** C0 (except tab and newline, handled separately), DEL, C1, and bidirectional overrides/isolates. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Markdown-significant characters that are escaped with a backslash (CommonMark: any ASCII punctuation may be). */
const MARKDOWN_BACKSLASHED = /[\\`*_[\]|~$]/g;

/**
 * Escapes text for inline use in a Markdown paragraph, list item, heading or table cell
 * (GitHub-flavoured Markdown). Emphasis, code spans, links, strikethrough, math (`$`) and table
 * pipes are neutralized with backslashes; `&`, `<` and `>` become entities so no HTML (and no
 * entity reference) from the text survives; line breaks become `<br>` (inside a table a raw newline
 * would end the row) or spaces. Control characters are dropped.
 */
export function escapeMarkdown(text: string, options: { lineBreaks?: "br" | "space" } = {}): string {
  const lineBreak = options.lineBreaks === "space" ? " " : "<br>";
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(MARKDOWN_BACKSLASHED, (character) => `\\${character}`)
    .replace(/\t/g, " ")
    .split(/\r\n|\r|\n|\u2028|\u2029/)
    .map((line, index, lines) => trimSpaces(line, index > 0, index < lines.length - 1))
    .join(lineBreak)
    .replace(CONTROL_CHARACTERS, "");
}

/**
 * The spaces around a line break go with it. Done without a regular expression: one that
 * matches spaces, a break, spaces rescans a long run of spaces from each of its positions.
 */
function trimSpaces(line: string, start: boolean, end: boolean): string {
  let from = 0;
  let to = line.length;
  if (start) while (from < to && line[from] === " ") from++;
  if (end) while (to > from && line[to - 1] === " ") to--;
  return line.slice(from, to);
}

/**
 * Makes text safe to print on a terminal: escape sequences (ESC, CSI and other control
 * characters) and bidirectional overrides from the audited files are shown as visible `\xNN` /
 * `\u{NNNN}` escapes instead of being interpreted; tabs become spaces. Line breaks are kept
 * when `keepNewlines` is set (the caller indents them), otherwise shown as spaces.
 */
export function sanitizeTerminal(text: string, options: { keepNewlines?: boolean } = {}): string {
  const normalized = text.replace(/\r\n|\r|\u2028|\u2029/g, "\n").replace(/\t/g, " ");
  const withBreaks = options.keepNewlines ? normalized : normalized.replace(/\n/g, " ");
  return withBreaks.replace(CONTROL_CHARACTERS, (character) => {
    const code = character.codePointAt(0) ?? 0;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
  });
}
