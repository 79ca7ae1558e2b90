// .dockerignore matching with Docker's own semantics, reproduced from the Go sources that
// `docker build` runs (read from the public repositories, re-written here):
//
// - reading the file: moby/patternmatcher `ignorefile.ReadAll` (same code as BuildKit's
//   frontend/dockerfile/dockerignore): a UTF-8 BOM is dropped from the first line; lines are
//   split like bufio.Scanner (on "\n", one trailing "\r" dropped, a line over 64 KiB is an
//   error); a line starting with "#" is a comment (only in column 0, before trimming); the
//   rest is trimmed (Go's unicode.IsSpace), blank lines skipped; a leading "!" is split off and
//   what follows trimmed again; the pattern is filepath.Clean-ed and one leading "/" removed.
// - compiling: moby/patternmatcher `New` + `Pattern.compile`: each pattern is trimmed and
//   Clean-ed again, "!" marks an exception ("!" alone is an error), filepath.Match must accept
//   it, and it becomes one of four matchers: exact string (no `*?[]\`), prefix (`foo/**`),
//   suffix (a pattern starting with `**`, e.g. `**/foo` or `**.md`: a plain string-suffix
//   test!) or a Go regexp: `*` -> `[^/]*`, `?` -> `[^/]`, `**` -> `(.*/)?` (or `.*` at the end),
//   `\x` is passed to the regexp as `\x`, `[`/`]` pass through, `.+()$` are escaped and
//   everything else is copied, including `|{}` (see shouldEscape below). The Go regexp is
//   translated to an equivalent JS RegExp (RE2 syntax: POSIX and Perl classes, \pX, octal and
//   hex escapes, \Q..\E, counted repetition, Go's class rules) and compiled once. A regexp Go
//   rejects fails only when the pattern is first evaluated (lazy compile in patternmatcher >=
//   0.6), so `excludes()` throws then, as the build would fail then.
// - matching during the context walk: `MatchesUsingParentResults` (BuildKit's fsutil
//   filter.go and moby's archive.TarWithOptions both use it): patterns in order, last match
//   wins; an inclusion pattern is only tried while the path is not excluded and an exception
//   only while it is; a pattern that matched the parent directory counts as matching the child.
// - pruning directories: an excluded directory is skipped whole unless an exception pattern
//   could re-include something below it. BuildKit (fsutil): no skipping at all once any
//   exception contains a wildcard (after dropping a trailing `/**` or `/*`), otherwise skip
//   unless some exception + "/" starts with dir + "/". Classic builder (archive.TarWithOptions):
//   the same prefix test on the raw exception, without the wildcard rule, so `!**/keep.txt`
//   does NOT re-include files below an excluded directory there.
// - Dockerfile and .dockerignore: the classic CLI (docker/cli TrimBuildFilesFromExcludes)
//   appends `!.dockerignore` and `!<dockerfile>` when they are excluded, so they are always
//   uploaded (see alwaysSentFiles); the daemon then deletes them from the context again when
//   the original patterns exclude them (MatchesOrParentMatches). BuildKit sends the Dockerfile
//   separately. Either way COPY never sees an excluded one: `excludes()` reports the pattern
//   verdict for them too.
//
// Verified against a real engine (test/dockerignore.test.ts): the classic builder of Docker
// CLI 28 (current patternmatcher and archive code) agrees file for file. Docker 20.10 clients
// differ (their fileutils escaped only `.$`, had no exact/prefix/suffix fast paths and checked
// a single parent directory); that older behaviour is not reproduced.

/** Which context sender's walk to reproduce: BuildKit/buildx (default) or the classic builder. */
export type DockerignoreBuilder = "buildkit" | "classic";

export interface DockerignoreOptions {
  /** Default "buildkit" (what `docker build` uses since Docker 23 with buildx). */
  builder?: DockerignoreBuilder;
  /**
   * Classic builder only: the Dockerfile's path relative to the context (default "Dockerfile");
   * "-" or null for a Dockerfile read from stdin or from outside the context. The CLI appends
   * `!<dockerfile>` to the patterns, which can stop the walk from pruning its directory.
   */
  dockerfile?: string | null;
}

export interface DockerignoreMatcher {
  /** Whether a context-relative POSIX path (file) is excluded from the build context. */
  excludes(path: string): boolean;
  /** Whether a directory can be skipped entirely while walking (excluded and no `!` pattern could re-include something below it). */
  canSkipDirectory(path: string): boolean;
  /** moby/patternmatcher MatchesOrParentMatches: the pattern verdict alone, without the walk (used by the daemon for Dockerfile/.dockerignore). */
  matchesOrParentMatches(path: string): boolean;
  /** Patterns Go's regexp package rejects: the build fails as soon as one of them is evaluated. */
  readonly invalidPatterns: readonly { pattern: string; message: string }[];
}

export class DockerignoreError extends Error {
  override name = "DockerignoreError";
}

/** Patterns from a .dockerignore text, as Docker reads them (comments, blanks, whitespace, Clean, leading slash). */
export function parseDockerignore(text: string): string[] {
  const patterns: string[] = [];
  const encoder = new TextEncoder();
  const lines = text.split("\n");
  // bufio.Scanner: no token after a final "\n".
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index] ?? "";
    // bufio.Scanner's 64 KiB buffer must hold the line (with its "\r") and one more byte.
    if (raw.length > 21845 && encoder.encode(raw).length > 65535) {
      throw new DockerignoreError("error reading .dockerignore: bufio.Scanner: token too long");
    }
    let line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (index === 0 && line.startsWith("\uFEFF")) line = line.slice(1);
    if (line.startsWith("#")) continue;
    let pattern = goTrimSpace(line);
    if (pattern === "") continue;
    const invert = pattern.startsWith("!");
    if (invert) pattern = goTrimSpace(pattern.slice(1));
    if (pattern.length > 0) {
      pattern = goClean(pattern);
      if (pattern.length > 1 && pattern.startsWith("/")) pattern = pattern.slice(1);
    }
    patterns.push(invert ? `!${pattern}` : pattern);
  }
  return patterns;
}

/**
 * Files the classic `docker build` CLI uploads even when .dockerignore excludes them: the
 * .dockerignore itself and the Dockerfile (when it lies inside the context; from stdin or
 * outside, the CLI adds it under a random name instead). The daemon removes excluded ones again
 * before any COPY, and BuildKit transfers the Dockerfile on its own, so these never reach the
 * image through `COPY .` unless the patterns keep them.
 */
export function alwaysSentFiles(dockerfilePath: string): string[] {
  const files = [".dockerignore"];
  const trimmed = dockerfilePath.trim();
  if (trimmed === "" || trimmed === "-" || trimmed.startsWith("/")) return files;
  const dockerfile = goClean(trimmed);
  if (dockerfile === "." || dockerfile === ".." || dockerfile.startsWith("../")) return files;
  if (dockerfile !== ".dockerignore") files.push(dockerfile);
  return files;
}

export function compileDockerignore(patterns: string[], options: DockerignoreOptions = {}): DockerignoreMatcher {
  const builder = options.builder ?? "buildkit";
  const original = newPatternMatcher(patterns);
  let walk = original;
  let buildFiles = new Set<string>();
  if (builder === "classic") {
    // docker/cli TrimBuildFilesFromExcludes (it uses the deprecated single-parent Matches).
    const extended = [...patterns];
    if (legacyMatches(".dockerignore", extended)) extended.push("!.dockerignore");
    const dockerfile = options.dockerfile === undefined ? "Dockerfile" : options.dockerfile;
    const sent = alwaysSentFiles(dockerfile ?? "-");
    const inContext = sent[1];
    if (inContext !== undefined && legacyMatches(inContext, extended)) extended.push(`!${inContext}`);
    if (extended.length !== patterns.length) walk = newPatternMatcher(extended);
    buildFiles = new Set(sent);
  }

  const count = walk.patterns.length;
  const exclusionPrefixes: string[] = [];
  let anyWildcardException = false;
  for (const pattern of walk.patterns) {
    if (!pattern.exclusion) continue;
    if (builder === "buildkit") {
      const stripped = withoutTrailingGlob(pattern.source);
      if (/[*[\]?^\\]/.test(stripped)) anyWildcardException = true;
      exclusionPrefixes.push(`${stripped}/`);
    } else {
      exclusionPrefixes.push(`${pattern.source}/`);
    }
  }
  // BuildKit gives up pruning altogether when an exception has a wildcard.
  const pruning = !(builder === "buildkit" && anyWildcardException);

  interface DirState {
    info: Uint8Array;
    /** This directory or one above it is skipped: nothing below it is sent. */
    pruned: boolean;
  }
  const root: DirState = { info: new Uint8Array(count), pruned: false };
  let dirs = new Map<string, DirState>();

  const canSkip = (dir: string, excluded: boolean): boolean => {
    if (!excluded || !pruning) return false;
    if (!walk.exclusions) return true;
    const dirSlash = `${dir}/`;
    for (const prefix of exclusionPrefixes) if (prefix.startsWith(dirSlash)) return false;
    return true;
  };

  const dirState = (dir: string): DirState => {
    if (dir === "") return root;
    const cached = dirs.get(dir);
    if (cached !== undefined) return cached;
    const slash = dir.lastIndexOf("/");
    const parent = dirState(slash < 0 ? "" : dir.slice(0, slash));
    let state: DirState;
    if (parent.pruned) {
      state = parent;
    } else {
      const info = new Uint8Array(count);
      const excluded = matchesUsingParentResults(walk.patterns, dir, parent.info, info);
      state = { info, pruned: canSkip(dir, excluded) };
    }
    if (dirs.size >= 200_000) dirs = new Map();
    dirs.set(dir, state);
    return state;
  };

  return {
    invalidPatterns: original.invalid,
    excludes(path) {
      const file = normalizePath(path);
      if (file === ".") return false;
      const slash = file.lastIndexOf("/");
      const parent = dirState(slash < 0 ? "" : file.slice(0, slash));
      if (parent.pruned || matchesUsingParentResults(walk.patterns, file, parent.info, null)) return true;
      // Classic: the CLI uploads Dockerfile and .dockerignore anyway; the daemon deletes them
      // again when the original patterns exclude them.
      return buildFiles.has(file) && matchesOrParentMatches(original.patterns, file);
    },
    canSkipDirectory(path) {
      const dir = normalizePath(path);
      if (dir === ".") return false;
      return dirState(dir).pruned;
    },
    matchesOrParentMatches(path) {
      const file = normalizePath(path);
      if (file === ".") return false;
      return matchesOrParentMatches(original.patterns, file);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// moby/patternmatcher

interface Pattern {
  /** The cleaned pattern without its "!" (Pattern.String()). */
  source: string;
  exclusion: boolean;
  /** Number of "/"-separated parts, for the deprecated Matches. */
  dirCount: number;
  test(path: string): boolean;
}

interface PatternMatcher {
  patterns: Pattern[];
  exclusions: boolean;
  invalid: { pattern: string; message: string }[];
}

function newPatternMatcher(input: readonly string[]): PatternMatcher {
  const patterns: Pattern[] = [];
  const invalid: { pattern: string; message: string }[] = [];
  let exclusions = false;
  for (const raw of input) {
    let pattern = goTrimSpace(raw);
    if (pattern === "") continue;
    pattern = goClean(pattern);
    let exclusion = false;
    if (pattern.startsWith("!")) {
      if (pattern.length === 1) throw new DockerignoreError('illegal exclusion pattern: "!"');
      exclusion = true;
      pattern = pattern.slice(1);
      exclusions = true;
    }
    if (!isValidGlob(pattern)) throw new DockerignoreError(`syntax error in pattern: ${JSON.stringify(pattern)}`);
    const compiled = compilePattern(pattern, exclusion);
    if (compiled.error !== null) invalid.push({ pattern: raw, message: compiled.error });
    patterns.push(compiled.pattern);
  }
  return { patterns, exclusions, invalid };
}

function matchesUsingParentResults(patterns: Pattern[], path: string, parentInfo: Uint8Array, info: Uint8Array | null): boolean {
  let matched = false;
  for (let index = 0; index < patterns.length; index++) {
    const pattern = patterns[index] as Pattern;
    let match = parentInfo[index] === 1;
    if (!match) {
      // An inclusion cannot change an excluded path, nor an exception an included one.
      if (pattern.exclusion !== matched) continue;
      match = pattern.test(path);
    }
    if (info !== null && match) info[index] = 1;
    if (match) matched = !pattern.exclusion;
  }
  return matched;
}

function matchesOrParentMatches(patterns: Pattern[], path: string): boolean {
  let matched = false;
  const parentDirs = path.split("/");
  parentDirs.pop();
  for (const pattern of patterns) {
    if (pattern.exclusion !== matched) continue;
    let match = pattern.test(path);
    if (!match) {
      let prefix = "";
      for (const dir of parentDirs) {
        prefix = prefix === "" ? dir : `${prefix}/${dir}`;
        if (safeTest(pattern, prefix)) {
          match = true;
          break;
        }
      }
    }
    if (match) matched = !pattern.exclusion;
  }
  return matched;
}

/** The deprecated package-level patternmatcher.Matches (one parent, as deep as the pattern). */
function legacyMatches(file: string, input: readonly string[]): boolean {
  let matcher: PatternMatcher;
  try {
    matcher = newPatternMatcher(input);
  } catch {
    return false;
  }
  const path = goClean(file);
  if (path === ".") return false;
  const parentDirs = path.split("/");
  parentDirs.pop();
  let matched = false;
  try {
    for (const pattern of matcher.patterns) {
      if (pattern.exclusion !== matched) continue;
      let match = pattern.test(path);
      if (!match && parentDirs.length > 0 && pattern.dirCount <= parentDirs.length) {
        match = safeTest(pattern, parentDirs.slice(0, pattern.dirCount).join("/"));
      }
      if (match) matched = !pattern.exclusion;
    }
  } catch {
    return false;
  }
  return matched;
}

/** Go ignores the error of the parent-directory tests (`match, _ = pattern.match(...)`). */
function safeTest(pattern: Pattern, path: string): boolean {
  try {
    return pattern.test(path);
  } catch {
    return false;
  }
}

function compilePattern(source: string, exclusion: boolean): { pattern: Pattern; error: string | null } {
  const dirCount = source.split("/").length;
  const { kind, regexp } = patternToGoRegexp(source);
  let test: (path: string) => boolean;
  let error: string | null = null;
  if (kind === "exact") {
    test = (path) => path === source;
  } else if (kind === "prefix") {
    const prefix = source.slice(0, -2);
    test = (path) => path.startsWith(prefix);
  } else if (kind === "suffix") {
    test = suffixTest(source);
  } else {
    let compiled: RegExp | null = null;
    try {
      compiled = new RegExp(translateGoRegexp(regexp), "u");
    } catch (err) {
      error = `syntax error in pattern (${err instanceof Error ? err.message : String(err)})`;
    }
    if (compiled === null) {
      const message = error ?? "syntax error in pattern";
      test = () => {
        throw new DockerignoreError(`${message}: ${JSON.stringify(source)}`);
      };
    } else {
      const re = compiled;
      test = (path) => re.test(path);
    }
  }
  return { pattern: { source, exclusion, dirCount, test }, error };
}

/** suffixMatch: `cleanedPattern[2:]` (bytes), plus "**\/foo" matching "foo". */
function suffixTest(source: string): (path: string) => boolean {
  if (source.startsWith("**")) {
    const suffix = source.slice(2);
    const bare = suffix.startsWith("/") ? suffix.slice(1) : null;
    return (path) => path.endsWith(suffix) || path === bare;
  }
  // Only a pattern whose first character is a BOM (skipped by text/scanner) gets here; Go then
  // strips two bytes of that BOM. Compare bytes, as Go does.
  const suffix = Buffer.from(source, "utf8").subarray(2);
  return (path) => {
    const bytes = Buffer.from(path, "utf8");
    return bytes.length >= suffix.length && bytes.subarray(bytes.length - suffix.length).equals(suffix);
  };
}

type MatchKind = "exact" | "prefix" | "suffix" | "regexp";

/** Pattern.compile: the match kind and the Go regexp source (meaningful for "regexp" only). */
function patternToGoRegexp(pattern: string): { kind: MatchKind; regexp: string } {
  const chars = Array.from(pattern);
  let position = 0;
  // text/scanner skips a byte order mark at the very start.
  if (chars[0] === "\uFEFF") position = 1;
  const peek = (): string | undefined => chars[position];
  const next = (): string | undefined => chars[position++];
  let regexp = "^";
  let kind: MatchKind = "exact";
  for (let iteration = 0; peek() !== undefined; iteration++) {
    const ch = next() as string;
    if (ch === "*") {
      if (peek() === "*") {
        next();
        if (peek() === "/") next();
        if (peek() === undefined) {
          if (kind === "exact") kind = "prefix";
          else {
            regexp += ".*";
            kind = "regexp";
          }
        } else {
          regexp += "(.*/)?";
          kind = "regexp";
        }
        if (iteration === 0) kind = "suffix";
      } else {
        regexp += "[^/]*";
        kind = "regexp";
      }
    } else if (ch === "?") {
      regexp += "[^/]";
      kind = "regexp";
    } else if (".+()$".includes(ch)) {
      // shouldEscape lists `.+()|{}$`, but its [8]byte bitmap (bit b/8 of byte b%8) cannot hold
      // bytes >= 64: `|`, `{` and `}` reach the regexp raw (`a|b*` is `^a|b[^/]*$`).
      regexp += `\\${ch}`;
    } else if (ch === "\\") {
      const escaped = next();
      if (escaped !== undefined) {
        regexp += `\\${escaped}`;
        kind = "regexp";
      } else {
        regexp += "\\";
      }
    } else if (ch === "[" || ch === "]") {
      regexp += ch;
      kind = "regexp";
    } else {
      regexp += ch;
    }
  }
  if (kind === "regexp") regexp += "$";
  return { kind, regexp };
}

/** filepath.Match's syntax check (Go >= 1.16 reports ErrBadPattern for any malformed chunk). */
function isValidGlob(pattern: string): boolean {
  let rest = pattern;
  while (rest.length > 0) {
    // scanChunk
    let start = 0;
    while (start < rest.length && rest[start] === "*") start++;
    rest = rest.slice(start);
    let inRange = false;
    let end = 0;
    scan: for (; end < rest.length; end++) {
      switch (rest[end]) {
        case "\\":
          if (end + 1 < rest.length) end++;
          break;
        case "[":
          inRange = true;
          break;
        case "]":
          inRange = false;
          break;
        case "*":
          if (!inRange) break scan;
          break;
      }
    }
    if (!isValidChunk(Array.from(rest.slice(0, end)))) return false;
    rest = rest.slice(end);
  }
  return true;
}

/** matchChunk's syntax rules: classes need a closing "]" and valid ranges; no trailing "\". */
function isValidChunk(chunk: string[]): boolean {
  let index = 0;
  // getEsc: one (possibly escaped) class character, which must not end the chunk.
  const getEsc = (): boolean => {
    const ch = chunk[index];
    if (ch === undefined || ch === "-" || ch === "]") return false;
    if (ch === "\\") {
      index++;
      if (chunk[index] === undefined) return false;
    }
    index++;
    return index < chunk.length;
  };
  while (index < chunk.length) {
    const ch = chunk[index];
    if (ch === "[") {
      index++;
      if (chunk[index] === "^") index++;
      let ranges = 0;
      for (;;) {
        if (chunk[index] === "]" && ranges > 0) {
          index++;
          break;
        }
        if (!getEsc()) return false;
        if (chunk[index] === "-") {
          index++;
          if (!getEsc()) return false;
        }
        ranges++;
      }
    } else if (ch === "\\") {
      index += 2;
      if (index > chunk.length) return false;
    } else {
      index++;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Go regexp (RE2 syntax, flags Perl) -> JavaScript RegExp source with the "u" flag

class RegexpSyntaxError extends Error {}

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
function translateGoRegexp(source: string): string {
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

// ---------------------------------------------------------------------------------------------
// Go standard library pieces

/** strings.TrimSpace: Go's unicode.IsSpace set (no U+FEFF, but U+0085). */
function goTrimSpace(text: string): string {
  const space = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|(?<![\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;
  return text.replace(space, "");
}

/** path/filepath.Clean on a "/"-separated system. */
function goClean(path: string): string {
  if (path === "") return ".";
  const rooted = path.startsWith("/");
  const out: string[] = [];
  let leadingDotDots = 0;
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > leadingDotDots) out.pop();
      else if (!rooted) {
        out.push("..");
        leadingDotDots++;
      }
    } else out.push(part);
  }
  const joined = out.join("/");
  if (rooted) return `/${joined}`;
  return joined === "" ? "." : joined;
}

function normalizePath(path: string): string {
  if (path.startsWith("/") || path.startsWith("./") || path.endsWith("/") || path.includes("//") || path.includes("/./") || path === "") {
    const cleaned = goClean(path);
    return cleaned === "/" ? "." : cleaned.startsWith("/") ? cleaned.slice(1) : cleaned;
  }
  return path;
}

function withoutTrailingGlob(pattern: string): string {
  let stripped = pattern.endsWith("/**") ? pattern.slice(0, -3) : pattern;
  if (stripped.endsWith("/*")) stripped = stripped.slice(0, -2);
  return stripped;
}
