// .dockerignore patterns made of literals and wildcards are matched by a linear-time automaton
// (src/repo/dockerignore-wildcards.ts) instead of their backtracking JS regexp: same answers as
// the regexp on generated patterns and paths, and an answer where the regexp took seconds.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createRandom } from "../../bench/corpus.ts";
import { compileDockerignore, patternToGoRegexp } from "../../src/repo/dockerignore.ts";
import { wildcardMatcher } from "../../src/repo/dockerignore-wildcards.ts";
import { translateGoRegexp } from "../../src/repo/go-regexp.ts";

describe("dockerignore wildcard automaton", () => {
  it("agrees with the translated Go regexp on 3,000 generated patterns and paths", () => {
    const next = createRandom(20261206).next;
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
    const patternParts = ["a", "b", ".", "/", "*", "**", "**/", "?", "ab", "\\.", "\\*", "é", "😀"];
    const pathParts = ["a", "b", ".", "/", "ab", "é", "😀", "\n", "ba/"];
    let automata = 0;
    for (let round = 0; round < 3000; round++) {
      const pattern = Array.from({ length: 1 + Math.floor(next() * 6) }, () => pick(patternParts)).join("");
      const { kind, regexp } = patternToGoRegexp(pattern);
      if (kind !== "regexp") continue;
      const matcher = wildcardMatcher(regexp);
      if (matcher === undefined) continue;
      automata++;
      const expected = new RegExp(translateGoRegexp(regexp), "u");
      for (let sample = 0; sample < 8; sample++) {
        const path = Array.from({ length: Math.floor(next() * 8) }, () => pick(pathParts)).join("");
        assert.equal(matcher(path), expected.test(path), `${JSON.stringify(pattern)} (${regexp}) on ${JSON.stringify(path)}`);
      }
    }
    assert.ok(automata > 1000, `only ${automata} patterns went to the automaton`);
  });

  it("keeps the regexp for classes, escapes of letters and raw alternation", () => {
    for (const pattern of ["[ab]*", "a|b*", "\\d*", "a{2}*"]) assert.equal(wildcardMatcher(patternToGoRegexp(pattern).regexp), undefined, pattern);
  });

  it("answers a many-star pattern on a long name (the regexp took 3.7 s on 150 characters)", () => {
    const matcher = compileDockerignore(["*a*a*a*a*b", "!keep*a*a*a*c"]);
    assert.equal(matcher.excludes("a".repeat(2000)), false);
    assert.equal(matcher.excludes(`${"a".repeat(2000)}b`), true);
    assert.equal(matcher.excludes(`keep${"a".repeat(2000)}c`), false);
  });
});
