// writeFileAtomic: an interrupt during the write leaves no temporary file, and the process still
// ends as interrupted.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { tempDirectory } from "../helpers/temp-dir.ts";
import { writeFileAtomic } from "../../src/cli/write.ts";

const WRITE_MODULE = path.resolve(import.meta.dirname, "../../src/cli/write.ts");

describe("writeFileAtomic", () => {
  it("replaces the file and keeps its mode", () => {
    const directory = tempDirectory("shipshape-write-");
    const target = path.join(directory, "report.json");
    fs.writeFileSync(target, "old", { mode: 0o640 });
    fs.chmodSync(target, 0o640);
    writeFileAtomic(target, "new");
    assert.equal(fs.readFileSync(target, "utf8"), "new");
    assert.equal(fs.statSync(target).mode & 0o777, 0o640);
    assert.deepEqual(fs.readdirSync(directory), ["report.json"]);
  });

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`a ${signal} during a large write leaves no .tmp file and ends the process by the signal`, async () => {
      const directory = tempDirectory("shipshape-write-signal-");
      const target = path.join(directory, "report.json");
      // Writes a 64 MB report over and over until killed, turning the event loop between writes
      // as the CLI does after its final write: the signal lands inside a write.
      const script = `
        import { writeFileAtomic } from ${JSON.stringify(WRITE_MODULE)};
        const report = "x".repeat(64 * 1024 * 1024);
        process.stdout.write("ready\\n");
        for (;;) {
          writeFileAtomic(${JSON.stringify(target)}, report);
          await new Promise((resolve) => setImmediate(resolve));
        }
      `;
      const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
      await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
      // Wait until a temporary file exists, then interrupt.
      const started = Date.now();
      while (!fs.readdirSync(directory).some((name) => name.endsWith(".tmp")) && Date.now() - started < 20_000) await new Promise((resolve) => setTimeout(resolve, 1));
      child.kill(signal);
      const guard = setTimeout(() => child.kill("SIGKILL"), 20_000);
      const [code, received] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once("exit", (exitCode, exitSignal) => resolve([exitCode, exitSignal])));
      clearTimeout(guard);
      assert.equal(received, signal, `exit code ${code}`);
      assert.deepEqual(
        fs.readdirSync(directory).filter((name) => name.endsWith(".tmp")),
        [],
      );
      const written = fs.readdirSync(directory);
      if (written.includes("report.json")) assert.equal(fs.statSync(target).size, 64 * 1024 * 1024, "never a partial report");
    });
  }
});
