// bench/real-projects.ts: the committed pin list is well formed, and the outcome parser reads what
// the fix command's own reporters print (so a reporter change cannot silently skew the benchmark).
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { parsePins, readFixReport, replaceBase } from "../../bench/real-projects.ts";
import { renderRewriteReport, renderVerifyReport } from "../../src/fix/rewrite-report.ts";
import type { PlannedRewrite } from "../../src/fix/rewrite.ts";
import type { VerifyRewriteResult } from "../../src/fix/verify-rewrite.ts";

const LIST = path.resolve(import.meta.dirname, "../../bench/real-projects.txt");

const rewrite: PlannedRewrite = { path: "Dockerfile", before: "FROM node:22\n", after: "FROM node:22-slim\n", ecosystem: "node", review: [], notes: ["a note"], status: "applied" };

function verified(ok: boolean): VerifyRewriteResult {
  return {
    name: "web",
    before: { ok: true, sizeBytes: 1_000_000_000, durationMs: 1000 },
    after: { ok: true, sizeBytes: 200_000_000, durationMs: 1000 },
    ok,
    ...(ok ? {} : { reason: "verify found 1 unexpected difference: http GET /: Status codes differ." }),
  };
}

describe("bench/real-projects.ts", () => {
  it("the pinned list has at least 15 projects with unique names, fat ones and lean controls", () => {
    const pins = parsePins(fs.readFileSync(LIST, "utf8"));
    assert.ok(pins.length >= 15, `${pins.length} projects`);
    assert.equal(new Set(pins.map((pin) => pin.name)).size, pins.length);
    assert.ok(pins.some((pin) => pin.shape === "fat") && pins.some((pin) => pin.shape === "lean"));
    assert.throws(() => parsePins("x fat owner/repo not-a-commit . Dockerfile none\n"), /line 1/);
  });

  it("reads applied, refused, needs-review and already-lean from the reporters' text", () => {
    const applied = renderRewriteReport({ displayRoot: ".", rewrites: [rewrite], notRewritten: [], devNotes: [] }, { written: true }) + renderVerifyReport([{ path: "Dockerfile", results: [verified(true)], probed: true }], { written: true });
    assert.deepEqual({ ...readFixReport(applied, true), why: [] }, { outcome: "applied-verified", why: [], sizeBefore: "1 GB", sizeAfter: "200 MB" });
    const refused = renderRewriteReport({ displayRoot: ".", rewrites: [], unverified: [rewrite], notRewritten: [], devNotes: [] }, { written: true }) + renderVerifyReport([{ path: "Dockerfile", results: [verified(false)], probed: true }], { written: true });
    const read = readFixReport(refused, false);
    assert.equal(read.outcome, "refused");
    assert.match(read.why[0] ?? "", /Status codes differ/);
    const review = renderRewriteReport({ displayRoot: ".", rewrites: [{ ...rewrite, status: "needs-review", review: ["bcrypt builds native code"] }], notRewritten: [], devNotes: [] }, { written: true });
    assert.deepEqual(readFixReport(review, false), { outcome: "needs-review", why: ["bcrypt builds native code"] });
    const lean = renderRewriteReport({ displayRoot: ".", rewrites: [], notRewritten: ["Dockerfile"], alreadyLean: [{ path: "Dockerfile", reason: "already lean: node:22-slim is a slim base" }], devNotes: [] }, { written: true });
    assert.equal(readFixReport(lean, false).outcome, "already-lean");
  });

  it("replaces the FROM image of each stage, keeping --platform and the stage name", () => {
    assert.equal(replaceBase("FROM --platform=linux/amd64 node:alpine AS app\nRUN echo from here\nfrom node:12\n", "node:22"), "FROM --platform=linux/amd64 node:22 AS app\nRUN echo from here\nfrom node:22\n");
  });
});
