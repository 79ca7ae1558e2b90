// Against a real Docker Engine: the example shop's api, inventory-go, reports-py and pricing-rust built from
// their original Dockerfile and from the planner's rewrite, both run with host networking on a
// free port (PORT env) and answering GET /health with {"status":"ok"}; the rewritten image must
// be smaller. Sizes are printed as test diagnostics. Skips when no engine answers (see
// test/helpers/engine.ts); everything created is labelled shipshape.test=true and removed.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import net from "node:net";
import path from "node:path";
import { after, describe, it } from "node:test";
import { ApiEngine } from "../../src/engine/api-engine.ts";
import type { BuildResult } from "../../src/engine/types.ts";
import { engineStatus, failIfRequired } from "../helpers/engine.ts";
import { mustPlan, planDirectory } from "./helpers.ts";

const SHOP = path.resolve(import.meta.dirname, "../../examples/shop");
const LABELS = { "shipshape.test": "true", "shipshape.test.suite": "rewrite-engine" };
const SERVICES = ["api", "inventory-go", "reports-py", "pricing-rust"];
const BASE_IMAGES = ["node:22", "node:22-slim", "golang:1.19", "gcr.io/distroless/static-debian12:nonroot", "python:3.11", "python:3.11-slim", "rust:1.63", "gcr.io/distroless/cc-debian12:nonroot"];

const engine = new ApiEngine();
const status = await engineStatus(engine, BASE_IMAGES);
const createdTags: string[] = [];

function tag(service: string, variant: string): string {
  const name = `shipshape-test-rewrite-${service}-${variant}:${randomBytes(4).toString("hex")}`;
  createdTags.push(name);
  return name;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function describeFailure(result: BuildResult): string {
  return `${result.error?.step ?? ""}: ${result.error?.message ?? ""}\n${(result.error?.logTail ?? []).join("\n")}`;
}

/** Starts the image with PORT set, polls /health until it answers (or 60 s pass), then stops it. */
async function healthOf(image: string): Promise<unknown> {
  const port = await freePort();
  const { id } = await engine.startContainer({ image, env: { PORT: String(port) }, network: "host", labels: LABELS });
  let lastError: unknown;
  try {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2_000) });
        if (response.ok) return await response.json();
        lastError = new Error(`HTTP ${response.status}`);
      } catch (error) {
        lastError = error;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } catch (error) {
    lastError = error;
  } finally {
    const stopped = await engine.stopContainer(id, { graceSeconds: 2 });
    if (lastError !== undefined) lastError = new Error(`${String(lastError)}\nlogs:\n${stopped.stdout}${stopped.stderr}`);
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

describe("rewritten shop images build, answer /health and are smaller", { skip: status.skip, timeout: 30 * 60_000 }, () => {
  after(async () => {
    for (const name of createdTags) await engine.removeImage(name).catch(() => undefined);
  });

  for (const service of SERVICES) {
    it(service, async (t) => {
      failIfRequired(status);
      const contextDir = path.join(SHOP, "services", service);
      const rewrite = mustPlan(planDirectory(SHOP, { dockerfile: `services/${service}/Dockerfile` }));

      const beforeTag = tag(service, "before");
      const before = await engine.build({ contextDir, dockerfile: "Dockerfile", tags: [beforeTag], labels: LABELS, networkMode: "host" });
      assert.ok(before.ok, `original ${service} failed to build: ${describeFailure(before)}`);
      const afterTag = tag(service, "after");
      const rewritten = await engine.build({ contextDir, dockerfileText: rewrite.dockerfile, tags: [afterTag], labels: LABELS, networkMode: "host" });
      assert.ok(rewritten.ok, `rewritten ${service} failed to build: ${describeFailure(rewritten)}\n${rewrite.dockerfile}`);

      assert.deepEqual(await healthOf(beforeTag), { status: "ok" });
      assert.deepEqual(await healthOf(afterTag), { status: "ok" });

      const beforeImage = await engine.inspectImage(beforeTag);
      const afterImage = await engine.inspectImage(afterTag);
      const megabytes = (bytes: number): string => `${(bytes / 1_000_000).toFixed(1)} MB`;
      t.diagnostic(`${service}: ${megabytes(beforeImage.size)} before, ${megabytes(afterImage.size)} after (${rewrite.ecosystem}; builds ${Math.round(before.durationMs / 1000)} s / ${Math.round(rewritten.durationMs / 1000)} s)`);
      assert.ok(afterImage.size < beforeImage.size, `${service}: ${afterImage.size} bytes after is not smaller than ${beforeImage.size} before`);
      assert.notEqual(afterImage.user, "", "the rewritten image does not run as root");
      assert.deepEqual(afterImage.exposedPorts, beforeImage.exposedPorts);
    });
  }
});
