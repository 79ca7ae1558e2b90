import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sanitizeTerminal } from "../../src/report/escape.ts";
import { renderRulesTable, renderTty, shouldUseColor } from "../../src/report/tty.ts";
import { allRules } from "../../src/rules/index.ts";
import { HAND_RULES, handResult, pipelineResult, resultWithMessage } from "../fixtures/report/results.ts";

const ESC = "\x1b";
/** Removes SGR colour codes. */
const stripColor = (text: string): string => text.replaceAll(new RegExp(`${ESC}\\[\\d+m`, "g"), "");

describe("renderTty", () => {
  const plain = renderTty(handResult(), { color: false });
  const colored = renderTty(handResult(), { color: true });

  it("has no ANSI codes when color is false, and has them when it is true", () => {
    assert.ok(!plain.includes(ESC));
    assert.ok(colored.includes(`${ESC}[`));
    // Same text once the colour is removed.
    assert.equal(stripColor(colored), plain);
  });

  it("groups findings by file, each located as a clickable path:line[:column]", () => {
    const lines = plain.split("\n");
    const api = lines.indexOf("services/api/Dockerfile");
    const web = lines.indexOf("services/web/Dockerfile");
    assert.ok(api >= 0 && web > api);
    assert.match(lines[api + 1] ?? "", /^ {2}services\/api\/Dockerfile:3:5 {2}medium {2}apt-no-install-recommends {2}\(~60 MB estimated saving, fixable\)$/);
    assert.equal(lines[api + 2], "    apt-get install without --no-install-recommends");
    assert.match(plain, /^ {2}services\/api\/Dockerfile:9 +high {4}dev-dependencies-in-runtime {2}\(~150 MB estimated saving\)$/m);
    assert.match(plain, /^ {2}services\/web\/Dockerfile:12 {2}medium {2}shell-form-cmd {2}\(fixable\)$/m);
    // Clean files are not listed.
    assert.ok(!lines.includes("services/clean/Dockerfile"));
  });

  it("shows file errors, in red when coloured", () => {
    assert.match(plain, /^broken\/Dockerfile\n {2}error: could not be audited: cannot parse: unexpected end of file$/m);
    assert.ok(colored.includes(`${ESC}[31merror: could not be audited: cannot parse: unexpected end of file${ESC}[39m`));
  });

  it("colours impacts: high red and bold, medium yellow, low cyan", () => {
    assert.ok(colored.includes(`${ESC}[1m${ESC}[31mhigh  ${ESC}[39m${ESC}[22m`));
    assert.ok(colored.includes(`${ESC}[33mmedium${ESC}[39m`));
    assert.ok(colored.includes(`${ESC}[36mlow   ${ESC}[39m`));
    assert.ok(colored.includes(`${ESC}[2m(~60 MB estimated saving, fixable)${ESC}[22m`), "the estimate is dim");
  });

  it("ends with a summary by impact, the saving labelled as an estimate, errors and the suppressed count", () => {
    const last = plain.trimEnd().split("\n").at(-1);
    assert.equal(last, "5 findings (2 high, 2 medium, 1 low) in 3 of 5 files · 2 files could not be audited · ~210 MB estimated saving (an estimate, not measured) · 2 suppressed");
    const clean = renderTty({ root: "/r", files: [{ path: "Dockerfile", kind: "dockerfile", findings: [] }], summary: { files: 1, filesWithErrors: 0, findings: 0, byImpact: { high: 0, medium: 0, low: 0 }, byCategory: { size: 0, cache: 0, speed: 0, security: 0, compose: 0, maintainability: 0 }, estimatedSavingMB: 0, suppressed: 0 } }, { color: false });
    assert.equal(clean, "No findings in 1 file · 0 suppressed\n");
  });

  it("lists the rules that reported something, with their docs, when rules are given", () => {
    const output = renderTty(handResult(), { color: false, rules: HAND_RULES });
    assert.match(output, /^Rules\n {2}apt-no-install-recommends {4}apt-get install without --no-install-recommends\.$/m);
    assert.match(output, /^ {2}shell-form-cmd {15}CMD in shell form\.\n {2}docs: https:\/\/github\.com\/shipshape-dev\/shipshape\/blob\/main\/docs\/rules\/<id>\.md\n\n/m);
    assert.doesNotMatch(plain, /^Rules$/m);
  });

  it("never lets text from the audited files emit terminal escapes", () => {
    const hostile = resultWithMessage("evil \x1b[2J\x1b]0;title\x07 text\u202e reversed\nnext line", "weird\x1b[31m/Dockerfile");
    for (const color of [false, true]) {
      const output = renderTty(hostile, { color });
      assert.ok(!output.includes("\x1b[2J") && !output.includes("\x1b]0;") && !output.includes("\x07") && !output.includes("\u202e"));
      assert.ok(!output.includes("weird\x1b"));
      assert.match(output, /evil \\x1b\[2J\\x1b\]0;title\\x07 text\\u\{202e\} reversed\n {4}next line/);
      assert.match(output, /weird\\x1b\[31m\/Dockerfile:2/);
    }
    assert.equal(sanitizeTerminal("a\tb\r\nc"), "a b c");
  });

  it("renders a result of the real pipeline", () => {
    const output = renderTty(pipelineResult(), { color: false, rules: allRules });
    assert.ok(!output.includes(ESC));
    assert.match(output, /^ {2}Dockerfile:2 +medium {2}apt-no-install-recommends {2}\(~\d+ MB estimated saving, fixable\)$/m);
    assert.match(output, /^ {2}Dockerfile:3 +medium {2}shell-form-cmd/m);
    assert.match(output, /MB estimated saving \(an estimate, not measured\) · 0 suppressed\n$/);
  });
});

describe("renderRulesTable", () => {
  it("has the columns id, impact, category, hadolint, fixable and one row per rule", () => {
    const output = renderRulesTable(HAND_RULES, { color: false });
    const lines = output.trimEnd().split("\n");
    assert.match(lines[0] ?? "", /^id +impact +category +hadolint +fixable$/);
    assert.equal(lines[1], "apt-no-install-recommends    medium  size             DL3015    rewrite");
    assert.equal(lines[2], "compose-no-resource-limits   low     compose          -         no");
    assert.equal(lines.at(-1), "5 rules; docs: https://github.com/shipshape-dev/shipshape/blob/main/docs/rules/<id>.md");
    assert.ok(!output.includes(ESC));
  });

  it("lists the whole registry, coloured only when asked", () => {
    const plain = renderRulesTable(allRules, { color: false });
    for (const rule of allRules) assert.match(plain, new RegExp(`^${rule.meta.id} `, "m"));
    const colored = renderRulesTable(allRules, { color: true });
    assert.ok(colored.includes(`${ESC}[`));
    assert.equal(stripColor(colored), plain);
  });
});

describe("shouldUseColor", () => {
  it("follows the TTY when nothing is set", () => {
    assert.equal(shouldUseColor({}, true), true);
    assert.equal(shouldUseColor({}, false), false);
  });

  it("NO_COLOR with any non-empty value disables colour; an empty NO_COLOR does not", () => {
    assert.equal(shouldUseColor({ NO_COLOR: "1" }, true), false);
    assert.equal(shouldUseColor({ NO_COLOR: "0" }, true), false);
    assert.equal(shouldUseColor({ NO_COLOR: "false" }, true), false);
    assert.equal(shouldUseColor({ NO_COLOR: "" }, true), true);
    assert.equal(shouldUseColor({ NO_COLOR: undefined }, true), true);
  });

  it("FORCE_COLOR forces colour without a TTY (and wins over NO_COLOR, as in Node); 0 or false disable it", () => {
    for (const value of ["1", "2", "3", "true", ""]) assert.equal(shouldUseColor({ FORCE_COLOR: value }, false), true, `FORCE_COLOR=${value}`);
    assert.equal(shouldUseColor({ FORCE_COLOR: "1", NO_COLOR: "1" }, false), true);
    assert.equal(shouldUseColor({ FORCE_COLOR: "0" }, true), false);
    assert.equal(shouldUseColor({ FORCE_COLOR: "false" }, true), false);
  });

  it("NODE_DISABLE_COLORS and TERM=dumb disable colour", () => {
    assert.equal(shouldUseColor({ NODE_DISABLE_COLORS: "1" }, true), false);
    assert.equal(shouldUseColor({ TERM: "dumb" }, true), false);
    assert.equal(shouldUseColor({ TERM: "xterm-256color" }, true), true);
  });
});
