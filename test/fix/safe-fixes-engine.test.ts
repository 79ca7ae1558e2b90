// A safe fix never changes what the image does (docs/fix.md, What safe means), checked on the
// real engine: every fixture Dockerfile of the corpus that builds offline in the lab and has
// safe fixes is built before and after `runFixes` at the safe level (what `shipshape fix`
// applies), and the two images must be equivalent for `shipshape verify` (src/verify, the same
// code the command runs) and hold the same files, apart from the package managers' caches and
// indexes the definition exempts. Skips without an engine unless SHIPSHAPE_REQUIRE_DOCKER=1.
// Not covered: node-npm's golden case (its package-lock.json is a stub, so the `npm ci` the fix
// writes refuses to build: a failed build, no other image), Go's golden case (its distroless base is not forged by .ci/run), Python cases that
// need PyPI, and the Rust service (minutes per build).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { ApiEngine } from "../../src/engine/api-engine.ts";
import { runFixes } from "../../src/fix/run-fixes.ts";
import { snapshotFromFiles } from "../../src/repo/memory.ts";
import { allRules } from "../../src/rules/index.ts";
import { readImageFiles } from "../../src/verify/image-files.ts";
import { verifyImages } from "../../src/verify/run.ts";
import { engineStatus, failIfRequired } from "../helpers/engine.ts";
import { loadCase } from "./golden-cases.ts";

const ROOT = path.join(import.meta.dirname, "..", "..");
const BASES = ["debian:bookworm-slim", "node:22-bookworm-slim", "golang:1.19", "python:3.11"];
const engine = new ApiEngine();
const status = await engineStatus(engine, BASES);
const tags: string[] = [];
const scratches: string[] = [];

after(async () => {
  for (const tag of tags) await engine.removeImage(tag).catch(() => undefined);
  for (const scratch of scratches) fs.rmSync(scratch, { recursive: true, force: true });
});

/** The caches and indexes a safe fix may keep out of the image (docs/fix.md, What safe means). */
const CACHE = [/^\/var\/cache\/apt(\/|$)/, /^\/var\/lib\/apt(\/|$)/, /^\/var\/cache\/apk(\/|$)/, /^\/root\/\.cache(\/|$)/, /^\/root\/\.npm(\/|$)/, /^\/usr\/local\/share\/\.cache(\/|$)/, /^\/go\/pkg(\/mod(\/|$)|$)/, /^\/root\/\.m2(\/|$)/, /^\/root\/\.gradle(\/|$)/, /^\/usr\/local\/cargo\/registry(\/|$)/];
/** Files every build writes afresh, whatever the Dockerfile: not a difference between two builds. */
const VOLATILE = [/^\/tmp\//, /^\/var\/log\//, /^\/var\/lib\/dpkg\/[^/]*-old$/, /^\/var\/cache\/debconf\/[^/]*-old$/, /^\/etc\/ld\.so\.cache$/];

interface Case {
  name: string;
  /** Real files of the build context (text). */
  files: Record<string, string>;
}

function goldenCase(name: string): Case {
  const golden = loadCase(name);
  return { name: `golden ${name}`, files: Object.fromEntries(Object.entries(golden.files).filter((entry): entry is [string, string] => typeof entry[1] === "string")) };
}

function directoryCase(name: string, directory: string): Case {
  const files: Record<string, string> = {};
  const walk = (dir: string, prefix: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const relative = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) walk(path.join(dir, entry.name), relative);
      else files[relative] = fs.readFileSync(path.join(dir, entry.name), "utf8");
    }
  };
  walk(directory, "");
  return { name, files };
}

const CASES: Case[] = [
  goldenCase("apt-heavy"),
  directoryCase("examples/shop inventory-go", path.join(ROOT, "examples/shop/services/inventory-go")),
  directoryCase("examples/shop reports-py", path.join(ROOT, "examples/shop/services/reports-py")),
];

async function build(files: Record<string, string>, label: string): Promise<string> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "safe-fixes-"));
  scratches.push(scratch);
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(scratch, name)), { recursive: true });
    fs.writeFileSync(path.join(scratch, name), content);
  }
  const tag = `safe-${label}:${randomBytes(4).toString("hex")}`;
  tags.push(tag);
  const result = await engine.build({ contextDir: scratch, tags: [tag], labels: { "shipshape.test": "true" }, networkMode: "host" });
  assert.ok(result.ok, `${label}: build failed: ${result.error?.message ?? ""}\n${result.error?.logTail.join("\n") ?? ""}`);
  return tag;
}

async function fileList(tag: string): Promise<Set<string>> {
  const { filesystem } = await readImageFiles(await engine.exportImage(tag), { wantsText: () => false, wantsBinary: () => false });
  const paths = new Set<string>();
  for (const node of filesystem.walk("/")) {
    if (![...CACHE, ...VOLATILE].some((pattern) => pattern.test(node.path))) paths.add(node.path);
  }
  return paths;
}

describe("safe fixes leave the image as it was (real engine)", { skip: status.skip }, () => {
  const levels = new Map(allRules.map((rule) => [rule.meta.id, rule.meta.fixLevel]));
  for (const testCase of CASES) {
    it(`${testCase.name}: BEFORE and AFTER the safe fixes are equivalent for verify and hold the same files`, { timeout: 600_000 }, async () => {
      failIfRequired(status);
      const fixed = runFixes(snapshotFromFiles(testCase.files));
      assert.ok(fixed.applied.length > 0, "the case has safe fixes");
      for (const applied of fixed.applied) assert.equal(levels.get(applied.rule), "safe", applied.rule);
      const afterFiles = { ...testCase.files, ...Object.fromEntries(fixed.changes.map((change) => [change.path, change.after])) };
      const label = testCase.name.replace(/[^a-z0-9]+/g, "-");
      const before = await build(testCase.files, `${label}-before`);
      const afterTag = await build(afterFiles, `${label}-after`);

      const result = await verifyImages(engine, { before, after: afterTag });
      assert.ok(result.equivalent, `${fixed.applied.map((fix) => fix.rule).join(", ")}: not equivalent:\n${result.differences.map((difference) => `${difference.subject}: ${difference.message}`).join("\n")}`);

      const [beforeFiles, afterList] = [await fileList(before), await fileList(afterTag)];
      const missing = [...beforeFiles].filter((file) => !afterList.has(file));
      const added = [...afterList].filter((file) => !beforeFiles.has(file));
      assert.deepEqual({ missing: missing.slice(0, 20), added: added.slice(0, 20) }, { missing: [], added: [] }, `${fixed.applied.map((fix) => fix.rule).join(", ")} changed the image's files`);
    });
  }
});
