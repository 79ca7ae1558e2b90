// Go regexp (RE2 syntax, Perl flags) -> JavaScript RegExp source for the "u" flag.
//
// moby/patternmatcher turns a .dockerignore pattern into a Go regexp and compiles it with
// regexp.Compile. To match exactly what `docker build` matches, that regexp is translated here
// rather than re-derived from the glob: POSIX and Perl classes, \pX / \p{Greek}, octal and hex
// escapes, \Q..\E, counted repetition and Go's class rules, throwing RegexpSyntaxError where
// Go's parser reports an error. The output never uses backreferences or lookaround, so the JS
// engine matches it like RE2 would (no user-controlled nested quantifiers are produced: the
// .dockerignore translator emits `[^/]*`, `(.*/)?` and `.*` only, and counted repetitions keep
// Go's limit of 1000).


/** Where Go's regexp.Compile would fail, with Go's wording. */
export class RegexpSyntaxError extends Error {
  override name = "RegexpSyntaxError";
}

type Range = [number, number];
const MAX_RUNE = 0x10ffff;
const PERL_CLASSES: Record<string, Range[]> = {
  d: [[0x30, 0x39]],
  s: [
    [0x09, 0x0a],
    [0x0c, 0x0d],
    [0x20, 0x20],
  ],
  w: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x5f, 0x5f],
    [0x61, 0x7a],
  ],
};
const POSIX_CLASSES: Record<string, Range[]> = {
  alnum: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  alpha: [
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  ascii: [[0x00, 0x7f]],
  blank: [
    [0x09, 0x09],
    [0x20, 0x20],
  ],
  cntrl: [
    [0x00, 0x1f],
    [0x7f, 0x7f],
  ],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [
    [0x21, 0x2f],
    [0x3a, 0x40],
    [0x5b, 0x60],
    [0x7b, 0x7e],
  ],
  space: [
    [0x09, 0x0d],
    [0x20, 0x20],
  ],
  upper: [[0x41, 0x5a]],
  word: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x5f, 0x5f],
    [0x61, 0x7a],
  ],
  xdigit: [
    [0x30, 0x39],
    [0x41, 0x46],
    [0x61, 0x66],
  ],
};
// Go's unicode.Categories (Go <= 1.24; "C" there leaves out unassigned code points).
const GO_CATEGORIES = new Set(
  "C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs".split(" "),
);

function negateRanges(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX_RUNE) out.push([next, MAX_RUNE]);
  return out;
}

function jsChar(codePoint: number): string {
  const ch = String.fromCodePoint(codePoint);
  return /^[A-Za-z0-9_]$/.test(ch) ? ch : `\\u{${codePoint.toString(16)}}`;
}

function jsClass(ranges: readonly Range[], unicodeParts: readonly string[], negated: boolean): string {
  let body = "";
  for (const [lo, hi] of ranges) body += lo === hi ? jsChar(lo) : `${jsChar(lo)}-${jsChar(hi)}`;
  return `[${negated ? "^" : ""}${body}${unicodeParts.join("")}]`;
}

/** \pX / \p{Name} / \P.. / \p{^Name} as JS class parts (a union), or null if `at` is not one. */
function parseUnicodeClass(src: string[], at: number): { parts: string[]; next: number } | null {
  if (src[at] !== "\\" || (src[at + 1] !== "p" && src[at + 1] !== "P")) return null;
  let negated = src[at + 1] === "P";
  let name: string;
  let next: number;
  if (src[at + 2] === "{") {
    const close = src.indexOf("}", at + 3);
    if (close < 0) throw new RegexpSyntaxError("invalid character class range");
    name = src.slice(at + 3, close).join("");
    next = close + 1;
  } else {
    name = src[at + 2] ?? "";
    next = at + 3;
  }
  if (name.startsWith("^")) {
    negated = !negated;
    name = name.slice(1);
  }
  let positive: string[];
  if (name === "Any") positive = ["\\p{Any}"];
  else if (name === "C") positive = ["\\p{Cc}", "\\p{Cf}", "\\p{Co}", "\\p{Cs}"];
  else if (GO_CATEGORIES.has(name)) positive = [`\\p{${name}}`];
  else if (/^[A-Z][A-Za-z_]*$/.test(name)) {
    positive = [`\\p{Script=${name}}`];
    try {
      new RegExp(positive[0] as string, "u");
    } catch {
      throw new RegexpSyntaxError(`invalid character class range: \\p{${name}}`);
    }
  } else throw new RegexpSyntaxError(`invalid character class range: \\p{${name}}`);
  if (!negated) return { parts: positive, next };
  if (name === "Any") return { parts: [], next };
  if (name === "C") return { parts: ["\\p{L}", "\\p{M}", "\\p{N}", "\\p{P}", "\\p{S}", "\\p{Z}", "\\p{Cn}"], next };
  return { parts: [(positive[0] as string).replace("\\p{", "\\P{")], next };
}

/** regexp/syntax parseEscape: a single literal rune. */
function parseEscape(src: string[], at: number): { codePoint: number; next: number } {
  const c = src[at + 1];
  if (c === undefined) throw new RegexpSyntaxError("trailing backslash at end of expression");
  const code = c.codePointAt(0) as number;
  const isOctal = (s: string | undefined) => s !== undefined && s >= "0" && s <= "7";
  const hex = (s: string | undefined) => (s !== undefined && /^[0-9A-Fa-f]$/.test(s) ? Number.parseInt(s, 16) : -1);
  if (code < 0x80 && !/[A-Za-z0-9]/.test(c)) return { codePoint: code, next: at + 2 };
  if ((c >= "1" && c <= "7" && isOctal(src[at + 2])) || c === "0") {
    let value = code - 0x30;
    let next = at + 2;
    for (let digits = 1; digits < 3 && isOctal(src[next]); digits++) value = value * 8 + ((src[next++] as string).codePointAt(0) as number) - 0x30;
    return { codePoint: value, next };
  }
  if (c === "x") {
    if (src[at + 2] === "{") {
      let value = 0;
      let digits = 0;
      let next = at + 3;
      for (;;) {
        const d = src[next++];
        if (d === undefined) throw new RegexpSyntaxError("invalid escape sequence");
        if (d === "}") break;
        const v = hex(d);
        if (v < 0) throw new RegexpSyntaxError("invalid escape sequence");
        value = value * 16 + v;
        if (value > MAX_RUNE) throw new RegexpSyntaxError("invalid escape sequence");
        digits++;
      }
      if (digits === 0) throw new RegexpSyntaxError("invalid escape sequence");
      return { codePoint: value, next };
    }
    const x = hex(src[at + 2]);
    const y = hex(src[at + 3]);
    if (x < 0 || y < 0) throw new RegexpSyntaxError("invalid escape sequence");
    return { codePoint: x * 16 + y, next: at + 4 };
  }
  const simple: Record<string, number> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };
  const value = simple[c];
  if (value !== undefined) return { codePoint: value, next: at + 2 };
  throw new RegexpSyntaxError(`invalid escape sequence: \\${c}`);
}

/** regexp/syntax parseClass, starting at "[". */
function parseClass(src: string[], at: number): { js: string; next: number } {
  let index = at + 1;
  let negated = false;
  if (src[index] === "^") {
    negated = true;
    index++;
  }
  const ranges: Range[] = [];
  const parts: string[] = [];
  let first = true;
  const classChar = (): number => {
    const ch = src[index];
    if (ch === undefined) throw new RegexpSyntaxError("missing closing ]");
    if (ch === "\\") {
      const escape = parseEscape(src, index);
      index = escape.next;
      return escape.codePoint;
    }
    index++;
    return ch.codePointAt(0) as number;
  };
  while (index >= src.length || src[index] !== "]" || first) {
    first = false;
    // POSIX [:name:] — Go looks for ":]" anywhere in the rest of the expression.
    if (index + 2 < src.length && src[index] === "[" && src[index + 1] === ":") {
      const rest = src.slice(index + 2).join("");
      const close = rest.indexOf(":]");
      if (close >= 0) {
        let name = rest.slice(0, close);
        const negatedGroup = name.startsWith("^");
        if (negatedGroup) name = name.slice(1);
        const group = POSIX_CLASSES[name];
        if (group === undefined) throw new RegexpSyntaxError(`invalid character class range: [:${rest.slice(0, close)}:]`);
        ranges.push(...(negatedGroup ? negateRanges(group) : group));
        index += 2 + Array.from(rest.slice(0, close)).length + 2;
        continue;
      }
    }
    const unicode = parseUnicodeClass(src, index);
    if (unicode !== null) {
      parts.push(...unicode.parts);
      index = unicode.next;
      continue;
    }
    const perl = src[index] === "\\" ? src[index + 1] : undefined;
    if (perl !== undefined && /^[dswDSW]$/.test(perl)) {
      const group = PERL_CLASSES[perl.toLowerCase()] as Range[];
      ranges.push(...(perl === perl.toUpperCase() ? negateRanges(group) : group));
      index += 2;
      continue;
    }
    const lo = classChar();
    let hi = lo;
    if (index + 1 < src.length && src[index] === "-" && src[index + 1] !== "]") {
      index++;
      hi = classChar();
      if (hi < lo) throw new RegexpSyntaxError("invalid character class range");
    }
    ranges.push([lo, hi]);
  }
  return { js: jsClass(ranges, parts, negated), next: index + 1 };
}

/** Translates a Go regexp (as patternmatcher builds them) to JS, throwing where Go's parser would. */
export function translateGoRegexp(source: string): string {
  const src = Array.from(source);
  let out = "";
  // Where the item a repetition would apply to starts in `out`, or -1 when there is none.
  let atomStart = -1;
  let atomRepeated = false;
  let lastWasRepeat = false;
  const groups: number[] = [];
  const atom = (js: string) => {
    atomStart = out.length;
    atomRepeated = false;
    out += js;
  };
  const repeat = (quantifier: string) => {
    if (lastWasRepeat) throw new RegexpSyntaxError("invalid nested repetition operator");
    if (atomStart < 0) throw new RegexpSyntaxError("missing argument to repetition operator");
    // Go lets \Q\E separate two repetitions; JS needs a group around the first.
    if (atomRepeated) out = `${out.slice(0, atomStart)}(?:${out.slice(atomStart)})`;
    out += quantifier;
    atomRepeated = true;
  };
  let index = 0;
  while (index < src.length) {
    const ch = src[index] as string;
    let repeated = false;
    switch (ch) {
      case "(":
        if (src[index + 1] === "?") throw new RegexpSyntaxError("unsupported group flags");
        groups.push(out.length);
        out += "(?:";
        atomStart = -1;
        index++;
        break;
      case ")": {
        const start = groups.pop();
        if (start === undefined) throw new RegexpSyntaxError("unexpected )");
        out += ")";
        atomStart = start;
        atomRepeated = false;
        index++;
        break;
      }
      case "|":
        out += "|";
        atomStart = -1;
        index++;
        break;
      case "^":
        atom("(?:^)");
        index++;
        break;
      case "$":
        atom("(?:$)");
        index++;
        break;
      case ".":
        atom("[^\\n]");
        index++;
        break;
      case "[": {
        const parsed = parseClass(src, index);
        atom(parsed.js);
        index = parsed.next;
        break;
      }
      case "*":
      case "+":
      case "?": {
        let quantifier = ch;
        index++;
        if (src[index] === "?") {
          quantifier += "?";
          index++;
        }
        repeat(quantifier);
        repeated = true;
        break;
      }
      case "{": {
        // parseRepeat: {n}, {n,} or {n,m} without leading zeros; anything else is a literal "{".
        const match = /^\{(0|[1-9]\d*)(?:(,)(0|[1-9]\d*)?)?\}/.exec(src.slice(index).join(""));
        if (match === null) {
          atom(jsChar(0x7b));
          index++;
          break;
        }
        const min = match[1] as string;
        const max = match[2] === undefined ? min : match[3];
        const tooBig = (digits: string) => digits.length > 8 || Number(digits) > 1000;
        if (tooBig(min) || (max !== undefined && (tooBig(max) || Number(min) > Number(max)))) {
          throw new RegexpSyntaxError("invalid repeat count");
        }
        index += Array.from(match[0]).length;
        let quantifier = max === undefined ? `{${min},}` : `{${min},${max}}`;
        if (src[index] === "?") {
          quantifier += "?";
          index++;
        }
        repeat(quantifier);
        repeated = true;
        break;
      }
      case "\\": {
        const next = src[index + 1];
        if (next === "A" || next === "z") {
          atom(next === "A" ? "(?:^)" : "(?:$)");
          index += 2;
        } else if (next === "b" || next === "B") {
          atom(`(?:\\${next})`);
          index += 2;
        } else if (next === "C") {
          throw new RegexpSyntaxError("invalid escape sequence: \\C");
        } else if (next === "Q") {
          let end = index + 2;
          while (end < src.length && !(src[end] === "\\" && src[end + 1] === "E")) end++;
          for (let at = index + 2; at < end; at++) atom(jsChar(src[at]?.codePointAt(0) as number));
          index = end < src.length ? end + 2 : end;
        } else {
          const unicode = parseUnicodeClass(src, index);
          if (unicode !== null) {
            atom(unicode.parts.length === 0 ? "[]" : jsClass([], unicode.parts, false));
            index = unicode.next;
          } else if (next !== undefined && /^[dswDSW]$/.test(next)) {
            const group = PERL_CLASSES[next.toLowerCase()] as Range[];
            atom(jsClass(group, [], next === next.toUpperCase()));
            index += 2;
          } else {
            const escape = parseEscape(src, index);
            atom(jsChar(escape.codePoint));
            index = escape.next;
          }
        }
        break;
      }
      default:
        atom(jsChar(ch.codePointAt(0) as number));
        index++;
    }
    lastWasRepeat = repeated;
  }
  if (groups.length > 0) throw new RegexpSyntaxError("missing closing )");
  return out;
}
