// A fixed Dockerfile still builds and runs: the apt-heavy golden case (debian:bookworm-slim,
// apt installs through Debian's mirrors over host networking) is fixed with `shipshape fix
// --write` and built on the real engine, then its entrypoint runs the installed tools.
// Skips when no engine answers
// (SHIPSHAPE_REQUIRE_DOCKER=1: fails). Images are labelled and removed afterwards.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { runCli } from "../../src/cli/main.ts";
import { ApiEngine } from "../../src/engine/api-engine.ts";
import { engineStatus, failIfRequired } from "../helpers/engine.ts";
import { loadCase } from "./golden-cases.ts";

const BASE = "debian:bookworm-slim";
const engine = new ApiEngine();
const status = await engineStatus(engine, [BASE]);
const tags: string[] = [];
let scratch: string | undefined;

after(async () => {
  for (const tag of tags) await engine.removeImage(tag).catch(() => undefined);
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

describe("a fixed Dockerfile builds on the real engine", { skip: status.skip }, () => {
  it("apt-heavy: `shipshape fix --write` output builds, runs, and needs no # syntax line", { timeout: 600_000 }, async () => {
    failIfRequired(status);
    const golden = loadCase("apt-heavy");
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-fix-engine-"));
    for (const [name, content] of Object.entries(golden.files)) {
      if (typeof content !== "string") continue;
      fs.mkdirSync(path.dirname(path.join(scratch, name)), { recursive: true });
      fs.writeFileSync(path.join(scratch, name), content);
    }
    let output = "";
    const code = await runCli(["fix", ".", "--write"], { stdout: (text) => (output += text), stderr: (text) => (output += text), cwd: scratch, env: {}, isTTY: false });
    assert.equal(code, 0, output);
    const dockerfile = fs.readFileSync(path.join(scratch, "Dockerfile"), "utf8");
    assert.equal(dockerfile, golden.expectedSafeDockerfile);
    assert.doesNotMatch(dockerfile, /^#\s*syntax/im);

    const tag = `shipshape-test-fix:${randomBytes(4).toString("hex")}`;
    tags.push(tag);
    const build = await engine.build({ contextDir: scratch, tags: [tag], labels: { "shipshape.test": "true" }, networkMode: "host" });
    assert.ok(build.ok, `build failed: ${build.error?.message ?? ""}\n${build.error?.logTail.join("\n") ?? ""}`);
    const run = await engine.run({ image: tag, network: "none" });
    assert.equal(run.exitCode, 0, run.stderr);
    assert.match(run.stdout, /^curl \d/m);
    assert.match(run.stdout, /^jq-\d/m);
    assert.match(run.stdout, /^less \d/m);
  });
});
