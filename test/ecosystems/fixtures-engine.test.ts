// Opt-in (SHIPSHAPE_ENGINE_FIXTURES=1, it builds every buildable fixture, ~2 min warm): each fixture's expected.Dockerfile
// (the golden rewrite) is built on the lab engine and its check.json is run against the image: an
// HTTP request on the fixture's port with host networking, or a command and its stdout.
// Fixtures marked "engine": false (Java, pnpm) cannot be built here. Everything created is
// labelled shipshape.test=true and removed.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { after, describe, it } from "node:test";
import { z } from "zod";
import { ApiEngine } from "../../src/engine/api-engine.ts";
import { engineStatus, failIfRequired } from "../helpers/engine.ts";

const PROJECTS = path.resolve(import.meta.dirname, "../fixtures/projects");
const LABELS = { "shipshape.test": "true", "shipshape.test.suite": "rewrite-fixtures" };
const enabled = process.env.SHIPSHAPE_ENGINE_FIXTURES === "1";

const CheckSchema = z.object({
  engine: z.boolean().optional(),
  http: z.object({ port: z.number(), path: z.string(), expectJson: z.record(z.string(), z.unknown()).optional(), expectBodyIncludes: z.string().optional() }).optional(),
  command: z.array(z.string()).optional(),
  expectStdout: z.string().optional(),
});

const engine = new ApiEngine();
const status = enabled ? await engineStatus(engine, ["node:22", "node:22-slim", "nginx:1.28", "golang:1.19", "rust:1.63", "python:3.11", "python:3.11-slim"]) : undefined;
const skip = !enabled ? "set SHIPSHAPE_ENGINE_FIXTURES=1 to build the fixture rewrites on the engine" : (status?.skip ?? false);
const createdTags: string[] = [];

async function probe(port: number, requestPath: string): Promise<{ status: number; body: string }> {
  const deadline = Date.now() + 60_000;
  let lastError: unknown = new Error("no answer");
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}${requestPath}`, { signal: AbortSignal.timeout(2_000) });
      return { status: response.status, body: await response.text() };
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

describe("fixture rewrites build and pass their check", { skip, timeout: 30 * 60_000 }, () => {
  after(async () => {
    for (const name of createdTags) await engine.removeImage(name).catch(() => undefined);
  });

  const projects = fs.readdirSync(PROJECTS).filter((name) => fs.existsSync(path.join(PROJECTS, name, "expected.Dockerfile"))).sort();
  for (const name of projects) {
    const root = path.join(PROJECTS, name);
    const check = CheckSchema.parse(JSON.parse(fs.readFileSync(path.join(root, "check.json"), "utf8")));
    it(name, { skip: check.engine === false ? "not buildable in the lab (check.json)" : false }, async () => {
      if (status) failIfRequired(status);
      const tag = `shipshape-test-fixture-${name}:${randomBytes(4).toString("hex")}`;
      createdTags.push(tag);
      const built = await engine.build({ contextDir: root, dockerfile: "expected.Dockerfile", tags: [tag], labels: LABELS, networkMode: "host" });
      assert.ok(built.ok, `${name}: ${built.error?.message ?? ""}\n${(built.error?.logTail ?? []).join("\n")}`);
      if (check.http) {
        const { id } = await engine.startContainer({ image: tag, env: { PORT: String(check.http.port) }, network: "host", labels: LABELS });
        try {
          const answer = await probe(check.http.port, check.http.path);
          assert.equal(answer.status, 200, answer.body);
          if (check.http.expectJson) assert.deepEqual(JSON.parse(answer.body), check.http.expectJson);
          if (check.http.expectBodyIncludes) assert.ok(answer.body.includes(check.http.expectBodyIncludes), answer.body);
        } finally {
          await engine.stopContainer(id, { graceSeconds: 2 });
        }
      }
      if (check.command) {
        const run = await engine.run({ image: tag, ...(check.command.length > 0 ? { args: check.command } : {}), network: "none", timeoutMs: 30_000 });
        assert.equal(run.exitCode, 0, run.stderr);
        assert.equal(run.stdout, check.expectStdout);
      }
    });
  }
});
