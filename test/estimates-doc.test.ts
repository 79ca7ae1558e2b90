// docs/estimates.md and src/rules/estimates.ts must not drift apart.
import assert from "node:assert/strict";
import fs from "node:fs";
import { it } from "node:test";
import { BASE_IMAGE_SIZES_MB, DEV_PACKAGE_DEFAULT_MB, DEV_PACKAGE_SIZES_MB, DEV_PACKAGE_TYPES_MB, ESTIMATES, TOOLCHAIN_RUNTIMES } from "../src/rules/estimates.ts";

it("docs/estimates.md lists every estimate with the code's figure and basis", () => {
  const doc = fs.readFileSync("docs/estimates.md", "utf8");
  for (const [key, estimate] of Object.entries(ESTIMATES)) {
    const row = new RegExp(`^\\| ${key} \\| ${estimate.mb} \\| (.+) \\|$`, "m").exec(doc);
    assert.ok(row, `docs/estimates.md lacks a row for ${key} with ${estimate.mb} MB`);
    assert.equal(row[1]?.replace(/`/g, ""), estimate.basis, `basis of ${key}`);
  }
  for (const [image, sizes] of Object.entries(BASE_IMAGE_SIZES_MB)) {
    const cells = [sizes.full, sizes.slim, sizes.alpine, sizes.distroless].map((size) => (size === undefined ? "" : ` ${size} `));
    const expected = `| ${image} |${cells.map((cell) => (cell === "" ? " " : cell)).join("|")}|`;
    assert.ok(doc.includes(expected), `docs/estimates.md base image row for ${image}: expected ${expected}`);
  }
});

it("docs/estimates.md lists every development package size and toolchain runtime the code uses", () => {
  const doc = fs.readFileSync("docs/estimates.md", "utf8");
  for (const [name, mb] of Object.entries(DEV_PACKAGE_SIZES_MB)) assert.ok(doc.includes(`| ${name} | ${mb} |`), `docs/estimates.md lacks | ${name} | ${mb} |`);
  assert.match(doc, new RegExp(`@types/\\* packages ${DEV_PACKAGE_TYPES_MB} MB, unknown packages ${DEV_PACKAGE_DEFAULT_MB} MB`));
  for (const [toolchain, runtime] of Object.entries(TOOLCHAIN_RUNTIMES)) {
    assert.match(doc, new RegExp(`^\\| [^|]*\\b${toolchain.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&")}\\b[^|]* \\| ${runtime} \\|$`, "m"), `toolchain ${toolchain} -> ${runtime}`);
  }
});
