// The build scheduler without an engine or a clock: builds are promises the test settles by hand,
// so what runs at once and in which order is checked exactly, never timed.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildDependencies, defaultParallelism, findCycle, fromImagesOf, normalizeImageReference, runScheduled, type ScheduledImage } from "../../src/builds/schedule.ts";
import { UsageError } from "../../src/errors.ts";

describe("image references and FROM lines", () => {
  it("spells references one way: default tag, docker.io, library/", () => {
    assert.equal(normalizeImageReference("app"), "library/app:latest");
    assert.equal(normalizeImageReference("docker.io/library/app:latest"), "library/app:latest");
    assert.equal(normalizeImageReference("Org/App:1.2"), "org/app:1.2");
    assert.equal(normalizeImageReference("localhost:5000/app"), "localhost:5000/app:latest");
    assert.equal(normalizeImageReference("app@sha256:abc"), "library/app@sha256:abc");
    assert.notEqual(normalizeImageReference("app:1"), normalizeImageReference("app:2"));
  });

  it("lists base images, not stages, scratch or unresolved variables", () => {
    const dockerfile = ["ARG VERSION=1", "FROM --platform=$BUILDPLATFORM shop/base:1 AS build", "RUN make", "from build as test", "FROM node:${VERSION}", "FROM \\", "  scratch", "FROM build", "FROM shop/runtime"].join("\n");
    assert.deepEqual(fromImagesOf(dockerfile), ["shop/base:1", "shop/runtime"]);
  });
});

describe("buildDependencies", () => {
  const image = (name: string, extra: Partial<ScheduledImage> = {}): ScheduledImage => ({ name, tags: [`shipshape/repo-${name}:latest`], fromImages: ["debian:bookworm-slim"], after: [], ...extra });

  it("finds FROM another target's tag or compose image:, and compose's after; ignores what is not built", () => {
    const dependencies = buildDependencies([
      image("base", { tags: ["shipshape/repo-base:latest", "shop/base:1"] }),
      image("api", { fromImages: ["shop/base:1"] }),
      image("web", { fromImages: ["shipshape/repo-api"], after: ["base", "db"] }),
      image("self", { fromImages: ["shipshape/repo-self:latest"] }),
    ]);
    assert.deepEqual(Object.fromEntries(dependencies), { base: [], api: ["base"], web: ["api", "base"], self: [] });
  });

  it("finds cycles", () => {
    assert.deepEqual(findCycle(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", []]])), ["a", "b", "c", "a"]);
    assert.equal(findCycle(new Map([["a", ["b"]], ["b", []], ["c", ["a", "b"]]])), undefined);
  });

  it("defaults to the cores, at most 4, at least 1", () => {
    assert.equal(defaultParallelism(1), 1);
    assert.equal(defaultParallelism(2), 2);
    assert.equal(defaultParallelism(16), 4);
    assert.equal(defaultParallelism(0), 1);
  });
});

/** Builds that finish when the test says so; records starts in order. */
function manualBuilds() {
  const started: string[] = [];
  const pending = new Map<string, (ok: boolean) => void>();
  const running = (): string[] => [...pending.keys()];
  const build = (name: string): Promise<{ name: string; ok: boolean }> =>
    new Promise((resolve) => {
      started.push(name);
      pending.set(name, (ok) => {
        pending.delete(name);
        resolve({ name, ok });
      });
    });
  /** Finishes one build and lets the scheduler react (promise callbacks run before the next assert). */
  const finish = async (name: string, ok = true): Promise<void> => {
    const settle = pending.get(name);
    assert.ok(settle, `${name} is not running (running: ${running().join(", ")})`);
    settle(ok);
    for (let turn = 0; turn < 5; turn++) await Promise.resolve();
  };
  return { started, running, build, finish };
}

const options = { succeeded: (result: { ok: boolean }) => result.ok, notBuilt: (name: string, dependency: string) => ({ name, ok: false, skippedFor: dependency }) };

describe("runScheduled", () => {
  it("runs at most N at once, starting in list order as slots free up", async () => {
    const builds = manualBuilds();
    const done = runScheduled(["a", "b", "c", "d"], new Map(), builds.build, { ...options, parallel: 2 });
    await Promise.resolve();
    assert.deepEqual(builds.running(), ["a", "b"]);
    await builds.finish("b");
    assert.deepEqual(builds.running(), ["a", "c"]);
    await builds.finish("a");
    assert.deepEqual(builds.running(), ["c", "d"]);
    await builds.finish("d");
    await builds.finish("c");
    // Results in list order, not in finishing order.
    assert.deepEqual((await done).map((result) => result.name), ["a", "b", "c", "d"]);
    assert.deepEqual(builds.started, ["a", "b", "c", "d"]);
  });

  it("parallel 1 builds one after the other in list order", async () => {
    const builds = manualBuilds();
    const done = runScheduled(["a", "b", "c"], new Map(), builds.build, { ...options, parallel: 1 });
    for (const name of ["a", "b", "c"]) {
      await Promise.resolve();
      assert.deepEqual(builds.running(), [name]);
      await builds.finish(name);
    }
    assert.equal((await done).length, 3);
  });

  it("an image waits for its dependencies, even with free slots; independent ones go ahead", async () => {
    const builds = manualBuilds();
    const dependencies = new Map([["app", ["base"]], ["base", []], ["side", []], ["last", ["app", "side"]]]);
    const done = runScheduled(["app", "base", "side", "last"], dependencies, builds.build, { ...options, parallel: 4 });
    await Promise.resolve();
    assert.deepEqual(builds.running(), ["base", "side"]);
    await builds.finish("side");
    assert.deepEqual(builds.running(), ["base"]);
    await builds.finish("base");
    assert.deepEqual(builds.running(), ["app"]);
    await builds.finish("app");
    assert.deepEqual(builds.running(), ["last"]);
    await builds.finish("last");
    assert.deepEqual((await done).map((result) => result.ok), [true, true, true, true]);
  });

  it("does not build the dependents of a failed image (transitively); the others still build", async () => {
    const builds = manualBuilds();
    const dependencies = new Map([["child", ["base"]], ["grandchild", ["child"]]]);
    const done = runScheduled(["base", "child", "grandchild", "side"], dependencies, builds.build, { ...options, parallel: 1 });
    await Promise.resolve();
    await builds.finish("base", false);
    assert.deepEqual(builds.running(), ["side"]);
    await builds.finish("side");
    const results = await done;
    assert.deepEqual(results, [
      { name: "base", ok: false },
      { name: "child", ok: false, skippedFor: "base" },
      { name: "grandchild", ok: false, skippedFor: "child" },
      { name: "side", ok: true },
    ]);
    assert.deepEqual(builds.started, ["base", "side"]);
  });

  it("refuses a dependency cycle before building anything", async () => {
    const builds = manualBuilds();
    await assert.rejects(runScheduled(["a", "b"], new Map([["a", ["b"]], ["b", ["a"]]]), builds.build, { ...options, parallel: 2 }), (error: unknown) => error instanceof UsageError && /a -> b -> a/.test((error as Error).message));
    assert.deepEqual(builds.started, []);
  });

  it("stops starting builds when aborted; started ones finish and are reported", async () => {
    const builds = manualBuilds();
    const controller = new AbortController();
    const done = runScheduled(["a", "b", "c"], new Map(), builds.build, { ...options, parallel: 1, signal: controller.signal });
    await Promise.resolve();
    controller.abort();
    await builds.finish("a");
    assert.deepEqual((await done).map((result) => result.name), ["a"]);
    assert.deepEqual(builds.started, ["a"]);
  });

  it("rejects when a build throws (the engine went away)", async () => {
    await assert.rejects(runScheduled(["a"], new Map(), () => Promise.reject(new Error("engine gone")), { ...options, parallel: 1 }), /engine gone/);
  });
});
