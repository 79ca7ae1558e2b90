// The Go regexp -> JS translator on its own: what it accepts, what it refuses as Go does.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RegexpSyntaxError, translateGoRegexp } from "../../src/repo/go-regexp.ts";

function matches(goRegexp: string, text: string): boolean {
  return new RegExp(translateGoRegexp(goRegexp), "u").test(text);
}

describe("translateGoRegexp", () => {
  it("translates the constructs patternmatcher emits", () => {
    assert.equal(matches("^[^/]*\\.md$", "README.md"), true);
    assert.equal(matches("^[^/]*\\.md$", "docs/README.md"), false);
    assert.equal(matches("^(.*/)?node_modules$", "a/b/node_modules"), true);
    assert.equal(matches("^a[^/]b$", "axb"), true);
  });

  it("knows RE2's classes and escapes", () => {
    assert.equal(matches("^[[:digit:]]+$", "123"), true);
    assert.equal(matches("^\\d\\s\\w$", "1 a"), true);
    assert.equal(matches("^\\pL+$", "héllo"), true);
    assert.equal(matches("^\\x41\\101$", "AA"), true);
    assert.equal(matches("^\\Qa.b\\E$", "a.b"), true);
    assert.equal(matches("^\\Qa.b\\E$", "axb"), false);
    assert.equal(matches("^a{2,3}$", "aaa"), true);
  });

  it("throws where Go's parser reports an error", () => {
    for (const bad of ["[z-a]", "a\\1", "(", "a**", "a{1001}", "\\", "[[:nope:]]"]) {
      assert.throws(() => translateGoRegexp(bad), RegexpSyntaxError, bad);
    }
  });
});
