// A rule file that is not registered, undocumented or untested fails here.
import assert from "node:assert/strict";
import fs from "node:fs";
import { describe, it } from "node:test";
import { allRules } from "../src/rules/index.ts";
import { CATEGORIES, FIX_LEVELS, IMPACTS } from "../src/rules/types.ts";

const SUPPORT_FILES = new Set(["index.ts", "types.ts", "queries.ts", "estimates.ts"]);
const ruleFiles = fs
  .readdirSync("src/rules")
  .filter((name) => name.endsWith(".ts") && !SUPPORT_FILES.has(name))
  .map((name) => name.slice(0, -3));

describe("rule registry", () => {
  it("registers every rule file, with id = file name", async () => {
    const registered = new Set(allRules.map((rule) => rule.meta.id));
    for (const id of ruleFiles) {
      const module = (await import(`../src/rules/${id}.ts`)) as { rule?: { meta: { id: string } } };
      assert.ok(module.rule, `src/rules/${id}.ts must export \`rule\``);
      assert.equal(module.rule.meta.id, id, `src/rules/${id}.ts: id must equal the file name`);
      assert.ok(registered.has(id), `src/rules/${id}.ts is not registered in src/rules/index.ts`);
    }
    assert.equal(allRules.length, ruleFiles.length, "registry lists rules without a file of their own");
  });

  it("has unique ids and valid metadata", () => {
    const ids = allRules.map((rule) => rule.meta.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const { meta } of allRules) {
      assert.match(meta.id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
      assert.ok(IMPACTS.includes(meta.impact), `${meta.id}: impact`);
      assert.ok(CATEGORIES.includes(meta.category), `${meta.id}: category`);
      assert.ok(meta.description.length > 20, `${meta.id}: description`);
      for (const hadolint of meta.hadolint) assert.match(hadolint, /^(DL|SC)\d{4}$/);
    }
  });

  it("declares the level of every fixable rule's fixes, and none for rules without fixes (docs/fix.md, What safe means)", () => {
    for (const { meta } of allRules) {
      if (meta.fixable) assert.ok(meta.fixLevel !== undefined && FIX_LEVELS.includes(meta.fixLevel), `${meta.id} is fixable but declares no fixLevel (safe or rewrite)`);
      else assert.equal(meta.fixLevel, undefined, `${meta.id} has no fix, so no fixLevel`);
    }
  });

  it("has a test file per rule", () => {
    for (const { meta } of allRules) assert.ok(fs.existsSync(`test/rules/${meta.id}.test.ts`), `test/rules/${meta.id}.test.ts is missing`);
  });

  it("has at least 45 rules", () => {
    assert.ok(allRules.length >= 45, `only ${allRules.length} rules`);
  });
});
