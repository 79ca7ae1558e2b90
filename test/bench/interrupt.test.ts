// Ctrl-C, TERM and HUP during a bench: the first signal aborts, later ones wait for the clean-up
// instead of killing the process (which used to leave the context copy and the tagged images).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { INTERRUPT_EXIT_CODES, trapInterrupts } from "../../src/bench/interrupt.ts";
import { tempDirectory } from "../helpers/temp-dir.ts";

describe("trapInterrupts", () => {
  it("aborts on the first signal, reports the later ones, and releases its listeners", () => {
    const target = new EventEmitter();
    const said: string[] = [];
    const trap = trapInterrupts({ target, onFirst: (name) => said.push(`first ${name}`), onRepeat: (name) => said.push(`again ${name}`) });
    assert.equal(trap.signal.aborted, false);
    assert.equal(trap.exitCode(), undefined);
    target.emit("SIGTERM");
    assert.equal(trap.signal.aborted, true);
    assert.equal((trap.signal.reason as Error).name, "AbortError");
    target.emit("SIGINT");
    target.emit("SIGHUP");
    assert.deepEqual(said, ["first SIGTERM", "again SIGINT", "again SIGHUP"]);
    assert.equal(trap.received(), "SIGTERM");
    assert.equal(trap.exitCode(), INTERRUPT_EXIT_CODES.SIGTERM);
    for (const name of ["SIGINT", "SIGTERM", "SIGHUP"]) assert.equal(target.listenerCount(name), 1);
    trap.release();
    for (const name of ["SIGINT", "SIGTERM", "SIGHUP"]) assert.equal(target.listenerCount(name), 0);
  });
});

/** A child that runs a real bench (fake engine: each build takes 300 ms) under the trap, as `shipshape bench` does. */
const CHILD = `
import fs from "node:fs";
import path from "node:path";
import { runBench } from ${JSON.stringify(path.resolve(import.meta.dirname, "../../src/bench/run.ts"))};
import { trapInterrupts } from ${JSON.stringify(path.resolve(import.meta.dirname, "../../src/bench/interrupt.ts"))};
const [context, tempDir, log] = process.argv.slice(2);
const live = new Set();
const engine = {
  async build(options) {
    for (const tag of options.tags) live.add(tag);
    fs.appendFileSync(log, "build\\n");
    await new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, 300);
      options.signal?.addEventListener("abort", () => { clearTimeout(timer); reject(options.signal.reason); }, { once: true });
    });
    return { ok: true, imageId: "sha256:1", steps: [{ id: "1", name: "[1/1] RUN true", cached: false, internal: false }], durationMs: 300 };
  },
  async inspectImage() { return { size: 1 }; },
  async removeImage(tag) {
    // Clean-up is slow enough for a second signal to arrive in the middle of it.
    await new Promise((resolve) => setTimeout(resolve, 150));
    live.delete(tag);
  },
};
const trap = trapInterrupts({ onFirst: () => fs.appendFileSync(log, "interrupted\\n"), onRepeat: () => fs.appendFileSync(log, "again\\n") });
try {
  await runBench(engine, [{ name: "app", contextDir: context, dockerfile: "Dockerfile", buildArgs: {}, origin: "Dockerfile" }], { runs: 5, scenarios: ["cold", "warm"], signal: trap.signal, tempDir });
  process.exitCode = 0;
} catch (error) {
  fs.appendFileSync(log, "left:" + [...live].join(",") + "\\n");
  process.exitCode = trap.exitCode() ?? 1;
} finally {
  trap.release();
}
`;

describe("a bench interrupted twice", () => {
  it("removes its copy and every image before exiting, and exits 130", { timeout: 60_000 }, async () => {
    const root = tempDirectory("shipshape-interrupt-");
    const context = path.join(root, "context");
    const copies = path.join(root, "copies");
    fs.mkdirSync(context);
    fs.mkdirSync(copies);
    fs.writeFileSync(path.join(context, "Dockerfile"), "FROM scratch\nCOPY app.txt /\n");
    fs.writeFileSync(path.join(context, "app.txt"), "x\n");
    const script = path.join(root, "child.mjs");
    const log = path.join(root, "log");
    fs.writeFileSync(script, CHILD);
    fs.writeFileSync(log, "");
    const child = spawn(process.execPath, [script, context, copies, log], { stdio: "ignore" });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    // Wait until builds run, then Ctrl-C twice in quick succession.
    const deadline = Date.now() + 30_000;
    while (!fs.readFileSync(log, "utf8").includes("build\nbuild\n") && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(fs.readdirSync(copies).length === 1, "the copy exists while the bench runs");
    child.kill("SIGINT");
    await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill("SIGINT");
    const code = await exited;
    const lines = fs.readFileSync(log, "utf8").split("\n");
    assert.equal(code, 130);
    assert.ok(lines.includes("interrupted") && lines.includes("again"), lines.join("|"));
    assert.ok(lines.includes("left:"), `every image removed: ${lines.join("|")}`);
    assert.deepEqual(fs.readdirSync(copies), [], "no temporary copy left");
  });

  it("a copy that was never disposed is removed when the process exits", { timeout: 30_000 }, async () => {
    const root = tempDirectory("shipshape-exit-net-");
    const context = path.join(root, "context");
    const copies = path.join(root, "copies");
    fs.mkdirSync(context);
    fs.mkdirSync(copies);
    fs.writeFileSync(path.join(context, "Dockerfile"), "FROM scratch\n");
    const script = path.join(root, "child.mjs");
    fs.writeFileSync(script, `import { createWorkspace } from ${JSON.stringify(path.resolve(import.meta.dirname, "../../src/bench/workspace.ts"))};\nconst workspace = await createWorkspace({ contextDir: process.argv[2], dockerfile: "Dockerfile" }, process.argv[3]);\nconsole.log(workspace.root);\nprocess.exit(3);\n`);
    const child = spawn(process.execPath, [script, context, copies], { stdio: ["ignore", "pipe", "inherit"] });
    let printed = "";
    child.stdout.on("data", (chunk: Buffer) => (printed += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", (exitCode) => resolve(exitCode)));
    assert.equal(code, 3);
    assert.ok(printed.trim().startsWith(copies), printed);
    assert.deepEqual(fs.readdirSync(copies), []);
  });
});
