import assert from "node:assert/strict";
import fs from "node:fs";
import { it } from "node:test";
import { renderRulesIndex } from "../src/docs/rules-index.ts";
import { allRules } from "../src/rules/index.ts";

it("docs/rules/README.md is up to date with the registry (run `node scripts/docs-index.ts`)", () => {
  assert.equal(fs.readFileSync("docs/rules/README.md", "utf8"), renderRulesIndex(allRules));
});
