// `shipshape verify` against a real Docker Engine: images built from debian:bookworm-slim (files,
// commands, --smoke) and node:22-bookworm-slim (--http). Skips with the reason when no engine
// answers or a base image is missing, unless SHIPSHAPE_REQUIRE_DOCKER=1. Everything built is
// labelled shipshape.test=true and removed afterwards.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { runCli } from "../../src/cli/main.ts";
import { ApiEngine } from "../../src/engine/api-engine.ts";
import { verifyImages } from "../../src/verify/run.ts";
import { engineStatus, failIfRequired, TEST_NETWORK } from "../helpers/engine.ts";

const DEBIAN = "debian:bookworm-slim";
const NODE = "node:22-bookworm-slim";
const LABELS = { "shipshape.test": "true" };
const engine = new ApiEngine();
const status = await engineStatus(engine, [DEBIAN, NODE]);

let scratch = "";
const tags: string[] = [];

async function build(name: string, files: Record<string, string>): Promise<string> {
  const dir = path.join(scratch, name);
  for (const [relative, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true });
    fs.writeFileSync(path.join(dir, relative), content);
  }
  const tag = `shipshape-test-verify-${name}:${randomBytes(4).toString("hex")}`;
  tags.push(tag);
  const result = await engine.build({ contextDir: dir, tags: [tag], labels: LABELS, networkMode: TEST_NETWORK });
  assert.equal(result.ok, true, JSON.stringify(result.error));
  return tag;
}

const APP_SH = '#!/bin/sh\necho "hello $(cat /app/data.txt)"\necho "started at $(date +%s%N)" >&2\n';

function debianApp(extra: string, options: { data?: boolean; cmd?: string } = {}): Record<string, string> {
  const lines = [`FROM ${DEBIAN}`, "WORKDIR /app", "COPY app.sh /app/app.sh", "RUN chmod +x /app/app.sh"];
  if (options.data !== false) lines.push("COPY data.txt /app/data.txt");
  lines.push(extra, `CMD ${options.cmd ?? '["/app/app.sh"]'}`);
  return { Dockerfile: `${lines.join("\n")}\n`, "app.sh": APP_SH, "data.txt": "world\n", "README.md": "# app\n", "test/app.test.sh": "exit 0\n" };
}

const SERVER_JS = `const http = require("node:http");
const port = Number(process.env.PORT || 3000);
http.createServer((request, response) => {
  response.setHeader("content-type", "application/json");
  const body = process.env.KEY_ORDER === "reversed"
    ? { greeting: process.env.GREETING || "hello", path: request.url, ok: true }
    : { ok: true, path: request.url, greeting: process.env.GREETING || "hello" };
  response.end(JSON.stringify(body));
}).listen(port, () => console.log("listening on " + port));
`;

describe("shipshape verify (real engine)", { skip: status.skip }, () => {
  let base = "";
  let equivalent = "";
  let missingFile = "";
  let otherCmd = "";

  before(async () => {
    failIfRequired(status);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-verify-test-"));
    base = await build("base", debianApp("COPY README.md /app/\nCOPY test /app/test"));
    equivalent = await build("equivalent", debianApp("RUN echo rebuilt > /tmp/marker"));
    missingFile = await build("missing", debianApp("", { data: false }));
    otherCmd = await build("cmd", debianApp("", { cmd: '["/bin/sh", "-c", "/app/app.sh"]' }));
  });
  after(async () => {
    for (const tag of tags) await engine.removeImage(tag).catch(() => undefined);
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("an image rebuilt without docs and tests is equivalent, and --smoke agrees once timestamps are ignored", async (t) => {
    const started = Date.now();
    const result = await verifyImages(engine, { before: base, after: equivalent, smoke: [""], ignore: [/started at \d+/] });
    t.diagnostic(`verify with one smoke run: ${Date.now() - started} ms`);
    assert.deepEqual(result.differences.filter((difference) => difference.severity === "difference"), []);
    assert.equal(result.equivalent, true);
    assert.deepEqual(
      result.ignored.map((entry) => entry.category).sort(),
      ["docs", "tests"],
    );
    const checks = Object.fromEntries(result.checks.map((check) => [check.name, check.status]));
    assert.deepEqual(checks, { config: "passed", executables: "passed", libraries: "passed", "node-dependencies": "skipped", "working-directory": "passed", smoke: "passed", http: "skipped" });

    const unmasked = await verifyImages(engine, { before: base, after: equivalent, smoke: [""] });
    assert.deepEqual(unmasked.differences.map((difference) => difference.subject), ["--smoke (default command)"], "stderr carries a timestamp");
  });

  it("finds a missing file statically and through --smoke", async () => {
    const result = await verifyImages(engine, { before: base, after: missingFile, smoke: ["", "cat /app/data.txt"], ignore: [/started at \d+/] });
    assert.equal(result.equivalent, false);
    const found = result.differences.map((difference) => `${difference.kind}:${difference.subject}:${difference.before ?? ""}->${difference.after ?? ""}`);
    assert.ok(found.includes("file:/app/data.txt:->"), found.join("\n"));
    assert.ok(found.includes("smoke:--smoke cat /app/data.txt:exit 0->exit 1"), found.join("\n"));
    assert.ok(found.some((line) => line.startsWith("smoke:--smoke (default command)")), "app.sh prints something else without data.txt");
  });

  it("reports a different CMD and resolves the shell it now needs", async () => {
    const result = await verifyImages(engine, { before: base, after: otherCmd });
    assert.deepEqual(result.differences.map((difference) => `${difference.severity}:${difference.kind}:${difference.subject}`), ["difference:config:Cmd"]);
    assert.match(result.checks.find((check) => check.name === "libraries")?.detail ?? "", /^[1-9]\d* objects/, "dash, its loader and libc were followed");
  });

  it("the CLI exits 0 for equivalent images and 1 otherwise, with JSON output, and records the verdict", async () => {
    let stdout = "";
    let stderr = "";
    const io = { stdout: (text: string) => (stdout += text), stderr: (text: string) => (stderr += text), cwd: scratch, env: { ...process.env, NO_COLOR: "1" }, isTTY: false };
    const db = path.join(scratch, "metrics.db");
    assert.equal(await runCli(["verify", base, equivalent, "--format", "json", "--db", db], io), 0, stderr);
    assert.equal((JSON.parse(stdout) as { equivalent: boolean }).equivalent, true);
    assert.ok(fs.existsSync(db), "a verify record was written");
    stdout = "";
    assert.equal(await runCli(["verify", base, otherCmd, "--no-history"], io), 1, stderr);
    assert.match(stdout, /Not equivalent: 1 difference/);
    assert.equal(await runCli(["verify", base, "shipshape-test-verify-no-such-image:nope", "--no-history"], io), 2);
    // --command replaces both images' Cmd for the default-command smoke run and the static checks.
    stdout = "";
    assert.equal(await runCli(["verify", base, missingFile, "--smoke", "", "--command", "cat /app/data.txt", "--format", "json", "--no-history"], io), 1, stderr);
    const overridden = JSON.parse(stdout) as { differences: { kind: string; subject: string; message: string }[] };
    assert.ok(overridden.differences.some((difference) => difference.kind === "smoke" && difference.subject === "--smoke (default command)"), stdout);
    assert.ok(overridden.differences.some((difference) => difference.kind === "file" && difference.message === "The given command passes /app/data.txt, a file BEFORE has and AFTER does not."), stdout);
    assert.match(stderr, /no-such-image/);
  });

  it("startContainer keeps a container running; stopContainer stops it, returns exit code and logs, removes it", async () => {
    const { id } = await engine.startContainer({ image: DEBIAN, args: ["sh", "-c", "echo up; echo err >&2; exec sleep 30"], network: "none", labels: LABELS });
    const started = Date.now();
    const stopped = await engine.stopContainer(id, { graceSeconds: 1 });
    assert.ok(Date.now() - started < 10_000, "not the 30 s of the sleep");
    // sleep as PID 1 has no SIGTERM handler, so the kernel ignores TERM: SIGKILL after the grace period.
    assert.deepEqual(stopped, { exitCode: 137, stdout: "up\n", stderr: "err\n" });
    await assert.rejects(engine.client.json(`/containers/${id}/json`), /No such container/);
  });

  it("--http: a server that exits before answering is reported at once, with its exit code and last log lines", async () => {
    const crashing = await build("http-crash", { Dockerfile: `FROM ${DEBIAN}\nCMD ["sh", "-c", "echo missing DATABASE_URL >&2; exit 3"]\n` });
    const started = Date.now();
    const result = await verifyImages(engine, { before: crashing, after: crashing, http: [{ port: 3000, path: "/health" }], network: TEST_NETWORK, readyTimeoutMs: 60_000 });
    assert.ok(Date.now() - started < 30_000, `not the 60 s ready timeout (${Date.now() - started} ms)`);
    const neither = result.differences.find((difference) => difference.kind === "http");
    assert.ok(neither, JSON.stringify(result.differences));
    assert.match(neither.before ?? "", /the container exited with code 3 before answering on port \d+; its last log lines: missing DATABASE_URL/);
  });

  it("--env reaches both images' HTTP servers and smoke runs; the probe's PORT wins and the report names variables, not values", async () => {
    const needsDatabase = await build("http-env", {
      Dockerfile: `FROM ${NODE}\nWORKDIR /srv\nCOPY server.js .\nCMD ["sh", "-c", "test -n \\"$DATABASE_URL\\" || { echo missing DATABASE_URL >&2; exit 3; }; exec node server.js"]\n`,
      "server.js": SERVER_JS,
    });
    const http = [{ port: 3000, path: "/health" }];
    const bare = await verifyImages(engine, { before: needsDatabase, after: needsDatabase, http, network: TEST_NETWORK });
    assert.match(bare.differences.find((difference) => difference.kind === "http")?.before ?? "", /exited with code 3/, "without the variable the app does not start");

    const env = { DATABASE_URL: "postgres://secret-password@db/shop", GREETING: "salut", PORT: "1" };
    const withEnv = await verifyImages(engine, { before: needsDatabase, after: needsDatabase, http, env, smoke: ["sh -c 'echo $GREETING'"], network: TEST_NETWORK });
    assert.deepEqual(withEnv.differences.filter((difference) => difference.severity === "difference"), []);
    const checks = Object.fromEntries(withEnv.checks.map((check) => [check.name, check]));
    assert.equal(checks.http?.status, "passed");
    assert.equal(checks.smoke?.status, "passed");
    assert.match(checks.http?.detail ?? "", /PORT=\d{2,5} and \d{2,5}, environment: DATABASE_URL, GREETING, PORT\)/, "verify's own port, not PORT=1");
    assert.ok(!JSON.stringify(withEnv).includes("secret-password"), "values stay out of the result");
    // An image that sets GREETING itself prints the same as one given it by --env, and not otherwise.
    const greets = await build("env-baked", { Dockerfile: `FROM ${DEBIAN}\nENV GREETING=salut\n` });
    const smoke = ["sh -c 'echo $GREETING'"];
    const given = await verifyImages(engine, { before: DEBIAN, after: greets, env: { GREETING: "salut" }, smoke });
    assert.equal(given.checks.find((check) => check.name === "smoke")?.status, "passed");
    const notGiven = await verifyImages(engine, { before: DEBIAN, after: greets, smoke });
    assert.equal(notGiven.checks.find((check) => check.name === "smoke")?.status, "failed");
  });

  it("a run override's working directory and user reach the containers, and a user AFTER lacks is found statically and at run time", async () => {
    const smoke = [""];
    const override = { source: "Compose's command" as const, command: ["sh", "-c", "echo $(id -un) in $(pwd)"], workingDir: "/tmp", user: "nobody" };
    const same = await verifyImages(engine, { before: base, after: equivalent, smoke, commandOverride: override });
    assert.equal(same.checks.find((check) => check.name === "smoke")?.status, "passed");
    assert.match(same.checks.find((check) => check.name === "smoke")?.detail ?? "", /compose's command, working directory \/tmp, user nobody/);
    // A program neither image has: nothing ran, so nothing was compared.
    const neither = await verifyImages(engine, { before: base, after: equivalent, smoke: ["no-such-program --flag"] });
    assert.equal(neither.checks.find((check) => check.name === "smoke")?.status, "inconclusive");
    assert.deepEqual(neither.differences.filter((difference) => difference.kind === "smoke").map((difference) => [difference.severity, difference.message]), [["note", "Neither image could start it."]]);
    // From /, `app/data.txt` is the file BEFORE has and AFTER lacks; from the image's own /app it is in neither.
    const fromRoot = await verifyImages(engine, { before: base, after: missingFile, smoke, commandOverride: { source: "Compose's command", command: ["cat", "app/data.txt"], workingDir: "/" } });
    assert.ok(fromRoot.differences.some((difference) => difference.kind === "smoke"), "the override's working directory is used");
    const noNobody = await build("no-nobody", { ...debianApp(""), Dockerfile: `FROM ${base}\nRUN sed -i '/^nobody:/d' /etc/passwd\n` });
    const lost = await verifyImages(engine, { before: base, after: noNobody, smoke, commandOverride: override });
    const found = lost.differences.map((difference) => `${difference.kind}:${difference.subject}`);
    assert.ok(found.includes("config:User (Compose's command)"), found.join("\n"));
    const run = lost.differences.find((difference) => difference.kind === "smoke");
    assert.match(run?.after ?? "", /exit 127/, JSON.stringify(run));
  });

  it("--http starts both images on a free port and compares JSON answers structurally", async (t) => {
    const server = (order: string, greeting: string): Record<string, string> => ({
      Dockerfile: `FROM ${NODE}\nWORKDIR /srv\nCOPY server.js .\nENV KEY_ORDER=${order} GREETING=${greeting}\nCMD ["node", "server.js"]\n`,
      "server.js": SERVER_JS,
    });
    const first = await build("http-a", server("normal", "hello"));
    const reordered = await build("http-b", server("reversed", "hello"));
    const changed = await build("http-c", server("normal", "bonjour"));
    const started = Date.now();
    const same = await verifyImages(engine, { before: first, after: reordered, http: [{ port: 3000, path: "/health" }, { port: 3000, path: "/items?limit=2" }], network: TEST_NETWORK });
    t.diagnostic(`verify with two HTTP probes: ${Date.now() - started} ms`);
    assert.deepEqual(same.differences.filter((difference) => difference.kind === "http"), []);
    assert.equal(same.checks.find((check) => check.name === "http")?.status, "passed");
    assert.deepEqual(same.differences.map((difference) => difference.subject), ["Env.KEY_ORDER"], "only the config differs");

    const different = await verifyImages(engine, { before: first, after: changed, http: [{ port: 3000, path: "/" }], network: TEST_NETWORK });
    const http = different.differences.filter((difference) => difference.kind === "http");
    assert.deepEqual(http.map((difference) => difference.message), ['JSON bodies differ: $.greeting: "hello" vs "bonjour".']);
  });
});
