// The end-of-life table is data checked by hand against its sources (listed in
// src/rules/end-of-life-base-image.ts). Rules never read the clock, so a table nobody updates
// silently stops reporting releases that ended since: this test reads the clock instead and
// fails once the table is more than six months old, and keeps the date users see in the docs
// equal to the table's.
import assert from "node:assert/strict";
import fs from "node:fs";
import { describe, it } from "node:test";
import { EOL_TABLE_DATE } from "../../src/rules/end-of-life-base-image.ts";

const MAX_AGE_DAYS = 183;

describe("end-of-life table", () => {
  it(`was checked within the last ${MAX_AGE_DAYS} days`, () => {
    assert.match(EOL_TABLE_DATE, /^\d{4}-\d{2}-\d{2}$/);
    const checked = Date.parse(`${EOL_TABLE_DATE}T00:00:00Z`);
    const ageDays = Math.floor((Date.now() - checked) / 86_400_000);
    assert.ok(ageDays >= -1, `EOL_TABLE_DATE ${EOL_TABLE_DATE} is in the future`);
    assert.ok(ageDays <= MAX_AGE_DAYS, `the end-of-life table was last checked on ${EOL_TABLE_DATE}, ${ageDays} days ago: check the sources listed in src/rules/end-of-life-base-image.ts, update the table and EOL_TABLE_DATE (and the date in docs/rules/end-of-life-base-image.md)`);
  });

  it("shows users the same date in the rule's documentation", () => {
    const doc = fs.readFileSync("docs/rules/end-of-life-base-image.md", "utf8");
    assert.match(doc, new RegExp(`the table was last checked on ${EOL_TABLE_DATE}`));
  });
});
