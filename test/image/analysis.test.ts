import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LayerFile } from "../../src/image/archive.ts";
import { analyzeImage, evaluateCi, instructionOf, parseByteSize, type AnalysisLayerInput } from "../../src/image/analysis.ts";

const dir = (path: string): LayerFile => ({ path, type: "directory", size: 0 });
const file = (path: string, size: number): LayerFile => ({ path, type: "file", size });
const whiteout = (path: string): LayerFile => {
  const slash = path.lastIndexOf("/");
  return file(slash < 0 ? `.wh.${path}` : `${path.slice(0, slash)}/.wh.${path.slice(slash + 1)}`, 0);
};

function layers(...files: LayerFile[][]): AnalysisLayerInput[] {
  return files.map((layerFiles, index) => ({ id: `layer-${index}`, files: layerFiles, blobBytes: 1000 + index }));
}

function analyze(layerInputs: AnalysisLayerInput[], history = layerInputs.map((_, index) => ({ createdBy: `RUN step ${index}`, emptyLayer: false }))) {
  return analyzeImage({ reference: "test:1", format: "docker-archive", layers: layerInputs, history });
}

describe("analyzeImage: what each layer changes", () => {
  it("counts added, modified and removed files with their bytes, and what is reclaimable", () => {
    const result = analyze(
      layers(
        [dir("etc"), file("etc/a", 100), file("etc/b", 200), dir("usr"), file("usr/c", 50)],
        [dir("etc"), file("etc/a", 300), file("etc/new", 7), whiteout("usr/c")],
      ),
    );
    const [base, top] = result.layers;
    assert.deepEqual(base?.added, { files: 3, bytes: 350 });
    assert.deepEqual(base?.modified, { files: 0, bytes: 0 });
    assert.deepEqual(top?.added, { files: 1, bytes: 7 });
    assert.deepEqual(top?.modified, { files: 1, bytes: 300 });
    assert.deepEqual(top?.removed, { files: 1, bytes: 50 });
    // etc/a (100) overwritten and usr/c (50) removed: both were written by layer 0.
    assert.equal(base?.hiddenByLaterBytes, 150);
    assert.equal(top?.hiddenByLaterBytes, 0);
    assert.equal(result.reclaimableBytes, 150);
    assert.equal(result.sizeBytes, 350 + 307);
    assert.equal(result.finalSizeBytes, 200 + 300 + 7);
    assert.equal(result.sizeBytes - result.reclaimableBytes, result.finalSizeBytes);
  });

  it("removes a whole directory for a directory whiteout, and only the lower contents for an opaque marker", () => {
    const result = analyze(
      layers(
        [dir("cache"), file("cache/x", 10), dir("cache/sub"), file("cache/sub/y", 20), dir("app"), file("app/old", 40), file("app/keep-not", 5)],
        [whiteout("cache"), dir("app"), file("app/.wh..wh..opq", 0), file("app/new", 3)],
      ),
    );
    const top = result.layers[1];
    assert.deepEqual(top?.removed, { files: 4, bytes: 75 });
    // app/new is new: the opaque marker hid app/old and app/keep-not first.
    assert.deepEqual(top?.added, { files: 1, bytes: 3 });
    assert.equal(result.reclaimableBytes, 75);
    assert.equal(result.finalSizeBytes, 3);
  });

  it("does not let a whiteout or opaque marker hide files of its own layer, wherever it sits in the tar", () => {
    const result = analyze(layers([file("d/x", 10)], [file("d/y", 4), file("d/.wh..wh..opq", 0), file("d/.wh.z", 0), file("d/z", 6)]));
    assert.equal(result.finalSizeBytes, 10);
    assert.equal(result.reclaimableBytes, 10);
    assert.deepEqual(result.layers[1]?.added, { files: 2, bytes: 10 });
  });

  it("treats a file replacing a directory (and the reverse) as hiding everything below", () => {
    const result = analyze(layers([file("opt/tool/bin", 30), file("opt/tool/lib", 20)], [file("opt/tool", 9)], [file("opt/tool/again", 1)]));
    assert.equal(result.reclaimableBytes, 30 + 20 + 9);
    assert.equal(result.finalSizeBytes, 1);
    assert.equal(result.layers[0]?.hiddenByLaterBytes, 50);
    assert.equal(result.layers[1]?.hiddenByLaterBytes, 9);
  });

  it("ignores whiteouts of paths that do not exist and AUFS bookkeeping entries", () => {
    const result = analyze(layers([file("a", 1)], [whiteout("missing"), file(".wh..wh.plnk/1.2", 0), file("b", 2)]));
    assert.deepEqual(result.layers[1]?.removed, { files: 0, bytes: 0 });
    assert.equal(result.finalSizeBytes, 3);
  });
});

describe("analyzeImage: dive's numbers", () => {
  it("counts every copy of an overwritten path as wasted and scores efficiency as minimum / cumulative", () => {
    const result = analyze(layers([file("a", 100), file("b", 1000)], [file("a", 300)]));
    // a: visited twice (100 + 300), minimum 100; b: once.
    assert.equal(result.wastedBytes, 400);
    assert.equal(result.efficiency, (100 + 1000) / (400 + 1000));
    assert.equal(result.userSizeBytes, 300);
    assert.equal(result.userWastedPercent, 400 / 300);
    assert.deepEqual(result.topWastedPaths, [{ path: "a", cumulativeBytes: 400, layers: [0, 1] }]);
    assert.equal(result.inefficientPaths, 1);
  });

  it("counts a file deleted later once (the whiteout adds 0) and a deleted directory not at all", () => {
    const deletedFile = analyze(layers([file("tmp/big", 5000), file("keep", 5000)], [whiteout("tmp/big"), file("x", 1)]));
    assert.equal(deletedFile.wastedBytes, 5000);
    assert.equal(deletedFile.efficiency, (0 + 5000 + 1) / (5000 + 5000 + 1));

    // dive sizes a directory whiteout by the subtree it removes, on both sides of the ratio, and the
    // directory is a leaf only in the upper layer: no inefficiency.
    const deletedDirectory = analyze(layers([dir("tmp"), file("tmp/a", 100), file("tmp/b", 200)], [whiteout("tmp"), file("y", 1)]));
    assert.equal(deletedDirectory.wastedBytes, 0);
    assert.equal(deletedDirectory.efficiency, 1);
    assert.equal(deletedDirectory.reclaimableBytes, 300);
  });

  it("only visits the leaves of each layer's tree (a directory listed with its contents is not a leaf)", () => {
    const result = analyze(layers([dir("etc"), file("etc/conf", 10)], [dir("etc"), file("etc/other", 5)], [dir("etc")]));
    // etc is a leaf only in layer 2: visited once, no inefficiency.
    assert.equal(result.inefficientPaths, 0);
    assert.equal(result.wastedBytes, 0);
  });

  it("lists empty re-created directories as inefficient paths but not as top wasted paths", () => {
    const result = analyze(layers([dir("var/empty")], [dir("var/empty")]));
    assert.equal(result.inefficientPaths, 1);
    assert.equal(result.wastedBytes, 0);
    assert.deepEqual(result.topWastedPaths, []);
  });

  it("sorts top wasted paths by cumulative size and keeps the requested number", () => {
    const input = layers(
      [file("s", 1), file("m", 10), file("l", 100)],
      [file("s", 1), file("m", 10), file("l", 100)],
    );
    const result = analyzeImage({ reference: "r", format: "f", layers: input, history: [] }, { topPaths: 2 });
    assert.deepEqual(result.topWastedPaths.map((entry) => entry.path), ["l", "m"]);
    assert.equal(result.inefficientPaths, 3);
  });

  it("has efficiency 1 and no user waste for an empty or single-layer image; Infinity when only deletions follow", () => {
    assert.equal(analyze(layers([])).efficiency, 1);
    const single = analyze(layers([file("a", 5)]));
    assert.equal(single.efficiency, 1);
    assert.equal(single.userWastedPercent, 0);
    const onlyDeletion = analyze(layers([file("a", 5)], [whiteout("a")]));
    assert.equal(onlyDeletion.userSizeBytes, 0);
    assert.equal(onlyDeletion.userWastedPercent, Number.POSITIVE_INFINITY);
  });
});

describe("history and instructions", () => {
  it("pairs layers with the history entries that are not empty layers", () => {
    const result = analyze(layers([file("a", 1)], [file("b", 1)], [file("c", 1)]), [
      { createdBy: "/bin/sh -c #(nop) ADD file:abc in / ", emptyLayer: false },
      { createdBy: '/bin/sh -c #(nop)  CMD ["bash"]', emptyLayer: true },
      { createdBy: "RUN /bin/sh -c apt-get update # buildkit", emptyLayer: false },
      { createdBy: "ENV A=1", emptyLayer: true },
    ]);
    assert.deepEqual(
      result.layers.map((layer) => layer.instruction),
      ["ADD file:abc in /", "RUN apt-get update", "(missing)"],
    );
    assert.equal(result.layers[1]?.createdBy, "RUN /bin/sh -c apt-get update # buildkit");
    assert.equal(result.layers[0]?.blobBytes, 1000);
  });

  it("makes legacy builder history read like the Dockerfile", () => {
    assert.equal(instructionOf("/bin/sh -c apt-get install -y curl"), "RUN apt-get install -y curl");
    assert.equal(instructionOf("|2 A=1 B=two /bin/sh -c make"), "RUN make");
    assert.equal(instructionOf("COPY . /app # buildkit"), "COPY . /app");
    assert.equal(instructionOf("WORKDIR /app"), "WORKDIR /app");
    assert.equal(instructionOf("RUN |1 VERSION=3 /bin/sh -c make install # buildkit"), "RUN make install");
    assert.equal(instructionOf("RUN echo exec-form # buildkit"), "RUN echo exec-form");
  });
});

describe("CI thresholds", () => {
  const result = analyze(layers([file("a", 100), file("b", 1000)], [file("a", 300)]));

  it("fails lowestEfficiency below the threshold, the highest-* rules above theirs (dive's comparisons)", () => {
    const checks = evaluateCi(result, { lowestEfficiency: 0.9, highestWastedBytes: 400, highestUserWastedPercent: 1.5 });
    assert.deepEqual(
      checks.map((check) => [check.rule, check.passed]),
      [
        ["lowestEfficiency", false],
        ["highestWastedBytes", true],
        ["highestUserWastedPercent", true],
      ],
    );
    const stricter = evaluateCi(result, { lowestEfficiency: 0.7, highestWastedBytes: 399, highestUserWastedPercent: 1.3 });
    assert.deepEqual(
      stricter.map((check) => check.passed),
      [true, false, false],
    );
    assert.deepEqual(evaluateCi(result, {}), []);
  });

  it("parses byte sizes like dive: decimal MB, binary MiB", () => {
    assert.equal(parseByteSize("20MB"), 20_000_000);
    assert.equal(parseByteSize("20mib"), 20 * 1024 * 1024);
    assert.equal(parseByteSize("1.5 GB"), 1_500_000_000);
    assert.equal(parseByteSize("1024"), 1024);
    assert.equal(parseByteSize("20 parsecs"), undefined);
    assert.equal(parseByteSize("-5"), undefined);
  });
});
