import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { alignColumns, formatBytes, formatDuration, formatElapsed, formatPercent, joinWithAnd, paint, plural } from "../../src/format/index.ts";

describe("formatBytes", () => {
  it("uses Docker's decimal units with three significant digits", () => {
    assert.equal(formatBytes(0), "0 B");
    assert.equal(formatBytes(999), "999 B");
    assert.equal(formatBytes(1000), "1 kB");
    assert.equal(formatBytes(1500), "1.5 kB");
    assert.equal(formatBytes(41_234_567), "41.2 MB");
    assert.equal(formatBytes(250_000_000), "250 MB");
    assert.equal(formatBytes(717_264_560), "717 MB");
    assert.equal(formatBytes(1_234_000_000), "1.23 GB");
    assert.equal(formatBytes(-1500), "-1.5 kB");
  });

  it("never prints binary sizes under decimal names: 1 MiB is 1.05 MB", () => {
    assert.equal(formatBytes(1024 * 1024), "1.05 MB");
    assert.equal(formatBytes(1024), "1.02 kB");
  });

  it("moves to the next unit when rounding reaches 1000", () => {
    assert.equal(formatBytes(999_950), "1 MB");
    assert.equal(formatBytes(999_400), "999 kB");
  });
});

describe("formatDuration", () => {
  it("prints milliseconds under a second, then seconds with three significant digits", () => {
    assert.equal(formatDuration(850), "850 ms");
    assert.equal(formatDuration(12.34), "12.3 ms");
    assert.equal(formatDuration(1234), "1.23 s");
    assert.equal(formatDuration(42_500), "42.5 s");
    assert.equal(formatDuration(125_400), "125 s");
    assert.equal(formatDuration(1_234_567), "1235 s");
    assert.equal(formatDuration(999.9), "1 s");
  });

  it("keeps BuildKit's live timer separate", () => {
    assert.equal(formatElapsed(12_345), "12.3s");
    assert.equal(formatElapsed(125_000), "2m05s");
  });
});

describe("formatPercent", () => {
  it("takes a fraction", () => {
    assert.equal(formatPercent(0.2), "20.0%");
    assert.equal(formatPercent(20), "2000.0%");
    assert.equal(formatPercent(0.8567, 0), "86%");
    assert.equal(formatPercent(0.98765, 2), "98.77%");
    assert.equal(formatPercent(Number.POSITIVE_INFINITY), "∞%");
  });
});

describe("words and tables", () => {
  it("pluralises and joins", () => {
    assert.equal(plural(1, "file"), "1 file");
    assert.equal(plural(1204, "file"), "1,204 files");
    assert.equal(plural(2, "fix", "fixes"), "2 fixes");
    assert.equal(joinWithAnd(["a", "b", "c"]), "a, b and c");
    assert.equal(joinWithAnd(["a"]), "a");
  });

  it("aligns columns by code points, right-aligning the numeric ones", () => {
    const lines = alignColumns(
      [
        ["name", "size", "note"],
        ["é", "1 kB", ""],
        ["longer", "250 MB", "x"],
      ],
      { rightAligned: new Set([1]) },
    );
    assert.deepEqual(lines, ["name      size  note", "é         1 kB", "longer  250 MB  x"]);
  });

  it("colours only when asked, and never empty text", () => {
    assert.equal(paint(false, "red", "x"), "x");
    assert.equal(paint(true, "red", "x"), "\x1b[31mx\x1b[39m");
    assert.equal(paint(true, "bold", ""), "");
  });
});
