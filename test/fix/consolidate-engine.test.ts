// The consolidated Dockerfile builds the same images: test/fixtures/consolidate/engine-pair (two
// services FROM debian:bookworm-slim, different contexts, per-service .dockerignore files) is
// built as it is, then consolidated on a temporary copy and each target built from the new
// context. Image config (Cmd, Env, WorkingDir, ...) and files must match: verifyImages compares
// the configs and the working directories, and a listing with checksums of /app and /etc
// compares the rest. Skips when no engine answers (SHIPSHAPE_REQUIRE_DOCKER=1: fails). Images
// are labelled and removed afterwards.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ApiEngine } from "../../src/engine/api-engine.ts";
import { parseDockerfiles, planConsolidation } from "../../src/fix/consolidate.ts";
import { scanDirectory } from "../../src/repo/scan.ts";
import { buildRepositoryView } from "../../src/repo/view.ts";
import { verifyImages } from "../../src/verify/run.ts";
import { engineStatus, failIfRequired } from "../helpers/engine.ts";

const BASE = "debian:bookworm-slim";
const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/consolidate/engine-pair");
const engine = new ApiEngine();
const status = await engineStatus(engine, [BASE]);
const tags: string[] = [];
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-consolidate-engine-"));
const labels = { "shipshape.test": "consolidate" };

after(async () => {
  for (const tag of tags) await engine.removeImage(tag).catch(() => undefined);
  fs.rmSync(scratch, { recursive: true, force: true });
});

async function build(contextDir: string, tag: string, options: { dockerfile?: string; target?: string } = {}): Promise<string> {
  tags.push(tag);
  const result = await engine.build({ contextDir, tags: [tag], labels, networkMode: "host", ...options });
  assert.ok(result.ok, `build of ${tag} failed: ${result.error?.message ?? ""}\n${result.error?.logTail.join("\n") ?? ""}`);
  return tag;
}

/**
 * Every file below /app and /etc with its checksum, as the image holds them. Left out: the
 * files the runtime mounts into every container (/etc/hostname, hosts, resolv.conf), and
 * /app/Dockerfile: the Engine API driver always puts the Dockerfile into the context it uploads
 * (see src/engine/context-tar.ts), so `COPY . .` of an original build copies it although its
 * .dockerignore excludes it; BuildKit through buildx sends the Dockerfile separately and would
 * not. The consolidated Dockerfile lies outside the service directories, so it is never copied.
 */
async function listing(image: string): Promise<string> {
  const run = await engine.run({ image, network: "none", entrypoint: ["sh", "-c"], args: ["find /app /etc -xdev -type f -exec md5sum {} + | sort -k 2"] });
  assert.equal(run.exitCode, 0, run.stderr);
  return run.stdout
    .split("\n")
    .filter((line) => !/ {2}(\/etc\/(hostname|hosts|resolv\.conf)|\/app\/Dockerfile)$/.test(line))
    .join("\n");
}

describe("consolidated targets build the original images", { skip: status.skip }, () => {
  it("engine-pair: each target's config and files match its original build", { timeout: 600_000 }, async () => {
    failIfRequired(status);
    const repo = path.join(scratch, "repo");
    fs.cpSync(fixture, repo, { recursive: true });
    const id = randomBytes(4).toString("hex");
    const originals = new Map<string, string>();
    for (const service of ["one", "two"]) originals.set(service, await build(path.join(repo, "services", service), `shipshape-test-consolidate-${service}:orig-${id}`));

    const view = buildRepositoryView(scanDirectory(repo));
    const plan = planConsolidation(view, parseDockerfiles(view));
    const group = plan.groups[0];
    assert.ok(group, `nothing consolidated: ${JSON.stringify(plan.skipped)}`);
    assert.deepEqual(
      group.services.map((service) => service.target),
      ["one", "two"],
    );
    for (const change of plan.changes) {
      const file = path.join(repo, change.path);
      if (change.after === undefined) fs.rmSync(file);
      else fs.writeFileSync(file, change.after);
    }

    for (const service of ["one", "two"]) {
      const original = originals.get(service) as string;
      const consolidated = await build(path.join(repo, group.context), `shipshape-test-consolidate-${service}:new-${id}`, { dockerfile: path.posix.relative(group.context, group.dockerfile), target: service });
      const verdict = await verifyImages(engine, { before: original, after: consolidated });
      assert.ok(verdict.equivalent, `${service}: ${JSON.stringify(verdict.differences, null, 2)}`);
      const [before, afterConfig] = [await engine.inspectImage(original), await engine.inspectImage(consolidated)];
      assert.deepEqual(afterConfig.cmd, before.cmd);
      assert.deepEqual(afterConfig.env, before.env);
      assert.equal(afterConfig.workingDir, before.workingDir);
      assert.deepEqual(afterConfig.labels, before.labels);
      const files = await listing(consolidated);
      assert.equal(files, await listing(original));
      // The listing is not vacuous: the service's own files are there (and the ignored ones are not).
      assert.match(files, service === "one" ? /\/app\/greeting\.txt$/m : /\/app\/config\/app\.conf$/m);
      assert.doesNotMatch(files, /\.(log|tmp)$/m);
    }
  });
});
