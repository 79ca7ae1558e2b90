import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { analyzeImage, evaluateCi } from "../../src/image/analysis.ts";
import { formatBytes } from "../../src/format/index.ts";
import { renderLayersJson, renderLayersMarkdown, renderLayersTty } from "../../src/image/report.ts";
import { formatMetricValue } from "../../src/metrics/report.ts";

const hostile = analyzeImage({
  reference: "evil\u001b[31m:tag",
  format: "docker-archive",
  layers: [
    { id: "0", blobBytes: 10, files: [{ path: "a|b`c\u001b[2J", type: "file", size: 10 }] },
    { id: "1", blobBytes: 10, files: [{ path: ".wh.a|b`c\u001b[2J", type: "file", size: 0 }] },
  ],
  history: [
    { createdBy: "RUN /bin/sh -c echo `id` | tee x\u001b]0;title\u0007 # buildkit", emptyLayer: false },
    { createdBy: "RUN /bin/sh -c rm x", emptyLayer: false },
  ],
});

describe("layers reporters", () => {
  it("never lets escape sequences from the image reach the terminal", () => {
    const text = renderLayersTty({ analysis: hostile }, { color: false });
    assert.ok(!text.includes("\u001b"), text);
    assert.match(text, /\/a\|b`c/);
  });

  it("keeps Markdown tables intact: pipes escaped, backticks fenced", () => {
    const text = renderLayersMarkdown({ analysis: hostile });
    assert.ok(!text.includes("\u001b"));
    assert.match(text, /`` RUN echo `id` \\\| tee x.* ``/);
    assert.match(text, /`` \/a\\\|b`c.* ``/);
    for (const line of text.split("\n").filter((row) => row.startsWith("| 0 |"))) {
      assert.equal(line.split(/(?<!\\)\|/).length - 2, 7, line);
    }
  });

  it("shows userWastedPercent in one unit everywhere: a fraction in JSON, the same percentage in the table, Markdown and history", () => {
    // 100 bytes in the base layer, overwritten (100 bytes) in the second: wasted 200 over 100 user bytes.
    const analysis = analyzeImage({
      reference: "app:1",
      format: "docker-archive",
      layers: [
        { id: "0", blobBytes: 100, files: [{ path: "etc/big", type: "file", size: 100 }] },
        { id: "1", blobBytes: 100, files: [{ path: "etc/big", type: "file", size: 100 }] },
      ],
      history: [
        { createdBy: "ADD base /", emptyLayer: false },
        { createdBy: "RUN rewrite", emptyLayer: false },
      ],
    });
    const fraction = (JSON.parse(renderLayersJson({ analysis })) as { userWastedPercent: number }).userWastedPercent;
    assert.equal(fraction, 2);
    assert.match(renderLayersTty({ analysis }, { color: false }), /User wasted +200\.00% of 100 B/);
    assert.match(renderLayersMarkdown({ analysis }), /\| User wasted \| 200\.00% \|/);
    assert.equal(formatMetricValue("userWastedPercent", fraction), "200.0%");
  });

  it("writes null for an infinite user-wasted ratio in JSON and includes the CI verdict", () => {
    assert.equal(hostile.userWastedPercent, Number.POSITIVE_INFINITY);
    const document = JSON.parse(renderLayersJson({ analysis: hostile, ci: evaluateCi(hostile, { highestUserWastedPercent: 0.1 }) })) as {
      userWastedPercent: number | null;
      ci: { passed: boolean; checks: { actual: number | null }[] };
    };
    assert.equal(document.userWastedPercent, null);
    assert.equal(document.ci.passed, false);
    assert.equal(document.ci.checks[0]?.actual, null);
  });

  it("formats bytes in decimal units like dive", () => {
    assert.equal(formatBytes(999), "999 B");
    assert.equal(formatBytes(1500), "1.5 kB");
    assert.equal(formatBytes(20_000_000), "20 MB");
    assert.equal(formatBytes(717_264_560), "717 MB");
  });
});
