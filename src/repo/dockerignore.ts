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

import { translateGoRegexp } from "./go-regexp.ts";
import { wildcardMatcher } from "./dockerignore-wildcards.ts";

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
  const read = readDockerignoreLines(text);
  if (read.tooLong !== undefined) throw new DockerignoreError(TOKEN_TOO_LONG);
  return read.patterns.map((entry) => entry.pattern);
}

const TOKEN_TOO_LONG = "error reading .dockerignore: bufio.Scanner: token too long";

/** A .dockerignore line Docker refuses, with its 1-based line number and Docker's reason. */
export interface DockerignoreProblem {
  line: number;
  message: string;
}

/**
 * A .dockerignore text checked as `docker build` checks it, without throwing: the patterns
 * Docker accepts (in order) and the lines it refuses. Any problem makes BuildKit refuse the
 * build; the accepted patterns are what the file evidently means, so the audit can still
 * describe the context.
 */
export function checkDockerignore(text: string): { patterns: string[]; problems: DockerignoreProblem[] } {
  const read = readDockerignoreLines(text);
  const patterns: string[] = [];
  const problems: DockerignoreProblem[] = [];
  for (const entry of read.patterns) {
    const problem = patternProblem(entry.pattern);
    if (problem === null) patterns.push(entry.pattern);
    else problems.push({ line: entry.line, message: problem });
  }
  // bufio.Scanner stops at an over-long line: nothing after it is read.
  if (read.tooLong !== undefined) problems.push({ line: read.tooLong, message: "line longer than 64 KiB (error reading .dockerignore: bufio.Scanner: token too long)" });
  return { patterns, problems };
}

/** Why Docker refuses one parsed pattern, or null. */
function patternProblem(pattern: string): string | null {
  try {
    const matcher = newPatternMatcher([pattern]);
    const invalid = matcher.invalid[0];
    return invalid === undefined ? null : invalid.message;
  } catch (error) {
    if (error instanceof DockerignoreError) return error.message;
    throw error;
  }
}

function readDockerignoreLines(text: string): { patterns: { pattern: string; line: number }[]; tooLong?: number } {
  const patterns: { pattern: string; line: number }[] = [];
  const encoder = new TextEncoder();
  const lines = text.split("\n");
  // bufio.Scanner: no token after a final "\n".
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index] ?? "";
    // bufio.Scanner's 64 KiB buffer must hold the line (with its "\r") and one more byte.
    if (raw.length > 21845 && encoder.encode(raw).length > 65535) return { patterns, tooLong: index + 1 };
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
    patterns.push({ pattern: invert ? `!${pattern}` : pattern, line: index + 1 });
  }
  return { patterns };
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
  } else if (wildcardMatcher(regexp) !== undefined) {
    // Literals and wildcards only: matched in linear time, as Go does (dockerignore-wildcards.ts).
    test = wildcardMatcher(regexp) as (path: string) => boolean;
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

// The four forms a run of wildcards reduces to: name = `[^/]*`, dirs = `(.*/)?`, any = `.*`,
// name-dirs = name then dirs.
type WildcardRun = "name" | "dirs" | "any" | "name-dirs";
const WILDCARD_TEXT: Record<WildcardRun, string> = { name: "[^/]*", dirs: "(.*/)?", any: ".*", "name-dirs": "[^/]*(.*/)?" };

// The language of `run` followed by `next`, as one of the four forms: name name = name,
// dirs dirs = dirs, dirs name = any (split any path at its last "/"), anything with any = any,
// name dirs stays, and name-dirs followed by name is any.
function combineWildcards(run: WildcardRun, next: WildcardRun): WildcardRun {
  if (run === "any" || next === "any") return "any";
  if (run === "name") return next === "name" ? "name" : "name-dirs";
  if (run === "dirs") return next === "dirs" ? "dirs" : "any";
  return next === "dirs" ? "name-dirs" : "any";
}

/** Pattern.compile: the match kind and the Go regexp source (meaningful for "regexp" only). */
export function patternToGoRegexp(pattern: string): { kind: MatchKind; regexp: string } {
  const chars = Array.from(pattern);
  let position = 0;
  // text/scanner skips a byte order mark at the very start.
  if (chars[0] === "\uFEFF") position = 1;
  const peek = (): string | undefined => chars[position];
  const next = (): string | undefined => chars[position++];
  let regexp = "^";
  let kind: MatchKind = "exact";
  // A run of adjacent wildcards is kept in its shortest equivalent form, so that `****...` or
  // `**/**/**` cannot make the backtracking JS engine try every way to split a path between them
  // (Go's RE2 is linear; `*` x 50,000 would otherwise never finish).
  let runStart = -1;
  let runForm: WildcardRun | null = null;
  const wildcard = (token: WildcardRun): void => {
    if (runForm !== null && runStart >= 0 && regexp.length === runStart + WILDCARD_TEXT[runForm].length) {
      runForm = combineWildcards(runForm, token);
      regexp = regexp.slice(0, runStart) + WILDCARD_TEXT[runForm];
      return;
    }
    runStart = regexp.length;
    runForm = token;
    regexp += WILDCARD_TEXT[token];
  };
  for (let iteration = 0; peek() !== undefined; iteration++) {
    const ch = next() as string;
    if (ch === "*") {
      if (peek() === "*") {
        next();
        if (peek() === "/") next();
        if (peek() === undefined) {
          if (kind === "exact") kind = "prefix";
          else {
            wildcard("any");
            kind = "regexp";
          }
        } else {
          wildcard("dirs");
          kind = "regexp";
        }
        if (iteration === 0) kind = "suffix";
      } else {
        wildcard("name");
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
