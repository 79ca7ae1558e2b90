// Linear-time matching of the .dockerignore patterns that are only literals and wildcards. Go
// matches every pattern with RE2, in time linear in the path; the JS translation backtracks, and
// a pattern such as `*a*a*a*a*b` (whose regexp is `^[^/]*a[^/]*a[^/]*a[^/]*a[^/]*b$`) took 3.7 s
// on one 150-character name and minutes on longer ones, for every file of the context. The regexp
// patternmatcher builds for such a pattern is read back into a small automaton that is run as
// RE2 runs it (all states at once): O(pattern x path). Patterns with classes, escapes other than
// literal characters, or the raw `|{}` that reach Go's regexp keep the translated regexp. Pure.

type Step = { kind: "char"; char: string } | { kind: "one" } | { kind: "name" } | { kind: "any" } | { kind: "dirs" };

// The steps of a `^...$` regexp made of literals, `[^/]`, `[^/]*`, `.*` and `(.*/)?`; undefined for anything else.
function stepsOf(regexp: string): Step[] | undefined {
  if (!regexp.startsWith("^") || !regexp.endsWith("$")) return undefined;
  const body = regexp.slice(1, -1);
  const steps: Step[] = [];
  let index = 0;
  const forms: [string, Step][] = [
    ["(.*/)?", { kind: "dirs" }],
    ["[^/]*", { kind: "name" }],
    ["[^/]", { kind: "one" }],
    [".*", { kind: "any" }],
  ];
  outer: while (index < body.length) {
    for (const [text, step] of forms) {
      if (body.startsWith(text, index)) {
        steps.push(step);
        index += text.length;
        continue outer;
      }
    }
    const char = String.fromCodePoint(body.codePointAt(index) as number);
    if (char === "\\") {
      const escaped = body[index + 1];
      // Only escaped punctuation is a plain literal in Go's syntax (`\d`, `\pL`... are not).
      if (escaped === undefined || !/^[!-/:-@[-`{-~]$/.test(escaped)) return undefined;
      steps.push({ kind: "char", char: escaped });
      index += 2;
      continue;
    }
    if ("[](){}|.*+?^$".includes(char)) return undefined;
    steps.push({ kind: "char", char });
    index += char.length;
  }
  return steps;
}

/**
 * A matcher equivalent to Go's regexp for the wildcard-only patterns (see the top of the file),
 * or undefined when the regexp has anything else. As in Go, `.` never matches a line feed and
 * `[^/]` does (Go compiles with ClassNL).
 */
export function wildcardMatcher(regexp: string): ((path: string) => boolean) | undefined {
  const steps = stepsOf(regexp);
  if (steps === undefined) return undefined;
  const count = steps.length;
  // State i: before step i; state count: accepted. `inDirs[i]`: inside `(.*/)?` of step i.
  const close = (at: boolean[], inDirs: boolean[]): void => {
    for (let index = 0; index < count; index++) {
      if (!at[index]) continue;
      const step = steps[index] as Step;
      if (step.kind === "name" || step.kind === "any" || step.kind === "dirs") at[index + 1] = true;
      if (step.kind === "dirs") inDirs[index] = true;
    }
  };
  return (path) => {
    let at = new Array<boolean>(count + 1).fill(false);
    let inDirs = new Array<boolean>(count).fill(false);
    at[0] = true;
    close(at, inDirs);
    for (const char of path) {
      const nextAt = new Array<boolean>(count + 1).fill(false);
      const nextDirs = new Array<boolean>(count).fill(false);
      let alive = false;
      for (let index = 0; index < count; index++) {
        const step = steps[index] as Step;
        if (inDirs[index] && char !== "\n") {
          // Inside `(.*/)?`: any character stays inside; a `/` may also end it.
          nextDirs[index] = true;
          if (char === "/") nextAt[index + 1] = true;
          alive = true;
        }
        if (!at[index]) continue;
        let consumed = false;
        let stay = false;
        switch (step.kind) {
          case "char":
            consumed = char === step.char;
            break;
          case "one":
            consumed = char !== "/";
            break;
          case "name":
            stay = char !== "/";
            break;
          case "any":
            stay = char !== "\n";
            break;
          case "dirs":
            break;
        }
        if (consumed) nextAt[index + 1] = true;
        if (stay) nextAt[index] = true;
        alive ||= consumed || stay;
      }
      if (!alive) return false;
      close(nextAt, nextDirs);
      at = nextAt;
      inDirs = nextDirs;
    }
    return at[count] as boolean;
  };
}
