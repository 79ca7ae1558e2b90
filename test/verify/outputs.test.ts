import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SmokeRun } from "../../src/verify/outputs.ts";
import { splitArguments } from "../../src/repo/shell-words.ts";
import { applyIgnore, compareHttp, compareSmoke, firstDifference, jsonDifferences, parseHttpTarget } from "../../src/verify/outputs.ts";

const run = (overrides: Partial<SmokeRun> = {}): SmokeRun => ({ exitCode: 0, stdout: "ok\n", stderr: "", timedOut: false, ...overrides });

describe("--smoke arguments", () => {
  it("splits like a shell: quotes, escapes, no expansion", () => {
    assert.deepEqual(splitArguments(`node -e 'console.log("hi there")' --flag="a b" plain\\ word $HOME`), ["node", "-e", 'console.log("hi there")', "--flag=a b", "plain word", "$HOME"]);
    assert.deepEqual(splitArguments("  "), []);
    assert.deepEqual(splitArguments(`''`), [""]);
    assert.throws(() => splitArguments(`echo "unterminated`), /unterminated/);
  });
});

describe("smoke comparison", () => {
  it("same exit code and output: no difference", () => {
    assert.deepEqual(compareSmoke("--version", run(), run(), []), []);
  });

  it("reports exit code, timeout, stdout and stderr differences with where the output first differs", () => {
    const differences = compareSmoke("--check", run({ stdout: "a\nb\nc\n" }), run({ exitCode: 1, stdout: "a\nB\nc\n", stderr: "Error: Cannot find module 'express'\n" }), []);
    assert.deepEqual(
      differences.map((difference) => [difference.subject, difference.before, difference.after]),
      [
        ["--smoke --check", "exit 0", "exit 1"],
        ["--smoke --check", "6 bytes", "6 bytes"],
        ["--smoke --check", "0 bytes", "36 bytes"],
      ],
    );
    assert.match(differences[0]?.message ?? "", /Cannot find module 'express'/);
    assert.match(differences[1]?.message ?? "", /stdout differs at line 2: "b" vs "B"/);
    const notStarted = { exitCode: 127, stdout: "", stderr: "cannot start: exec: \"x\": executable file not found in $PATH\n", notStarted: true };
    assert.deepEqual(compareSmoke("x", run(notStarted), run(notStarted), []).map((difference) => [difference.severity, difference.message]), [["note", "Neither image could start it."]]);
    assert.equal(compareSmoke("x", run(), run(notStarted), [])[0]?.severity, "difference", "one that started and one that did not differ");
    const timedOut = compareSmoke("", run(), run({ timedOut: true, exitCode: 137, stdout: "" }), []);
    assert.equal(timedOut[0]?.subject, "--smoke (default command)");
    assert.equal(timedOut[0]?.after, "timed out");
  });

  it("ignores what the patterns match", () => {
    const before = run({ stdout: "started at 2024-01-01T10:00:00Z in 12ms\n" });
    const after = run({ stdout: "started at 2026-11-27T07:00:00Z in 9ms\n" });
    assert.equal(compareSmoke("", before, after, []).length, 1);
    assert.deepEqual(compareSmoke("", before, after, [/\d{4}-\d\d-\d\dT[\d:]+Z/, /(?<!\d)\d+ms/]), []);
    assert.equal(applyIgnore("a1b22", [/\d+/]), "a<ignored>b<ignored>", "every match, without the g flag too");
  });

  it("locates the first differing line", () => {
    assert.equal(firstDifference("a\nb", "a\nb\nc"), 'line 3: (no line) vs "c"');
    assert.equal(firstDifference("same", "same"), "identical");
  });
});

describe("HTTP comparison", () => {
  const target = { port: 3000, path: "/api" };
  const json = (body: unknown, status = 200) => ({ status, contentType: "application/json; charset=utf-8", body: JSON.stringify(body) });

  it("parses PORT/PATH", () => {
    assert.deepEqual(parseHttpTarget("3000/health"), { port: 3000, path: "/health" });
    assert.deepEqual(parseHttpTarget("8080"), { port: 8080, path: "/" });
    assert.deepEqual(parseHttpTarget("80/a?b=1"), { port: 80, path: "/a?b=1" });
    assert.throws(() => parseHttpTarget("health"), /PORT\/PATH/);
    assert.throws(() => parseHttpTarget("70000/x"), /PORT\/PATH/);
  });

  it("compares JSON bodies as values: key order and spacing do not matter", () => {
    const before = { status: 200, contentType: "application/json", body: '{"a":1,"b":[1,2],"c":{"d":"x"}}' };
    const after = { status: 200, contentType: "application/json; charset=utf-8", body: '{ "c": { "d": "x" }, "b": [1, 2], "a": 1 }' };
    assert.deepEqual(compareHttp(target, before, after, []), []);
  });

  it("lists the JSON paths that differ", () => {
    const differences = compareHttp(target, json({ items: [{ id: 1 }, { id: 2 }], total: 2, version: "1" }), json({ items: [{ id: 1 }, { id: 3 }], total: 2, extra: true }), []);
    assert.equal(differences.length, 1);
    assert.equal(differences[0]?.message, 'JSON bodies differ: $.extra only in AFTER; $.items[1].id: 2 vs 3; $.version only in BEFORE.');
    assert.deepEqual(jsonDifferences([1, 2], [1]), ["$ has 2 items vs 1"]);
  });

  it("masks ignored text inside JSON strings", () => {
    assert.deepEqual(compareHttp(target, json({ now: "2024-01-01T00:00:00Z" }), json({ now: "2026-01-01T00:00:00Z" }), [/\d{4}-[\d-]+T[\d:]+Z/]), []);
  });

  it("reports status, content type, text body, and one image not answering", () => {
    const differences = compareHttp(target, { status: 200, contentType: "text/plain", body: "hello" }, { status: 404, contentType: "text/html", body: "not found" }, []);
    assert.deepEqual(differences.map((difference) => difference.message.split(" at ")[0]), ["Status codes differ.", "Content types differ.", "Bodies differ"]);
    const oneDown = compareHttp(target, json({}), { error: "ECONNREFUSED" }, []);
    assert.deepEqual(oneDown.map((difference) => [difference.severity, difference.after]), [["difference", "ECONNREFUSED"]]);
    assert.equal(compareHttp(target, { error: "x" }, { error: "y" }, [])[0]?.severity, "note");
  });
});
