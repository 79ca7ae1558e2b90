// Against a real Docker Engine (runs in CI: .ci/run sets SHIPSHAPE_REQUIRE_DOCKER=1): the Rust
// rewrite of a cargo workspace with real crates (serde, serde_json, anyhow from the lab's crate
// registry; the smallest of the real-dependency fixtures, ~13 crates). The rewrite builds, the
// binary answers, and a code change in one member rebuilds with the dependency stage cached and
// ships the new code, not the dependency stage's stub or the previous build. The member's
// timestamp is set back to before the first build: cargo's mtime check alone would miss that
// change, the rewrite must not.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { ApiEngine } from "../../src/engine/api-engine.ts";
import { engineStatus, failIfRequired, TEST_NETWORK } from "../helpers/engine.ts";
import { mustPlan, planDirectory } from "./helpers.ts";

const FIXTURE = path.resolve(import.meta.dirname, "../fixtures/projects/rust-workspace");
const LABELS = { "shipshape.test": "true", "shipshape.test.suite": "rust-crates" };
const engine = new ApiEngine();
const status = await engineStatus(engine, ["rust:1.63", "gcr.io/distroless/cc-debian12:nonroot"]);
const tags: string[] = [];
const directories: string[] = [];

async function answer(image: string, port: number): Promise<unknown> {
  const { id } = await engine.startContainer({ image, env: { PORT: String(port) }, network: "host", labels: LABELS });
  try {
    const deadline = Date.now() + 60_000;
    let lastError: unknown = new Error("no answer");
    while (Date.now() < deadline) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2_000) });
        return JSON.parse(await response.text());
      } catch (error) {
        lastError = error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    throw lastError instanceof Error ? lastError : new Error(String(lastError));
  } finally {
    await engine.stopContainer(id, { graceSeconds: 2 });
  }
}

describe("Rust rewrite with real crates (cargo workspace) on the engine", { skip: status.skip, timeout: 20 * 60_000 }, () => {
  after(async () => {
    for (const tag of tags) await engine.removeImage(tag).catch(() => undefined);
    for (const directory of directories) fs.rmSync(directory, { recursive: true, force: true });
  });

  it("builds, answers, and a change in one member ships the new code with the dependency stage cached", async () => {
    failIfRequired(status);
    const context = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-rust-crates-"));
    directories.push(context);
    fs.cpSync(FIXTURE, context, { recursive: true });
    const rewrite = mustPlan(planDirectory(context)).dockerfile;
    fs.writeFileSync(path.join(context, "Dockerfile"), rewrite);
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const build = async (): Promise<{ tag: string; cachedDeps: boolean }> => {
      const tag = `shipshape-test-rust-crates:${randomBytes(4).toString("hex")}`;
      tags.push(tag);
      const built = await engine.build({ contextDir: context, dockerfile: "Dockerfile", tags: [tag], labels: LABELS, networkMode: TEST_NETWORK });
      assert.ok(built.ok, `${built.error?.message ?? ""}\n${(built.error?.logTail ?? []).join("\n")}`);
      const dependencyStep = built.steps.find((step) => !step.internal && step.name.includes("cargo build") && step.name.includes("cp -a target"));
      assert.ok(dependencyStep, `the dependency build step: ${built.steps.map((step) => step.name).join(" | ")}`);
      return { tag, cachedDeps: dependencyStep.cached };
    };

    const first = await build();
    assert.deepEqual(await answer(first.tag, port), { status: "ok" });

    // A code change in the api member, with a timestamp older than the first build.
    const source = path.join(context, "crates/api/src/main.rs");
    const old = fs.statSync(source).mtime;
    fs.writeFileSync(source, fs.readFileSync(source, "utf8").replace('String::from("{\\"status\\":\\"ok\\"}")', 'String::from("{\\"status\\":\\"ok\\",\\"member\\":\\"changed\\"}")'));
    assert.match(fs.readFileSync(source, "utf8"), /changed/);
    fs.utimesSync(source, old, old);
    const second = await build();
    assert.equal(second.cachedDeps, true, "a code change must not rebuild the dependency stage");
    assert.deepEqual(await answer(second.tag, port), { status: "ok", member: "changed" });
  });
});
