// Glob matching in time bounded by pattern length x text length. Translated to a regular
// expression, a glob with several stars (`*a*a*a*b`, one line of a .gitignore) becomes
// `[^/]*a[^/]*a[^/]*a[^/]*b`, whose backtracking grows with the name's length to the power of
// the stars: 150 characters took seconds, 400 would take minutes. Here each path segment is
// matched by the classic two-pointer wildcard algorithm (on a mismatch, only the last star
// takes one more character), and `**` segments by a table over segments. Pure.

/** One element of a segment pattern. */
type Token = { kind: "star" } | { kind: "one" } | { kind: "char"; char: string } | { kind: "class"; negated: boolean; items: { from: string; to: string }[] };

export interface GlobOptions {
  /** A segment that is exactly `**` matches any number of whole segments (gitignore, workspaces); otherwise it is a `*`. */
  globstar?: boolean;
  /** What a `[` without its `]` is: a literal `[` (shells, gitignore; the default) or a pattern that matches nothing (Go's filepath.Match). */
  unclosedClass?: "literal" | "invalid";
}

/**
 * A matcher for a glob over `/`-separated paths: `*` any run of characters except `/`, `?` one
 * character except `/`, `[...]` one of a class (`!` or `^` negates, `a-z` ranges, never `/`),
 * `\x` the character x. Text and pattern must have as many segments (except for `**`).
 */
export function compileGlob(pattern: string, options: GlobOptions = {}): (text: string) => boolean {
  const segments: (Token[] | "globstar")[] = [];
  for (const part of pattern.split("/")) {
    if (options.globstar && part === "**") {
      // `**/**` is one `**`.
      if (segments.at(-1) !== "globstar") segments.push("globstar");
      continue;
    }
    const tokens = tokenize(part, options.unclosedClass ?? "literal");
    if (tokens === undefined) return () => false;
    segments.push(tokens);
  }
  return (text) => matchSegments(segments, text.split("/"));
}

function tokenize(part: string, unclosedClass: "literal" | "invalid"): Token[] | undefined {
  const tokens: Token[] = [];
  for (let index = 0; index < part.length; index++) {
    const char = part[index] as string;
    if (char === "*") {
      // Consecutive stars mean what one means.
      if (tokens.at(-1)?.kind !== "star") tokens.push({ kind: "star" });
    } else if (char === "?") tokens.push({ kind: "one" });
    else if (char === "\\" && index + 1 < part.length) tokens.push({ kind: "char", char: part[++index] as string });
    else if (char === "[") {
      const parsed = parseClass(part, index);
      if (parsed === undefined) {
        if (unclosedClass === "invalid") return undefined;
        tokens.push({ kind: "char", char });
      } else {
        tokens.push(parsed.token);
        index = parsed.end;
      }
    } else tokens.push({ kind: "char", char });
  }
  return tokens;
}

/** The class opening at `start` and the index of its `]`; undefined when it is not closed. */
function parseClass(part: string, start: number): { token: Token; end: number } | undefined {
  let index = start + 1;
  const negated = part[index] === "!" || part[index] === "^";
  if (negated) index++;
  const items: { from: string; to: string }[] = [];
  // A `]` right after the opening (or its negation) is a member, as in shells.
  let first = true;
  while (index < part.length) {
    let char = part[index] as string;
    if (char === "]" && !first) return { token: { kind: "class", negated, items }, end: index };
    first = false;
    if (char === "\\" && index + 1 < part.length) char = part[++index] as string;
    if (part[index + 1] === "-" && index + 2 < part.length && part[index + 2] !== "]") {
      let to = part[index + 2] as string;
      index += 2;
      if (to === "\\" && index + 1 < part.length) to = part[++index] as string;
      items.push({ from: char, to });
    } else items.push({ from: char, to: char });
    index++;
  }
  return undefined;
}

function tokenMatches(token: Token, char: string): boolean {
  switch (token.kind) {
    case "star":
      return false;
    case "one":
      return true;
    case "char":
      return token.char === char;
    case "class":
      return token.items.some((item) => item.from <= char && char <= item.to) !== token.negated;
  }
}

/** Wildcard match of one segment (which holds no `/`): O(tokens x characters) at worst. */
function matchSegment(tokens: readonly Token[], text: string): boolean {
  let tokenIndex = 0;
  let textIndex = 0;
  let starToken = -1;
  let starText = 0;
  while (textIndex < text.length) {
    const token = tokens[tokenIndex];
    if (token !== undefined && token.kind === "star") {
      starToken = tokenIndex++;
      starText = textIndex;
    } else if (token !== undefined && tokenMatches(token, text[textIndex] as string)) {
      tokenIndex++;
      textIndex++;
    } else if (starToken >= 0) {
      // The last star takes one more character; earlier stars never need to.
      tokenIndex = starToken + 1;
      textIndex = ++starText;
    } else return false;
  }
  while (tokens[tokenIndex]?.kind === "star") tokenIndex++;
  return tokenIndex === tokens.length;
}

/** Whether the segments match, `**` standing for any number of whole segments: O(pattern segments x path segments) segment matches. */
function matchSegments(segments: readonly (Token[] | "globstar")[], parts: readonly string[]): boolean {
  // reachable[j]: the pattern so far matches parts[0..j).
  let reachable = new Array<boolean>(parts.length + 1).fill(false);
  reachable[0] = true;
  for (const segment of segments) {
    const next = new Array<boolean>(parts.length + 1).fill(false);
    if (segment === "globstar") {
      let any = false;
      for (let j = 0; j <= parts.length; j++) {
        any = any || (reachable[j] as boolean);
        next[j] = any;
      }
    } else {
      for (let j = 0; j < parts.length; j++) if (reachable[j] && matchSegment(segment, parts[j] as string)) next[j + 1] = true;
    }
    reachable = next;
  }
  return reachable[parts.length] as boolean;
}
