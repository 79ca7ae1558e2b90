import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { diffSequences, splitLines, unifiedDiff } from "../../src/fix/diff.ts";
import type { DiffOperation } from "../../src/fix/diff.ts";

/** Length of a longest common subsequence, by dynamic programming (the reference Myers must match). */
function lcsLength(a: readonly string[], b: readonly string[]): number {
  const table: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      const row = table[i] as number[];
      row[j] = a[i] === b[j] ? ((table[i + 1] as number[])[j + 1] ?? 0) + 1 : Math.max((table[i + 1] as number[])[j] ?? 0, row[j + 1] ?? 0);
    }
  }
  return (table[0] as number[])[0] ?? 0;
}

/** Replays the script: equal and delete walk the old lines in order, equal and insert the new ones. */
function replay(before: readonly string[], after: readonly string[], operations: DiffOperation[]): string[] {
  const result: string[] = [];
  let oldCursor = 0;
  let newCursor = 0;
  for (const operation of operations) {
    if (operation.kind === "equal") {
      assert.equal(operation.oldIndex, oldCursor++);
      assert.equal(operation.newIndex, newCursor++);
      assert.equal(before[operation.oldIndex], after[operation.newIndex]);
      result.push(before[operation.oldIndex] as string);
    } else if (operation.kind === "delete") assert.equal(operation.oldIndex, oldCursor++);
    else {
      assert.equal(operation.newIndex, newCursor++);
      result.push(after[operation.newIndex] as string);
    }
  }
  assert.equal(oldCursor, before.length);
  return result;
}

/** A small deterministic generator (no Math.random: failures must reproduce). */
function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

describe("diffSequences (Myers)", () => {
  it("finds a shortest edit script: replaying it gives the new text, and its length matches the LCS", () => {
    const random = generator(42);
    for (let round = 0; round < 300; round++) {
      const alphabet = ["a", "b", "c", "d"].slice(0, 1 + Math.floor(random() * 4));
      const make = (): string[] => Array.from({ length: Math.floor(random() * 12) }, () => alphabet[Math.floor(random() * alphabet.length)] as string);
      const before = make();
      const after = make();
      const operations = diffSequences(before, after);
      assert.deepEqual(replay(before, after, operations), after, `round ${round}: ${before.join("")} -> ${after.join("")}`);
      const edits = operations.filter((operation) => operation.kind !== "equal").length;
      assert.equal(edits, before.length + after.length - 2 * lcsLength(before, after), `round ${round}: not minimal`);
    }
  });

  it("handles empty sides", () => {
    assert.deepEqual(diffSequences([], []), []);
    assert.deepEqual(diffSequences(["a"], []), [{ kind: "delete", oldIndex: 0 }]);
    assert.deepEqual(diffSequences([], ["a", "b"]), [{ kind: "insert", newIndex: 0 }, { kind: "insert", newIndex: 1 }]);
  });
});

describe("unifiedDiff", () => {
  it("prints git-style headers and a hunk with 3 lines of context", () => {
    const before = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
    const after = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
    assert.equal(unifiedDiff({ path: "svc/Dockerfile", before, after }), "diff --git a/svc/Dockerfile b/svc/Dockerfile\n--- a/svc/Dockerfile\n+++ b/svc/Dockerfile\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
  });

  it("merges changes up to 6 lines apart into one hunk and splits farther ones", () => {
    const lines = Array.from({ length: 30 }, (_, index) => `line ${index + 1}\n`);
    const near = [...lines];
    near[4] = "changed 5\n";
    near[11] = "changed 12\n";
    const merged = unifiedDiff({ path: "f", before: lines.join(""), after: near.join("") });
    assert.equal(merged.match(/^@@/gm)?.length, 1);
    assert.match(merged, /^@@ -2,14 \+2,14 @@$/m);
    const far = [...lines];
    far[4] = "changed 5\n";
    far[12] = "changed 13\n";
    const split = unifiedDiff({ path: "f", before: lines.join(""), after: far.join("") });
    assert.deepEqual(split.match(/^@@.*@@$/gm), ["@@ -2,7 +2,7 @@", "@@ -10,7 +10,7 @@"]);
  });

  it("counts insertions at the start and deletions at the end with git's ranges", () => {
    assert.match(unifiedDiff({ path: "f", before: "a\nb\n", after: "new\na\nb\n" }), /^@@ -1,2 \+1,3 @@\n\+new\n a\n b\n$/m);
    assert.match(unifiedDiff({ path: "f", before: "a\nb\nc\nd\ne\n", after: "a\n" }), /^@@ -1,5 \+1 @@\n a\n-b\n-c\n-d\n-e\n$/m);
    assert.match(unifiedDiff({ path: "f", before: "a\n", after: "" }), /^@@ -1 \+0,0 @@\n-a\n$/m);
  });

  it("shows a created file against /dev/null", () => {
    assert.equal(unifiedDiff({ path: "api/.dockerignore", before: undefined, after: "# VCS\n.git\n" }), "diff --git a/api/.dockerignore b/api/.dockerignore\nnew file mode 100644\n--- /dev/null\n+++ b/api/.dockerignore\n@@ -0,0 +1,2 @@\n+# VCS\n+.git\n");
  });

  it("marks a missing final newline and keeps CRLF line endings", () => {
    const diff = unifiedDiff({ path: "f", before: "FROM a\r\nRUN x", after: "FROM a\r\nRUN y" });
    assert.match(diff, /^ FROM a\r\n-RUN x\n\\ No newline at end of file\n\+RUN y\n\\ No newline at end of file\n$/m);
    // Adding the final newline is a change of the last line.
    assert.match(unifiedDiff({ path: "f", before: "a\nb", after: "a\nb\n" }), /-b\n\\ No newline at end of file\n\+b\n$/);
  });

  it("is empty when nothing changed", () => {
    assert.equal(unifiedDiff({ path: "f", before: "a\n", after: "a\n" }), "");
  });

  it("splits lines keeping their terminators", () => {
    assert.deepEqual(splitLines("a\r\nb\nc"), ["a\r\n", "b\n", "c"]);
    assert.deepEqual(splitLines("a\n"), ["a\n"]);
    assert.deepEqual(splitLines(""), []);
  });
});
