import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { paint } from "../../src/format/index.ts";
import { renderVerify } from "../../src/verify/report.ts";
import type { VerifyResult } from "../../src/verify/result.ts";

const RESULT: VerifyResult = {
  before: { reference: "shop/api:before", id: "sha256:0123456789abcdef0123" },
  after: { reference: "shop/api:after\u001b[31m", id: "sha256:fedcba9876543210fedc" },
  equivalent: false,
  checks: [
    { name: "config", status: "failed", detail: "9 settings compared" },
    { name: "smoke", status: "skipped", detail: "no --smoke given" },
  ],
  differences: [
    { kind: "config", severity: "difference", subject: "Cmd", before: '["node","server.js"]', after: '["node","dist/server.js"]', message: "The default command or arguments differ." },
    { kind: "config", severity: "note", subject: "Env.PATH", before: "/a", after: "/b", message: "PATH differs | but resolves alike." },
  ],
  ignored: [{ category: "docs", count: 2, examples: ["README.md", "CHANGELOG.md"] }],
};

describe("verify reports", () => {
  it("tty: checks, differences, notes, ignored files and the verdict; no colour unless asked; no escape sequences from image names", () => {
    const text = renderVerify("tty", RESULT, { color: false });
    assert.ok(!text.includes("\u001b"), "no escape sequences");
    assert.match(text, /^BEFORE shop\/api:before \(0123456789ab\)$/m);
    assert.match(text, /FAIL config {2}9 settings compared/);
    assert.match(text, /Differences \(1\)\n {2}\[config\] Cmd\n {6}before: \["node","server.js"\]\n {6}after: {2}\["node","dist\/server.js"\]/);
    assert.match(text, /Notes \(1\): reported, not counted as differences/);
    assert.match(text, /docs: 2 \(e\.g\. README\.md, CHANGELOG\.md\)/);
    assert.match(text, /Not equivalent: 1 difference\n$/);
    assert.ok(renderVerify("tty", RESULT, { color: true }).includes(paint(true, "bold red", "Not equivalent: 1 difference")), "red and bold when colour is on");
    assert.match(renderVerify("tty", { ...RESULT, equivalent: true, differences: [RESULT.differences[1] as VerifyResult["differences"][number]] }, { color: false }), /Equivalent \(1 note\)\n$/);
  });

  it("allowed differences: listed with the class that allowed them, not counted in the verdict", () => {
    const allowed: VerifyResult = {
      ...RESULT,
      equivalent: true,
      allow: ["cmd-form"],
      differences: [{ kind: "config", severity: "allowed", allowedBy: "cmd-form", subject: "Cmd", before: '["/bin/sh","-c","node server.js"]', after: '["node","server.js"]', message: "The default command or arguments differ." }],
    };
    const text = renderVerify("tty", allowed, { color: false });
    assert.match(text, /Allowed \(1\): accepted with --allow, not counted as differences\n {2}\[config\] Cmd\n {6}before: \["\/bin\/sh","-c","node server\.js"\]\n {6}after: {2}\["node","server\.js"\]\n {6}The default command or arguments differ\.\n {6}allowed by: cmd-form\n/);
    assert.ok(!text.includes("Differences ("), "no difference section");
    assert.match(text, /Equivalent \(1 allowed difference\)\n$/);
    const markdown = renderVerify("markdown", allowed, { color: false });
    assert.match(markdown, /## Allowed \(1\): accepted with --allow, not counted\n\n\| kind \| what \| before \| after \| allowed by \|\n\|---\|---\|---\|---\|---\|\n\| config \| `Cmd` \| .* \| `cmd-form` \|/);
    const json = JSON.parse(renderVerify("json", allowed, { color: false })) as { differenceCount: number; allow: string[]; differences: { severity: string; allowedBy: string }[] };
    assert.equal(json.differenceCount, 0);
    assert.deepEqual(json.allow, ["cmd-form"]);
    assert.deepEqual([json.differences[0]?.severity, json.differences[0]?.allowedBy], ["allowed", "cmd-form"]);
  });

  it("tty: a probe neither image answered is a warning, not a pass", () => {
    const unanswered: VerifyResult = { ...RESULT, checks: [{ name: "http", status: "inconclusive", detail: "1 request to each image; neither image answered, so nothing was compared" }] };
    assert.match(renderVerify("tty", unanswered, { color: false }), /WARN http {2}1 request to each image; neither image answered/);
    assert.ok(renderVerify("tty", unanswered, { color: true }).includes(paint(true, "yellow", "WARN")));
  });

  it("markdown: tables with escaped cells", () => {
    const text = renderVerify("markdown", RESULT, { color: false });
    assert.match(text, /^# Image verification: not equivalent$/m);
    assert.match(text, /\| config \| `Cmd` \| `\["node","server.js"\]` \| `\["node","dist\/server.js"\]` \| The default command or arguments differ\. \|/);
    assert.match(text, /PATH differs \\\| but resolves alike/);
    assert.match(text, /\| docs \| 2 \| `README.md`, `CHANGELOG.md` \|/);
  });

  it("json: the result with a schema version and the difference count", () => {
    const parsed = JSON.parse(renderVerify("json", RESULT, { color: false })) as Record<string, unknown>;
    assert.equal(parsed.schemaVersion, 1);
    assert.equal(parsed.differenceCount, 1);
    assert.equal(parsed.equivalent, false);
    assert.deepEqual(parsed.differences, RESULT.differences);
  });
});
