import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyEdits, editsConflict, groupEditsConflict, selectEditGroups } from "../../src/fix/apply.ts";

describe("applyEdits", () => {
  it("applies edits given in any order and leaves every other byte alone", () => {
    const text = "RUN  apt install -y curl\r\n# keep\r\n";
    const edits = [
      { start: 20, end: 24, text: "curl ca-certificates" },
      { start: 5, end: 8, text: "apt-get" },
      { start: 4, end: 4, text: "--mount=type=cache,target=/x " },
    ];
    assert.equal(applyEdits(text, edits), "RUN --mount=type=cache,target=/x  apt-get install -y curl ca-certificates\r\n# keep\r\n");
  });

  it("keeps the given order of insertions at one offset", () => {
    assert.equal(applyEdits("RUN x", [{ start: 4, end: 4, text: "a " }, { start: 4, end: 4, text: "b " }]), "RUN a b x");
  });

  it("puts an insertion at the start of a replaced range before it, and one at its end after it", () => {
    assert.equal(applyEdits("abcdef", [{ start: 2, end: 4, text: "XY" }, { start: 2, end: 2, text: "<" }, { start: 4, end: 4, text: ">" }]), "ab<XY>ef");
  });

  it("refuses overlapping or out-of-range edits instead of guessing", () => {
    assert.throws(() => applyEdits("abcdef", [{ start: 1, end: 4, text: "" }, { start: 3, end: 5, text: "" }]), /overlap/);
    assert.throws(() => applyEdits("abc", [{ start: 2, end: 9, text: "" }]), /outside/);
    assert.throws(() => applyEdits("abc", [{ start: 2, end: 1, text: "" }]));
  });
});

describe("editsConflict", () => {
  it("tells touching edits from colliding ones", () => {
    assert.equal(editsConflict({ start: 0, end: 3, text: "" }, { start: 3, end: 5, text: "" }), false);
    assert.equal(editsConflict({ start: 0, end: 4, text: "" }, { start: 3, end: 5, text: "" }), true);
    assert.equal(editsConflict({ start: 3, end: 3, text: "a" }, { start: 3, end: 3, text: "b" }), true);
    assert.equal(editsConflict({ start: 4, end: 4, text: "a" }, { start: 3, end: 5, text: "" }), true);
    assert.equal(editsConflict({ start: 3, end: 3, text: "a" }, { start: 3, end: 5, text: "" }), false);
  });
});

describe("selectEditGroups", () => {
  it("applies a finding's edits all or nothing and defers groups that collide with an earlier one", () => {
    const first = { rule: "a", line: 1, edits: [{ start: 0, end: 2, text: "X" }, { start: 10, end: 12, text: "Y" }] };
    const collides = { rule: "b", line: 1, edits: [{ start: 5, end: 6, text: "" }, { start: 11, end: 13, text: "" }] };
    const independent = { rule: "c", line: 2, edits: [{ start: 6, end: 8, text: "Z" }] };
    const { accepted, deferred } = selectEditGroups([collides, independent, first], 20);
    assert.deepEqual(accepted.map((group) => group.rule), ["a", "c"]);
    assert.deepEqual(deferred.map((group) => group.rule), ["b"]);
  });

  it("defers malformed groups and empty ones", () => {
    const { accepted, deferred } = selectEditGroups(
      [
        { rule: "self-overlap", line: 1, edits: [{ start: 0, end: 3, text: "" }, { start: 2, end: 4, text: "" }] },
        { rule: "outside", line: 1, edits: [{ start: 8, end: 30, text: "" }] },
        { rule: "empty", line: 1, edits: [] },
        { rule: "fine", line: 1, edits: [{ start: 5, end: 5, text: "!" }] },
      ],
      10,
    );
    assert.deepEqual(accepted.map((group) => group.rule), ["fine"]);
    assert.deepEqual(deferred.map((group) => group.rule).sort(), ["empty", "outside", "self-overlap"]);
  });

  it("takes the group that starts first when two insert at the same offset", () => {
    const { accepted, deferred } = selectEditGroups(
      [
        { rule: "apt-cache-mount-missing", line: 3, edits: [{ start: 4, end: 4, text: "--mount=a " }] },
        { rule: "python-cache-mount-missing", line: 3, edits: [{ start: 4, end: 4, text: "--mount=b " }] },
      ],
      20,
    );
    assert.deepEqual(accepted.map((group) => group.rule), ["apt-cache-mount-missing"]);
    assert.deepEqual(deferred.map((group) => group.rule), ["python-cache-mount-missing"]);
  });

  it("defers an insertion at either end of another finding's replaced range (it was computed against the replaced text)", () => {
    const replace = { start: 10, end: 20, text: "moved" };
    assert.ok(groupEditsConflict({ start: 20, end: 20, text: " --omit=dev" }, replace));
    assert.ok(groupEditsConflict(replace, { start: 10, end: 10, text: "x" }));
    assert.ok(!groupEditsConflict({ start: 21, end: 21, text: "x" }, replace));
    assert.ok(!groupEditsConflict({ start: 20, end: 25, text: "" }, replace), "adjacent replacements do not collide");
    const { accepted, deferred } = selectEditGroups([{ rule: "reorder", line: 3, edits: [replace] }, { rule: "omit", line: 4, edits: [{ start: 20, end: 20, text: " --omit=dev" }] }], 30);
    assert.deepEqual(accepted.map((group) => group.rule), ["reorder"]);
    assert.deepEqual(deferred.map((group) => group.rule), ["omit"]);
  });
});
