// The build progress display, driven by recorded BuildKit traces (test/fixtures/buildkit, real
// captures from the Engine API) turned into BuildEvents by the engine's own BuildProgress.
import assert from "node:assert/strict";
import fs from "node:fs";
import { describe, it } from "node:test";
import { BuildDisplay } from "../../src/builds/display.ts";
import {
  applyBuildEvent,
  createImageBuildState,
  finishImageBuild,
  formatStatusLine,
  formatStepLine,
  startImageBuild,
  stepCounts,
} from "../../src/builds/progress-display.ts";
import { formatElapsed } from "../../src/format/index.ts";
import { decodeStatusResponse } from "../../src/engine/buildkit-trace.ts";
import { BuildProgress } from "../../src/engine/progress.ts";
import type { BuildEvent } from "../../src/engine/types.ts";

function recordedEvents(fixture: string): BuildEvent[] {
  const events: BuildEvent[] = [];
  const progress = new BuildProgress((event) => events.push(event));
  for (const line of fs.readFileSync(`test/fixtures/buildkit/${fixture}.jsonl`, "utf8").trim().split("\n")) {
    const message = JSON.parse(line) as { id?: string; aux?: unknown };
    if (message.id === "moby.buildkit.trace" && typeof message.aux === "string") progress.apply(decodeStatusResponse(message.aux));
  }
  return events;
}

function plainLines(fixture: string, name = "api"): string[] {
  const state = createImageBuildState(name);
  startImageBuild(state, 0);
  return recordedEvents(fixture).flatMap((event) => applyBuildEvent(state, event).map((step) => formatStepLine(state, step)));
}

describe("plain step lines", () => {
  it("one line per completed Dockerfile step, numbered as BuildKit does, with its duration", () => {
    assert.deepEqual(plainLines("build-cold"), [
      "[api] #4 FROM docker.io/library/debian:bookworm-slim CACHED",
      "[api] #5 RUN echo hello-from-run 0.1s",
      "[api] #6 COPY a.txt /a.txt 0.0s",
    ]);
  });

  it("cached steps say CACHED", () => {
    assert.deepEqual(plainLines("build-cached"), [
      "[api] #4 FROM docker.io/library/debian:bookworm-slim 0.0s",
      "[api] #5 RUN echo hello-from-run CACHED",
      "[api] #6 COPY a.txt /a.txt CACHED",
    ]);
  });

  it("a failed step says ERROR with the error", () => {
    const lines = plainLines("build-failing", "worker");
    assert.equal(lines.at(-1), "[worker] #7 RUN false ERROR: executor failed running [/bin/sh -c false]: exit code: 1");
    assert.equal(lines[1], "[worker] #5 RUN echo hello-from-run && sleep 1 1.0s");
    assert.equal(lines.length, 4);
  });

  it("a step completed twice is reported once, internal steps never", () => {
    const state = createImageBuildState("x");
    const step = { id: "a", name: "[1/1] RUN make", cached: false, internal: false, started: 1000, completed: 3500 };
    assert.equal(applyBuildEvent(state, { type: "step", step }).length, 1);
    assert.equal(applyBuildEvent(state, { type: "step", step: { ...step, completed: 3600 } }).length, 0);
    assert.equal(applyBuildEvent(state, { type: "step", step: { id: "b", name: "exporting to image", cached: false, internal: true, started: 1, completed: 2 } }).length, 0);
  });

  it("names the stage of multi-stage builds and keeps terminal escapes out", () => {
    const state = createImageBuildState("api");
    const step = { id: "s", name: "[build 2/3] RUN printf '\u001b[31mred'", cached: false, internal: false, started: 0, completed: 61_000 };
    applyBuildEvent(state, { type: "step", step });
    assert.equal(formatStepLine(state, step), "[api] #1 build: RUN printf '\\x1b[31mred' 1m01s");
  });
});

describe("status line", () => {
  it("counts done, total and cached steps while building and names the running step", () => {
    const state = createImageBuildState("api");
    startImageBuild(state, 10_000);
    const events = recordedEvents("build-failing");
    // Up to the moment `RUN false` starts.
    const running = events.findIndex((event) => event.type === "step" && event.step.name === "[4/4] RUN false" && event.step.started !== undefined);
    for (const event of events.slice(0, running + 1)) applyBuildEvent(state, event);
    // FROM counts as a step but not as a cache hit (BuildKit's flag for it means nothing).
    assert.deepEqual(stepCounts(state), { total: 4, done: 3, cached: 0 });
    assert.equal(formatStatusLine(state, { now: 22_300 }), "[api] building  3/4 steps, 0 cached, 12.3s  RUN false");
    for (const event of events.slice(running + 1)) applyBuildEvent(state, event);
    finishImageBuild(state, false, 23_000);
    assert.equal(formatStatusLine(state, { now: 99_000 }), "[api] FAILED    3/4 steps, 0 cached, 13.0s  at RUN false");
  });

  it("done and waiting images, and lines cut to the terminal width", () => {
    const state = createImageBuildState("web");
    assert.equal(formatStatusLine(state, { now: 0 }), "[web] waiting");
    startImageBuild(state, 0);
    for (const event of recordedEvents("build-cached")) applyBuildEvent(state, event);
    finishImageBuild(state, true, 1500);
    assert.equal(formatStatusLine(state, { now: 5000 }), "[web] done      3/3 steps, 2 cached, 1.5s");
    const cut = formatStatusLine(state, { now: 5000, width: 20 });
    assert.equal(cut.length, 20);
    assert.ok(cut.endsWith("…"));
  });

  it("formats durations like BuildKit", () => {
    assert.equal(formatElapsed(0), "0.0s");
    assert.equal(formatElapsed(12_345), "12.3s");
    assert.equal(formatElapsed(125_000), "2m05s");
  });
});

describe("BuildDisplay", () => {
  it("plain mode writes step lines and a closing line per image, no escape sequences", () => {
    let output = "";
    let clock = 0;
    const display = new BuildDisplay(["api"], { write: (text) => (output += text), live: false, color: false, now: () => clock });
    display.start("api", "docker-compose.yml service api");
    for (const event of recordedEvents("build-cold")) display.event("api", event);
    clock = 2000;
    display.finish("api", true);
    display.close();
    assert.deepEqual(output.trimEnd().split("\n"), [
      "[api] building (docker-compose.yml service api)",
      "[api] #4 FROM docker.io/library/debian:bookworm-slim CACHED",
      "[api] #5 RUN echo hello-from-run 0.1s",
      "[api] #6 COPY a.txt /a.txt 0.0s",
      "[api] done in 2.0s (3/3 steps, 0 cached)",
    ]);
  });

  it("live mode redraws one line per image in place", () => {
    const writes: string[] = [];
    let clock = 0;
    const display = new BuildDisplay(["api", "web"], { write: (text) => writes.push(text), live: true, color: false, now: () => clock, columns: () => 80, redrawIntervalMs: 60_000 });
    display.start("api");
    for (const event of recordedEvents("build-cold")) display.event("api", event);
    clock = 1000;
    display.finish("api", true);
    display.close();
    assert.equal(writes[0], "\r\u001b[2K[api] building  0/0 steps, 0 cached, 0.0s\n\r\u001b[2K[web] waiting\n");
    // Every later redraw first moves up over the two lines it drew.
    assert.ok(writes.slice(1).every((text) => text.startsWith("\u001b[2A")));
    assert.equal(writes.at(-1), "\u001b[2A\r\u001b[2K[api] done      3/3 steps, 0 cached, 1.0s\n\r\u001b[2K[web] waiting\n");
  });
  it("images building at once keep one line each on a terminal, and an image not built says why", () => {
    const writes: string[] = [];
    const display = new BuildDisplay(["base", "app", "side"], { write: (text) => writes.push(text), live: true, color: false, now: () => 0, columns: () => 80, redrawIntervalMs: 60_000 });
    display.start("base");
    display.start("side");
    display.finish("base", false);
    display.notBuilt("app", "base did not build");
    display.close();
    assert.equal(writes.at(-1), "\u001b[3A\r\u001b[2K[base] FAILED    0/0 steps, 0 cached, 0.0s\n\r\u001b[2K[app] not built: base did not build\n\r\u001b[2K[side] building  0/0 steps, 0 cached, 0.0s\n");
    let plain = "";
    const logs = new BuildDisplay(["app"], { write: (text) => (plain += text), live: false, color: false });
    logs.notBuilt("app", "base did not build");
    assert.equal(plain, "[app] not built: base did not build\n");
  });
});
