import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cacheUse, median, ratio, summarize, workSteps } from "../../src/bench/statistics.ts";
import type { BuildStep } from "../../src/engine/types.ts";

function step(name: string, cached: boolean, internal = false): BuildStep {
  return { id: name, name, cached, internal };
}

describe("statistics", () => {
  it("median: the middle value, or the mean of the two middle ones", () => {
    assert.equal(median([5]), 5);
    assert.equal(median([9, 1, 5]), 5);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.throws(() => median([]), RangeError);
  });

  it("summarize: median, min and max, whatever the order", () => {
    assert.deepEqual(summarize([300, 100, 200, 1000]), { median: 250, min: 100, max: 1000 });
    assert.throws(() => summarize([]), RangeError);
  });

  it("ratio: after / before, undefined when a side is missing or before is zero", () => {
    assert.equal(ratio(200, 50), 0.25);
    assert.equal(ratio(undefined, 50), undefined);
    assert.equal(ratio(100, undefined), undefined);
    assert.equal(ratio(0, 10), undefined);
  });
});

describe("cache hits of a build", () => {
  const steps = [
    step("[internal] load remote build context", true, true),
    step("[internal] load metadata for docker.io/library/debian:bookworm-slim", false, true),
    step("[1/5] FROM docker.io/library/debian:bookworm-slim", false),
    step("[2/5] WORKDIR /app", true),
    step("[3/5] COPY requirements.txt ./", true),
    step("[4/5] COPY . .", false),
    step("[build 5/5] RUN make", false),
    step("exporting to image", false, true),
  ];

  it("counts Dockerfile steps only: no internal vertices, no FROM", () => {
    assert.deepEqual(
      workSteps(steps).map((entry) => entry.name),
      ["[2/5] WORKDIR /app", "[3/5] COPY requirements.txt ./", "[4/5] COPY . .", "[build 5/5] RUN make"],
    );
    assert.deepEqual(cacheUse(steps), { cachedSteps: 2, totalSteps: 4, ratio: 0.5, rebuiltSteps: ["[4/5] COPY . .", "[build 5/5] RUN make"] });
  });

  it("is 1 for a fully cached build and 0 for a cold one", () => {
    assert.equal(cacheUse(steps.map((entry) => ({ ...entry, cached: true }))).ratio, 1);
    assert.equal(cacheUse(steps.map((entry) => ({ ...entry, cached: false }))).ratio, 0);
  });

  it("is 1 when the build had no work steps (nothing ran)", () => {
    assert.deepEqual(cacheUse([steps[0] as BuildStep, steps[2] as BuildStep]), { cachedSteps: 0, totalSteps: 0, ratio: 1, rebuiltSteps: [] });
  });
});
