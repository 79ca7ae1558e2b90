// Glob matching without regular expressions (src/repo/glob.ts), and the matchers built on it:
// .gitignore rules, COPY/rm globs, workspace patterns. A glob with many stars used to become a
// regular expression that backtracked for minutes on a long name.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileGlob } from "../../src/repo/glob.ts";
import { globMatcher, removalCovers } from "../../src/rules/support/package-hygiene.ts";
import { createGitignoreSet } from "../../src/repo/gitignore.ts";

describe("compileGlob", () => {
  it("matches *, ?, classes and escapes within one segment", () => {
    const cases: [string, string, boolean][] = [
      ["*.py", "app.py", true],
      ["*.py", "src/app.py", false],
      ["a?c", "abc", true],
      ["a?c", "a/c", false],
      ["[a-c]x", "bx", true],
      ["[!a-c]x", "bx", false],
      ["[^a-c]x", "dx", true],
      ["[]]", "]", true],
      ["\\*", "*", true],
      ["\\*", "a", false],
      ["a[", "a[", true],
      ["src/*/index.ts", "src/lib/index.ts", true],
      ["src/*/index.ts", "src/lib/deep/index.ts", false],
      ["*", "", true],
      ["a**b", "axxb", true],
      ["a**b", "a/b", false],
      ["", "", true],
    ];
    for (const [pattern, text, expected] of cases) assert.equal(compileGlob(pattern)(text), expected, `${pattern} ~ ${text}`);
  });

  it("takes a ** segment as any number of segments with globstar", () => {
    const matches = compileGlob("packages/**/lib", { globstar: true });
    assert.equal(matches("packages/lib"), true);
    assert.equal(matches("packages/a/b/lib"), true);
    assert.equal(matches("packages/a/b/lib/x"), false);
    assert.equal(compileGlob("**/*.log", { globstar: true })("a/b/c.log"), true);
    assert.equal(compileGlob("**/*.log", { globstar: true })("c.log"), true);
    // Without globstar `**` is a `*`.
    assert.equal(compileGlob("packages/**/lib")("packages/a/b/lib"), false);
  });

  it("treats an unclosed class as Go does when asked: nothing matches", () => {
    assert.equal(compileGlob("a[b", { unclosedClass: "invalid" })("a[b"), false);
    assert.equal(compileGlob("a[b")("a[b"), true);
  });

  it("answers a many-star pattern on long names (its regular expression backtracked for minutes)", () => {
    // `^[^/]*a[^/]*a[^/]*a[^/]*a[^/]*b$` took 2.7 s on 100 characters and 7 minutes on 400.
    const matches = compileGlob("*a*a*a*a*b");
    assert.equal(matches("a".repeat(400)), false);
    assert.equal(matches(`${"a".repeat(400)}b`), true);
    assert.equal(globMatcher("*a*a*a*a*b")(`dir/${"a".repeat(400)}`), false);
    assert.equal(removalCovers("/tmp/*a*a*a*a*b", `/tmp/${"a".repeat(400)}/x`), false);
    const gitignore = createGitignoreSet();
    gitignore.add("", "*a*a*a*a*b\nbuild/**\n");
    assert.equal(gitignore.ignores("a".repeat(400), false), false);
    assert.equal(gitignore.ignores(`src/${"a".repeat(400)}b`, false), true);
    // `build/**` is what is inside build/, not build itself.
    assert.equal(gitignore.ignores("build/out/app.js", false), true);
    assert.equal(gitignore.ignores("build", false), false);
  });
});
