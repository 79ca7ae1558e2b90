// What an installed package links to must exist: package.json names the repository the reports
// link to, and every rule link (tty, SARIF helpUri, Markdown) points at a docs page that is in the
// repository and in the package.
import assert from "node:assert/strict";
import fs from "node:fs";
import { describe, it } from "node:test";
import { ruleDocsUrl, SHIPSHAPE_REPOSITORY_URL } from "../src/report/json.ts";
import { allRules } from "../src/rules/index.ts";

const manifest = JSON.parse(fs.readFileSync("package.json", "utf8")) as { repository: { url: string }; homepage: string; bugs: { url: string }; files: string[]; bin: Record<string, string> };

describe("the package's links", () => {
  it("package.json names the repository the reports link to", () => {
    assert.equal(manifest.repository.url, `git+${SHIPSHAPE_REPOSITORY_URL}.git`);
    assert.ok(manifest.homepage.startsWith(SHIPSHAPE_REPOSITORY_URL));
    assert.equal(manifest.bugs.url, `${SHIPSHAPE_REPOSITORY_URL}/issues`);
  });

  it("every rule link points at a docs page that exists and ships in the package", () => {
    assert.ok(manifest.files.includes("docs"));
    const prefix = `${SHIPSHAPE_REPOSITORY_URL}/blob/main/`;
    for (const rule of allRules) {
      const url = ruleDocsUrl(rule.meta.id);
      assert.ok(url.startsWith(prefix), url);
      assert.ok(fs.existsSync(url.slice(prefix.length)), `${url}: no such file in the repository`);
    }
  });
});
