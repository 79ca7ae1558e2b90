// `shipshape build --parallel` against a real Docker Engine: a compose project where one service
// is built FROM another service's image (compose `image:`), one waits for a failing service
// (depends_on) and one is independent. Checks that the dependent image really contains its base
// service's build (so it was built after it), that the dependent of the failure is not built, and
// that the independent one built. Skips when no engine answers (SHIPSHAPE_REQUIRE_DOCKER=1:
// fails). Every image created is removed afterwards.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { BuildRunReport } from "../../src/builds/summary.ts";
import { runCli } from "../../src/cli/main.ts";
import type { CliIO } from "../../src/cli/io.ts";
import { ApiEngine } from "../../src/engine/api-engine.ts";
import { engineStatus, failIfRequired } from "../helpers/engine.ts";

const BASE = "debian:bookworm-slim";
const engine = new ApiEngine();
const status = await engineStatus(engine, [BASE]);

let scratch = "";
let repo = "";
let repoName = "";
let baseImage = "";
const tagOf = (service: string): string => `shipshape/${repoName}-${service}:latest`;

before(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-build-parallel-test-"));
  repoName = `shipshape-parallel-test-${randomBytes(4).toString("hex")}`;
  baseImage = `${repoName}-base:1`;
  repo = path.join(scratch, repoName);
  const files: Record<string, string> = {
    "compose.yaml": [
      "services:",
      // Listed first: it must still wait for base, listed after it.
      "  app:",
      "    build: ./app",
      "  base:",
      `    image: ${baseImage}`,
      "    build: ./base",
      "  broken:",
      "    build: ./broken",
      "  needs-broken:",
      "    build: ./needs-broken",
      "    depends_on: [broken]",
      "  side:",
      "    build: ./side",
      "",
    ].join("\n"),
    "base/Dockerfile": `FROM ${BASE}\nRUN sleep 2 && echo built-by-base > /base.txt\n`,
    "app/Dockerfile": `FROM ${baseImage}\nRUN cat /base.txt > /app.txt\nCMD ["cat", "/app.txt"]\n`,
    "broken/Dockerfile": `FROM ${BASE}\nRUN exit 3\n`,
    "needs-broken/Dockerfile": `FROM ${BASE}\nRUN echo never\n`,
    "side/Dockerfile": `FROM ${BASE}\nRUN echo side > /side.txt\n`,
  };
  for (const [relative, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(repo, relative)), { recursive: true });
    fs.writeFileSync(path.join(repo, relative), content);
  }
});

after(async () => {
  for (const tag of [...["app", "base", "broken", "needs-broken", "side"].map(tagOf), baseImage]) {
    try {
      await engine.removeImage(tag);
    } catch {
      // Not built.
    }
  }
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe("shipshape build --parallel (real engine)", { skip: status.skip }, () => {
  it("has a usable engine", () => failIfRequired(status));

  it("builds independent images together and an image after the one it is built FROM", async () => {
    let stdout = "";
    let stderr = "";
    const io: CliIO = { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), cwd: scratch, env: { ...process.env, NO_COLOR: "1" }, isTTY: false, stderrIsTTY: false };
    const network = process.env.SHIPSHAPE_NETWORK === undefined ? [] : ["--network", process.env.SHIPSHAPE_NETWORK];
    const code = await runCli(["build", repoName, "--parallel", "3", "--no-cache", "--no-history", "--format", "json", ...network], io);
    assert.equal(code, 1, stderr);
    const report = JSON.parse(stdout) as BuildRunReport;
    // The table keeps the compose order, whatever order the builds finished in.
    assert.deepEqual(
      report.images.map((image) => [image.name, image.ok]),
      [
        ["app", true],
        ["base", true],
        ["broken", false],
        ["needs-broken", false],
        ["side", true],
      ],
    );
    assert.match(report.images[3]?.error?.message ?? "", /not built: broken/);
    // app was built on top of base's fresh image: it holds what base's RUN wrote.
    const run = await engine.run({ image: tagOf("app"), network: "none" });
    assert.equal(run.stdout.trim(), "built-by-base");
    // base is tagged with compose's image: name too.
    assert.equal((await engine.inspectImage(baseImage)).id, report.images[1]?.imageId);
    await assert.rejects(engine.inspectImage(tagOf("needs-broken")));
    // Plain progress lines, each prefixed with its image; app starts after base is done.
    const lines = stderr.split("\n");
    const baseDone = lines.findIndex((line) => /^\[base\] done in /.test(line));
    const appStart = lines.findIndex((line) => line.startsWith("[app] building"));
    assert.ok(baseDone >= 0 && appStart > baseDone, stderr);
    // With 3 slots, base, broken and side start together, before anything finished.
    const sideStart = lines.findIndex((line) => line.startsWith("[side] building"));
    const firstDone = lines.findIndex((line) => /^\[[^\]]+\] (done|FAILED) /.test(line));
    assert.ok(sideStart >= 0 && sideStart < firstDone, stderr);
    assert.ok(lines.every((line) => line === "" || line.startsWith("[")), stderr);
    assert.ok(lines.includes("[needs-broken] not built: broken, which it is built from or after, did not build"), stderr);
    assert.ok(!lines.some((line) => line.startsWith("[needs-broken] building")), stderr);
  });
});
