// Against a real Docker Engine: build a tiny image that adds a file in one RUN and deletes it in
// the next, export it through Engine.exportImage (docker save as a stream) and check the wasted
// bytes. Skips with the reason when no engine answers, unless SHIPSHAPE_REQUIRE_DOCKER=1.
// The image is labelled shipshape.test=true and removed afterwards.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { runCli } from "../../src/cli/main.ts";
import { ApiEngine } from "../../src/engine/api-engine.ts";
import { bytesOf } from "../../src/image/archive.ts";
import { analyzeImageStream } from "../../src/image/layers.ts";
import { engineStatus, failIfRequired } from "../helpers/engine.ts";

const BASE = "debian:bookworm-slim";
const BIG_FILE_BYTES = 3_000_000;
const engine = new ApiEngine();
const status = await engineStatus(engine, [BASE]);

describe("shipshape layers against the engine", { skip: status.skip }, () => {
  const tag = `shipshape-test-layers:${randomBytes(4).toString("hex")}`;
  let contextDir = "";

  before(async () => {
    failIfRequired(status);
    contextDir = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-layers-engine-"));
    fs.writeFileSync(
      path.join(contextDir, "Dockerfile"),
      `FROM ${BASE}\nRUN head -c ${BIG_FILE_BYTES} /dev/urandom > /big.bin\nRUN rm /big.bin\nENV DONE=1\n`,
    );
    const result = await engine.build({ contextDir, tags: [tag], labels: { "shipshape.test": "true" }, networkMode: "host" });
    assert.ok(result.ok, result.error?.message);
  });

  after(async () => {
    await engine.removeImage(tag).catch(() => undefined);
    if (contextDir !== "") fs.rmSync(contextDir, { recursive: true, force: true });
  });

  it("finds the file added by one RUN and deleted by the next as wasted", async () => {
    const base = await engine.inspectImage(BASE);
    const analysis = await analyzeImageStream(bytesOf(await engine.exportImage(tag)));
    assert.equal(analysis.layers.length, base.layers.length + 2);
    const [added, removed] = analysis.layers.slice(-2);
    assert.match(added?.instruction ?? "", /^RUN head -c 3000000/);
    assert.equal(added?.added.bytes, BIG_FILE_BYTES);
    assert.equal(added?.hiddenByLaterBytes, BIG_FILE_BYTES);
    assert.match(removed?.instruction ?? "", /^RUN rm \/big\.bin/);
    assert.deepEqual(removed?.removed, { files: 1, bytes: BIG_FILE_BYTES });
    // dive: /big.bin is in two layers (3 MB, then a whiteout that counts 0).
    assert.equal(analysis.wastedBytes, BIG_FILE_BYTES);
    assert.equal(analysis.reclaimableBytes, BIG_FILE_BYTES);
    assert.deepEqual(analysis.topWastedPaths[0], { path: "big.bin", cumulativeBytes: BIG_FILE_BYTES, layers: [analysis.layers.length - 2, analysis.layers.length - 1] });
    assert.equal(analysis.reference, tag);
  });

  it("takes an image reference on the command line and applies --ci thresholds", async () => {
    let stdout = "";
    let stderr = "";
    const io = { stdout: (text: string) => (stdout += text), stderr: (text: string) => (stderr += text), cwd: contextDir, env: process.env, isTTY: false };
    const code = await runCli(["layers", tag, "--format", "json", "--no-history", "--highest-wasted-bytes", "2MB", "--driver", "api"], io);
    assert.equal(code, 1, stderr);
    const report = JSON.parse(stdout) as { wastedBytes: number; ci: { checks: { rule: string; passed: boolean }[] } };
    assert.equal(report.wastedBytes, BIG_FILE_BYTES);
    assert.deepEqual(
      report.ci.checks.find((check) => check.rule === "highestWastedBytes"),
      { rule: "highestWastedBytes", threshold: 2_000_000, actual: BIG_FILE_BYTES, passed: false },
    );
  });
});
