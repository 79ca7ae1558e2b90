// .dockerignore semantics. Every `excludes` row below was checked against a real engine
// (the classic builder of Docker CLI 28, which runs moby/patternmatcher's current code),
// except rows marked "buildkit only", which follow tonistiigi/fsutil's filter.go (buildx);
// the integration tests at the end repeat that check on every run where an engine answers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  alwaysSentFiles,
  compileDockerignore,
  DockerignoreError,
  parseDockerignore,
  type DockerignoreBuilder,
} from "../src/repo/dockerignore.ts";

interface Row {
  /** .dockerignore lines, read through parseDockerignore. */
  ignore: string[];
  path: string;
  excluded: boolean;
  why: string;
  /** Only this builder's walk gives this answer (default: both). */
  builder?: DockerignoreBuilder;
}

// BEGIN CASES
const CASES: Row[] = [
  // Anchoring: patterns are relative to the context root; no implicit **/ as in .gitignore.
  { ignore: ["*.md"], path: "README.md", excluded: true, why: "`*` matches a root-level name" },
  { ignore: ["*.md"], path: "docs/a.md", excluded: false, why: "no implicit `**/`: `*.md` only matches at the root" },
  { ignore: ["node_modules"], path: "src/node_modules/x.js", excluded: false, why: "a bare name is anchored at the root" },
  { ignore: ["/build"], path: "build/out.o", excluded: true, why: "a leading `/` is dropped (ReadAll): still the context root" },
  { ignore: ["./dist/"], path: "dist/app.js", excluded: true, why: "filepath.Clean turns `./dist/` into `dist`" },
  { ignore: ["foo/../x.md"], path: "x.md", excluded: true, why: "filepath.Clean resolves `..` inside the pattern" },
  { ignore: ["../foo"], path: "foo", excluded: false, why: "a leading `..` survives Clean and matches nothing" },
  // Parent directories: MatchesOrParentMatches / parent results in the walk.
  { ignore: ["node_modules"], path: "node_modules/pkg/index.js", excluded: true, why: "a pattern matching a parent directory excludes what is below it" },
  { ignore: ["*"], path: "docs/a.md", excluded: true, why: "`*` matches the parent `docs`" },
  { ignore: ["*/a.md"], path: "docs/a.md", excluded: true, why: "`*` matches exactly one path element" },
  { ignore: ["*/a.md"], path: "docs/deep/a.md", excluded: false, why: "`*` does not cross `/`" },
  // `**`
  { ignore: ["**/*.md"], path: "docs/deep/b.md", excluded: true, why: "`**/` matches any number of directories" },
  { ignore: ["**/*.md"], path: "a.md", excluded: true, why: "`**/` matches zero directories too" },
  { ignore: ["foo/**/baz"], path: "foo/baz", excluded: true, why: "`/**/` in the middle matches zero directories" },
  { ignore: ["foo/**/baz"], path: "foo/bar/qux/baz", excluded: true, why: "`/**/` in the middle matches several directories" },
  { ignore: ["docs/**"], path: "docs/deep/b.md", excluded: true, why: "a trailing `/**` is a prefix test on `docs/`" },
  { ignore: ["docs/**"], path: "docs", excluded: false, why: "a trailing `/**` does not match the directory name itself" },
  { ignore: ["foo**"], path: "foobar", excluded: true, why: "a trailing `**` is a plain string-prefix test" },
  { ignore: ["**"], path: "any/thing/at/all", excluded: true, why: "`**` alone matches everything" },
  { ignore: ["**/keep.txt"], path: "keep.txt", excluded: true, why: "`**/x` also matches `x` at the root (suffixMatch)" },
  { ignore: ["**/keep.txt"], path: "a/notkeep.txt", excluded: false, why: "`**/x` is a suffix test on `/x`" },
  { ignore: ["**.md"], path: "docs/xa.md", excluded: true, why: "a leading `**` without `/` is a raw suffix test: any path ending in `.md`" },
  { ignore: ["**x"], path: "box", excluded: true, why: "suffix test ignores element boundaries" },
  // `?`, classes, escapes
  { ignore: ["secret?.txt"], path: "secret1.txt", excluded: true, why: "`?` matches one character" },
  { ignore: ["secret?.txt"], path: "secret12.txt", excluded: false, why: "`?` matches exactly one character" },
  { ignore: ["?"], path: "ü", excluded: true, why: "`?` matches one code point, not one byte" },
  { ignore: ["[a-c].bin"], path: "b.bin", excluded: true, why: "character ranges" },
  { ignore: ["[a-c].bin"], path: "d.bin", excluded: false, why: "character ranges" },
  { ignore: ["[!a]"], path: "b", excluded: false, why: "`!` is not a negation in Go globs: `[!a]` is `!` or `a`" },
  { ignore: ["[^a]"], path: "b", excluded: true, why: "`^` negates a class" },
  { ignore: ["a[^x]b/*"], path: "a/b/c.tmp", excluded: true, why: "a negated class can match `/`" },
  { ignore: ["[*]"], path: "]", excluded: true, why: "`*` inside [...] still becomes `[^/]*`: the Go regexp is `^[[^/]*]$`" },
  { ignore: ["a\\*b"], path: "a*b", excluded: true, why: "`\\` escapes the next character" },
  { ignore: ["a\\*b"], path: "axb", excluded: false, why: "an escaped `*` is literal" },
  { ignore: ["\\#hash"], path: "#hash", excluded: true, why: "`\\#` matches a name starting with `#`" },
  { ignore: ["tab\\there"], path: "tab\there", excluded: true, why: "escapes go to Go's regexp: `\\t` is a TAB" },
  { ignore: ["\\x41*"], path: "A1", excluded: true, why: "escapes go to Go's regexp: `\\x41` is `A`" },
  { ignore: ["\\d[a-z]"], path: "1a", excluded: true, why: "escapes go to Go's regexp: `\\d` is a digit" },
  { ignore: ["[[:upper:]][[:digit:]]"], path: "A1", excluded: true, why: "POSIX classes of Go's regexp" },
  { ignore: ["\\p{Han}"], path: "漢", excluded: true, why: "`{` and `}` are not escaped, so `\\p{Han}` is a Unicode class" },
  // Regexp characters that are literal, and those that are not
  { ignore: ["a+b"], path: "a+b", excluded: true, why: "`+` is escaped: literal" },
  { ignore: ["a+b*"], path: "aab", excluded: false, why: "`+` is escaped even in a regexp pattern" },
  { ignore: ["a|b"], path: "abc", excluded: false, why: "no wildcard: an exact string comparison with `a|b`" },
  { ignore: ["a|b*"], path: "abc", excluded: true, why: "shouldEscape misses `|`: with a wildcard it is the regexp `^a|b[^/]*$`" },
  { ignore: ["x{2}*"], path: "xxy", excluded: true, why: "shouldEscape misses `{}`: `x{2}` is a counted repetition" },
  { ignore: ["x{2}*"], path: "x{2}", excluded: false, why: "`x{2}` is a counted repetition, not literal braces" },
  // Comments, whitespace, `!`
  { ignore: ["# comment"], path: "# comment", excluded: false, why: "a line starting with `#` is a comment" },
  { ignore: ["  # not comment"], path: "# not comment", excluded: true, why: "`#` after leading spaces is a pattern (comment test happens before trimming)" },
  { ignore: ["   spaced.txt   "], path: "spaced.txt", excluded: true, why: "patterns are trimmed" },
  { ignore: ["*.txt", "!   /inverted.txt"], path: "inverted.txt", excluded: false, why: "after `!`, spaces and a leading `/` are dropped" },
  // Exceptions, order, the walk
  { ignore: ["*.log", "!important.log"], path: "important.log", excluded: false, why: "`!` re-includes" },
  { ignore: ["*.log", "!important.log", "*.log"], path: "important.log", excluded: true, why: "the last matching pattern wins" },
  { ignore: ["!docs/keep.md", "docs"], path: "docs/keep.md", excluded: true, why: "an exception before the exclusion has no effect" },
  { ignore: ["docs", "!docs/keep.md"], path: "docs/keep.md", excluded: false, why: "an exception re-includes a file below an excluded directory" },
  { ignore: ["docs", "!docs/keep.md"], path: "docs/a.md", excluded: true, why: "the rest of the directory stays excluded" },
  { ignore: ["*", "!sub/one"], path: "sub/one/deep", excluded: false, why: "re-including a directory re-includes its content" },
  { ignore: ["*", "!sub/one"], path: "sub/two/deep/f", excluded: true, why: "siblings stay excluded" },
  { ignore: ["*", "!keep"], path: "d/keep", excluded: true, why: "`!keep` is anchored at the root too" },
  { ignore: ["d2/*.txt", "!d2"], path: "d2/x.txt", excluded: true, why: "walk order: `!d2` was skipped for `d2` (not excluded then) and does not match `d2/x.txt` itself" },
  { ignore: ["dir", "!**/keep.txt"], path: "dir/keep.txt", excluded: false, builder: "buildkit", why: "buildkit only: a wildcard exception stops fsutil from skipping excluded directories" },
  { ignore: ["dir", "!**/keep.txt"], path: "dir/keep.txt", excluded: true, builder: "classic", why: "classic: `dir` is skipped because no exception starts with `dir/`" },
  { ignore: ["Dockerfile", ".dockerignore"], path: "Dockerfile", excluded: true, why: "the Dockerfile can be excluded from what COPY sees (see alwaysSentFiles)" },
];
// END CASES

for (const row of CASES) {
  const builders: DockerignoreBuilder[] = row.builder === undefined ? ["buildkit", "classic"] : [row.builder];
  for (const builder of builders) {
    test(`[${builder}] ${JSON.stringify(row.ignore)} ${row.excluded ? "excludes" : "keeps"} ${JSON.stringify(row.path)}: ${row.why}`, () => {
      const matcher = compileDockerignore(parseDockerignore(row.ignore.join("\n")), { builder, dockerfile: null });
      assert.equal(matcher.excludes(row.path), row.excluded);
    });
  }
}

test("the table has at least 40 cases", () => {
  assert.ok(CASES.length >= 40, `${CASES.length} cases`);
});

test("parseDockerignore reads lines as ignorefile.ReadAll does", () => {
  const text = [
    "\uFEFF# comment after a BOM",
    "  # not a comment",
    "",
    "   ",
    "/a/../b/",
    "! /inv/./x ",
    "!",
    "\t*.md\r",
    "foo//bar/",
    "/",
    "/..",
    "../up",
    "\u00a0nbsp\u0085",
    "\uFEFFbom-inside",
    "\\#hash",
    "",
  ].join("\n");
  assert.deepEqual(parseDockerignore(text), [
    "# not a comment", // `#` counts only in column 0
    "b", // Clean, then one leading "/" dropped
    "!inv/x", // "!" split off, rest trimmed and cleaned
    "!", // kept: compiling it is the error
    "*.md", // tab and CR trimmed
    "foo/bar",
    "/", // Clean("/") is "/", only a longer pattern loses its "/"
    "/", // Clean("/..") is "/"
    "../up",
    "nbsp", // Go's TrimSpace knows U+00A0 and U+0085
    "\uFEFFbom-inside", // …but not U+FEFF, and only the first line's BOM is dropped
    "\\#hash",
  ]);
  assert.deepEqual(parseDockerignore(""), []);
  assert.deepEqual(parseDockerignore("a\r\nb"), ["a", "b"]);
});

test("parseDockerignore fails on a line bufio.Scanner cannot hold (64 KiB)", () => {
  assert.deepEqual(parseDockerignore(`${"a".repeat(65535)}\n`).length, 1);
  assert.throws(() => parseDockerignore(`${"a".repeat(65536)}\n`), /token too long/);
});

test("compileDockerignore rejects what patternmatcher.New rejects", () => {
  assert.throws(() => compileDockerignore(["!"]), /illegal exclusion pattern/);
  for (const bad of ["[a", "a[]", "[^]", "a\\", "[a-]", "[z"]) {
    assert.throws(() => compileDockerignore([bad]), DockerignoreError, bad);
  }
  // filepath.Match accepts a reversed range; only Go's regexp rejects it (see below).
  assert.doesNotThrow(() => compileDockerignore(["[z-a]"]));
});

test("a pattern Go's regexp rejects fails when evaluated, as in patternmatcher >= 0.6", () => {
  const matcher = compileDockerignore(["x", "!y\\1", "a\\1"]);
  assert.deepEqual(
    matcher.invalidPatterns.map((problem) => problem.pattern),
    ["!y\\1", "a\\1"],
  );
  // `a\1` is tried for every path that is not excluded yet: the build fails.
  assert.throws(() => matcher.excludes("b"), DockerignoreError);
  // An exception is only tried for an excluded path; `x` is excluded, then `!y\1` fails.
  assert.throws(() => matcher.excludes("x"), DockerignoreError);
  // Never evaluated: the engine builds fine with `!y\1` when nothing is excluded before it.
  assert.equal(compileDockerignore(["!y\\1", "zzz"]).excludes("a"), false);
  assert.throws(() => compileDockerignore(["[z-a]"]).excludes("a"), /syntax error in pattern/);
});

test("canSkipDirectory follows the walkers' pruning rules", () => {
  const plain = compileDockerignore(["node_modules", "docs", "!docs/keep.md", "*", "!sub/one"]);
  assert.equal(plain.canSkipDirectory("node_modules"), true, "excluded, no exception below");
  assert.equal(plain.canSkipDirectory("node_modules/pkg"), true, "below a skipped directory");
  assert.equal(plain.canSkipDirectory("docs"), false, "`!docs/keep.md` lies below");
  assert.equal(plain.canSkipDirectory("sub"), false, "`!sub/one` lies below");
  assert.equal(plain.canSkipDirectory("sub/one"), false, "re-included");
  assert.equal(plain.canSkipDirectory("sub/two"), true, "excluded through `sub`, nothing re-included below");
  assert.equal(compileDockerignore(["*.md"]).canSkipDirectory("docs"), false, "not excluded");
  assert.equal(compileDockerignore(["docs", "!docs/*"]).canSkipDirectory("docs"), false, "fsutil drops a trailing `/*`");
  // BuildKit walks every excluded directory once an exception has a wildcard; classic does not care.
  const wildcard = ["node_modules", "!**/keep.txt"];
  assert.equal(compileDockerignore(wildcard).canSkipDirectory("node_modules"), false);
  assert.equal(compileDockerignore(wildcard, { builder: "classic" }).canSkipDirectory("node_modules"), true);
  assert.equal(compileDockerignore(["node_modules", "!docs/*.md"]).canSkipDirectory("node_modules"), false);
});

test("classic builder: the CLI's `!<dockerfile>` keeps the Dockerfile's directory walked", () => {
  // Engine-checked: `docker build -f sub/Dockerfile` sends sub/keep.txt, not other/keep.txt.
  const patterns = parseDockerignore(".dockerignore\nDockerfile\nsub\n!**/keep.txt\nother\n");
  const viaSub = compileDockerignore(patterns, { builder: "classic", dockerfile: "sub/Dockerfile" });
  assert.equal(viaSub.excludes("sub/keep.txt"), false);
  assert.equal(viaSub.excludes("other/keep.txt"), true);
  assert.equal(viaSub.excludes("sub/Dockerfile"), true, "uploaded, then deleted by the daemon");
  assert.equal(viaSub.excludes(".dockerignore"), true);
  const viaRoot = compileDockerignore(patterns, { builder: "classic" });
  assert.equal(viaRoot.excludes("sub/keep.txt"), true);
});

test("matchesOrParentMatches is the plain pattern verdict, without the walk", () => {
  const matcher = compileDockerignore(["d2/*.txt", "!d2"]);
  assert.equal(matcher.matchesOrParentMatches("d2/x.txt"), false, "`!d2` matches the parent");
  assert.equal(matcher.excludes("d2/x.txt"), true, "but the walk decided `!d2` on `d2` itself");
  assert.equal(matcher.matchesOrParentMatches("d2"), false);
});

test("paths are normalised: leading ./ or /, trailing /, the root", () => {
  const matcher = compileDockerignore(["docs"]);
  for (const path of ["docs/a", "./docs/a", "/docs/a", "docs//a", "docs/"]) assert.equal(matcher.excludes(path), true, path);
  assert.equal(matcher.excludes("."), false);
  assert.equal(compileDockerignore(["*"]).excludes(""), false, "the context root itself is never excluded");
});

test("alwaysSentFiles: .dockerignore and a Dockerfile inside the context", () => {
  assert.deepEqual(alwaysSentFiles("Dockerfile"), [".dockerignore", "Dockerfile"]);
  assert.deepEqual(alwaysSentFiles("./build/../docker/app.Dockerfile"), [".dockerignore", "docker/app.Dockerfile"]);
  assert.deepEqual(alwaysSentFiles("-"), [".dockerignore"], "stdin: sent under a random name");
  assert.deepEqual(alwaysSentFiles("../Dockerfile"), [".dockerignore"], "outside the context: sent like stdin");
  assert.deepEqual(alwaysSentFiles("/abs/Dockerfile"), [".dockerignore"]);
});

// How fast matching is belongs to the benchmarks (bench/), not to a timed test: this one checks
// the answers on a large tree with both builders.
test("200,000 paths: both builders exclude the same 80,000", () => {
  const patterns = parseDockerignore(
    "*.md\n!README.md\n/build\nnode_modules\n**/*.log\n!keep/**/*.log\nsecret?.txt\n[a-c].bin\ndocs/**\n!docs/keep.md\n**.tmp\ntmp*\n!tmp/keep\nsub/*/deep\n.git\n**/__pycache__\n*.pyc\n.env*\n!.env.example\n",
  );
  const extensions = ["ts", "md", "log", "tmp", "js"];
  const paths: string[] = [];
  for (let a = 0; a < 50; a++) for (let b = 0; b < 40; b++) for (let c = 0; c < 100; c++) paths.push(`pkg${a}/src${b}/mod/file${c}.${extensions[c % 5]}`);
  for (const builder of ["buildkit", "classic"] as const) {
    const matcher = compileDockerignore(patterns, { builder });
    let excluded = 0;
    for (const path of paths) if (matcher.excludes(path)) excluded++;
    assert.equal(excluded, 80_000, builder);
  }
});

// ---------------------------------------------------------------------------------------------
// Against a real engine

const requireDocker = process.env.SHIPSHAPE_REQUIRE_DOCKER === "1";
const BASE_IMAGE = "debian:bookworm-slim";
const DOCKERFILE = `FROM ${BASE_IMAGE}\nCOPY . /ctx\n`;

/** Why the engine tests cannot run, or null when they can. */
function engineProblem(): string | null {
  const version = spawnSync("docker", ["version", "--format", "{{.Server.Version}}"], { encoding: "utf8", timeout: 30_000 });
  if (version.status !== 0 || version.stdout.trim() === "") {
    return `no Docker engine answers (\`docker version\`: ${(version.stderr || version.error?.message || "").trim().split("\n")[0]}); start one with ../shared/docker-lab/up`;
  }
  const image = spawnSync("docker", ["image", "inspect", BASE_IMAGE], { encoding: "utf8", timeout: 30_000 });
  if (image.status !== 0) return `the engine has no ${BASE_IMAGE} image; make it with ../shared/docker-lab/forge ${BASE_IMAGE}`;
  return null;
}

let engineChecked: string | null | undefined;
function skipWithoutEngine(t: { skip(message: string): void }): boolean {
  if (engineChecked === undefined) engineChecked = engineProblem();
  if (engineChecked === null) return false;
  if (requireDocker) assert.fail(`SHIPSHAPE_REQUIRE_DOCKER=1 but ${engineChecked}`);
  t.skip(engineChecked);
  return true;
}

const CONTEXT_FILES = [
  "README.md", "CHANGELOG.md", "docs/a.md", "docs/keep.md", "docs/deep/b.md", "xa.md",
  "a*b", "axb", "a+b", "aab", "a|b", "abc", "xqfoo", "fizzy", "x{2}", "xxy", "[x]", "]", "漢", "ü", "A1", "1a",
  "# not comment", "#hash", "spaced.txt", "inverted.txt", "other.txt",
  "build/out.o", "dist/app.js", "node_modules/pkg/index.js", "node_modules/pkg/keep.log", "src/node_modules/x.js",
  "keep/a.log", "keep/sub/b.log", "logs/c.log", "c.log", "secret1.txt", "secret12.txt", "a.bin", "d.bin",
  "tmp/keep", "tmp/other", "tmpfile", "foo.tmp", "a/b/c.tmp", "sub/one/deep", "sub/two/deep/f", "sub/deep",
  "d2/x.txt", "d2/y.md", "dir/keep.txt", "dir/other.txt", "cache/x", "deep/cache/y", "Dockerfile",
];

function makeContext(ignore: string): string {
  const dir = mkdtempSync(join(tmpdir(), "shipshape-dockerignore-"));
  for (const file of CONTEXT_FILES) {
    mkdirSync(join(dir, dirname(file)), { recursive: true });
    writeFileSync(join(dir, file), `${file}\n`);
  }
  writeFileSync(join(dir, ".dockerignore"), ignore);
  return dir;
}

/** Builds `COPY . /ctx` with the Dockerfile on stdin; returns the files the image holds. */
function filesSeenByEngine(command: string, args: string[], env: NodeJS.ProcessEnv, context: string): Set<string> {
  const build = spawnSync(command, [...args, "--network=host", "-q", "-f", "-", context], {
    input: DOCKERFILE,
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 300_000,
  });
  if (build.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${build.stderr || build.error?.message}`);
  const image = build.stdout.trim().split("\n").pop() ?? "";
  assert.match(image, /^sha256:[0-9a-f]{64}$/);
  try {
    const listing = execFileSync("docker", ["run", "--rm", "--network=none", image, "find", "/ctx", "-type", "f", "-print0"], {
      encoding: "utf8",
      timeout: 120_000,
    });
    return new Set(listing.split("\0").filter((path) => path !== "").map((path) => path.slice("/ctx/".length)));
  } finally {
    spawnSync("docker", ["rmi", "-f", image], { stdio: "ignore", timeout: 60_000 });
  }
}

function assertEngineAgrees(seen: Set<string>, ignore: string, builder: DockerignoreBuilder): void {
  const matcher = compileDockerignore(parseDockerignore(ignore), { builder, dockerfile: null });
  const sent = new Set(alwaysSentFiles("-"));
  const predicted = [...CONTEXT_FILES, ".dockerignore"].filter((file) => !sent.has(file) && !matcher.excludes(file)).sort();
  // The CLI's temporary `.dockerfile.<random>` and the always-sent files are the daemon's to delete.
  const actual = [...seen].filter((file) => !sent.has(file) && !file.startsWith(".dockerfile.")).sort();
  assert.deepEqual(actual, predicted);
}

// Everything at once: anchoring, `**` forms, suffix/prefix fast paths, classes, escapes, the
// regexp characters shouldEscape misses, comments and whitespace, exceptions, walk order, and
// the classic walker skipping `dir` despite `!**/keep.txt`.
const TRICKY_IGNORE = [
  "# comment",
  "  # not comment",
  "*.md",
  "!README.md",
  "/build",
  "./dist/",
  "node_modules",
  "**/*.log",
  "!keep/**/*.log",
  "secret?.txt",
  "[a-c].bin",
  "docs/**",
  "!docs/keep.md",
  "**.tmp",
  "tmp*",
  "!tmp/keep",
  "a\\*b",
  "a+b",
  "xq|zz*",
  "x{2}*",
  "\\p{Han}",
  "[[:upper:]][[:digit:]]",
  "\\d[a-z]",
  "[*]",
  "sub/*/deep",
  "   spaced.txt   ",
  "!   /inverted.txt",
  "dir",
  "!**/keep.txt",
  "d2/*.txt",
  "!d2",
  "**/cache",
  "",
].join("\n");

test("engine (classic builder): the files COPY sees are exactly those the matcher keeps", { timeout: 600_000 }, (t) => {
  if (skipWithoutEngine(t)) return;
  const context = makeContext(TRICKY_IGNORE);
  try {
    const seen = filesSeenByEngine("docker", ["build"], { DOCKER_BUILDKIT: "0" }, context);
    assertEngineAgrees(seen, TRICKY_IGNORE, "classic");
    // A few verdicts spelled out, so that a change on both sides cannot go unnoticed.
    for (const kept of ["README.md", "docs/keep.md", "keep/a.log", "tmp/keep", "a|b", "abc", "axb", "aab", "[x]", "x{2}", "sub/deep", "inverted.txt", "Dockerfile"]) {
      assert.ok(seen.has(kept), `${kept} should be sent`);
    }
    for (const gone of ["docs/a.md", "xa.md", "a*b", "a+b", "xqfoo", "fizzy", "xxy", "漢", "A1", "1a", "]", "foo.tmp", "a/b/c.tmp", "dir/keep.txt", "d2/x.txt", "deep/cache/y"]) {
      assert.ok(!seen.has(gone), `${gone} should be excluded`);
    }
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
});

// Patterns whose meaning is the same in every Docker since 20.10: older BuildKit clients (such
// as the 20.10 one the lab has) predate patternmatcher's fast paths and escaping fixes.
const STABLE_IGNORE = [
  "# comment",
  "*.md",
  "!README.md",
  "/build",
  "./dist/",
  "node_modules",
  "**/*.log",
  "!keep/**/*.log",
  "secret?.txt",
  "[a-c].bin",
  "docs",
  "!docs/keep.md",
  "tmp*",
  "!tmp/keep",
  "a\\*b",
  "sub/*/deep",
  "   spaced.txt   ",
  "!   /inverted.txt",
  "**/cache",
  ".dockerignore",
  "",
].join("\n");

/** A client that builds with BuildKit: buildx, or an older CLI with BuildKit built in. */
function buildkitClient(): { command: string; args: string[]; env: NodeJS.ProcessEnv } | null {
  if (spawnSync("docker", ["buildx", "version"], { stdio: "ignore", timeout: 30_000 }).status === 0) {
    return { command: "docker", args: ["buildx", "build", "--load"], env: {} };
  }
  if (existsSync("/usr/bin/docker")) {
    const probe = spawnSync("/usr/bin/docker", ["build", "--help"], { encoding: "utf8", env: { ...process.env, DOCKER_BUILDKIT: "1" }, timeout: 30_000 });
    if (probe.status === 0 && probe.stdout.includes("--progress")) return { command: "/usr/bin/docker", args: ["build"], env: { DOCKER_BUILDKIT: "1" } };
  }
  return null;
}

test("engine (BuildKit): the files COPY sees are exactly those the matcher keeps", { timeout: 600_000 }, (t) => {
  if (skipWithoutEngine(t)) return;
  const client = buildkitClient();
  if (client === null) {
    t.skip("no BuildKit client here (neither `docker buildx` nor a CLI with BuildKit built in)");
    return;
  }
  const context = makeContext(STABLE_IGNORE);
  try {
    const seen = filesSeenByEngine(client.command, client.args, client.env, context);
    assertEngineAgrees(seen, STABLE_IGNORE, "buildkit");
    assert.ok(!seen.has(".dockerignore"), "BuildKit does not force-send an excluded .dockerignore");
    assert.ok(seen.has("docs/keep.md") && !seen.has("docs/a.md"));
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
});
