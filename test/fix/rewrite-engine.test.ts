// `shipshape fix --level rewrite --verify` against a real Docker Engine, on temporary copies of
// the example shop's inventory-go and reports-py services (fast builds; both honour PORT and
// answer GET /health). A rewrite that verifies is written and is smaller; one that does not
// (a crafted rewrite that drops the app's source, or a smoke probe whose output differs) is
// not. The --dev targets build and serve too. Skips when no engine answers (test/helpers/engine.ts); verify's images are labelled
// shipshape.fix.verify and removed by verifyRewrite itself.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { runCli } from "../../src/cli/main.ts";
import { ApiEngine } from "../../src/engine/api-engine.ts";
import { fixWithLevel } from "../../src/fix/rewrite.ts";
import { verifyRewrite } from "../../src/fix/verify-rewrite.ts";
import { scanDirectory } from "../../src/repo/scan.ts";
import type { HttpOutcome } from "../../src/verify/outputs.ts";
import { choosePort, httpGet } from "../../src/verify/run.ts";
import { engineStatus, failIfRequired, TEST_NETWORK } from "../helpers/engine.ts";

const SHOP = path.resolve(import.meta.dirname, "../../examples/shop");
const BASE_IMAGES = ["golang:1.19", "gcr.io/distroless/static-debian12:nonroot", "debian:bookworm-slim", "python:3.11", "python:3.11-slim"];
const engine = new ApiEngine();
const status = await engineStatus(engine, BASE_IMAGES);
const roots: string[] = [];

after(() => {
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
});

/** A repository holding copies of the named shop services (no compose file: each Dockerfile is a target). */
function shopCopy(services: readonly string[]): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-rewrite-engine-"));
  roots.push(root);
  for (const service of services) fs.cpSync(path.join(SHOP, "services", service), path.join(root, "services", service), { recursive: true });
  return root;
}

async function run(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), cwd, env: { ...process.env, NO_COLOR: "1" }, isTTY: false });
  return { code, stdout, stderr };
}

/** `883 MB`, `1.16 GB`, `950 kB` (src/format's decimal units) in megabytes. */
function megabytes(text: string): number {
  const [value = "", unit = "MB"] = text.split(" ");
  return Number(value) * ({ kB: 0.001, MB: 1, GB: 1000 }[unit] ?? Number.NaN);
}

describe("fix --level rewrite --verify on the real engine", { skip: status.skip }, () => {
  it("inventory-go and reports-py: rewritten, built, verified with an HTTP probe, smaller, written", { timeout: 900_000 }, async () => {
    failIfRequired(status);
    const root = shopCopy(["inventory-go", "reports-py"]);
    const result = await run(["fix", "--level", "rewrite", "--verify", "--write", "--http", "3000/health", "."], root);
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    for (const service of ["inventory-go", "reports-py"]) {
      const file = `services/${service}/Dockerfile`;
      assert.match(fs.readFileSync(path.join(root, file), "utf8"), /^# Rewritten by `shipshape fix --level rewrite`/, file);
      assert.ok(fs.existsSync(path.join(root, `services/${service}/.dockerignore`)), "the created .dockerignore is written too");
      const line = new RegExp(`^verify: ${file.replace(/[/.]/g, "\\$&")} \\[${service}\\]: (equivalent|verified \\(\\d+ intended differences?\\)); before ([\\d.]+ [kMG]B) \\(built in [\\d.]+ m?s\\), after ([\\d.]+ [kMG]B)`, "m").exec(result.stdout);
      assert.ok(line, `a verdict line for ${file} in\n${result.stdout}`);
      assert.ok(megabytes(line[3] as string) < megabytes(line[2] as string), `${service}: after ${line[3]} < before ${line[2]}`);
      const block = result.stdout.slice(line.index).split("\nverify: ")[0] ?? "";
      assert.match(block, /checks: .*http passed/, "the HTTP probe ran on both images");
    }
  });

  it("--dev: the dev targets of inventory-go and reports-py build and serve /health", { timeout: 600_000 }, async () => {
    failIfRequired(status);
    const root = shopCopy(["inventory-go", "reports-py"]);
    const result = await run(["fix", "--level", "rewrite", "--dev", "--write", "."], root);
    assert.equal(result.code, 0, result.stdout);
    for (const service of ["inventory-go", "reports-py"]) {
      const tag = `shipshape-test-fix-dev-${service}:${Date.now().toString(36)}`;
      const build = await engine.build({ contextDir: path.join(root, "services", service), target: "dev", networkMode: "host", tags: [tag], labels: { "shipshape.test": "true" } });
      try {
        assert.ok(build.ok, `${service}: ${build.error?.message ?? ""}\n${build.error?.logTail.join("\n") ?? ""}`);
        const port = await choosePort(0);
        const { id } = await engine.startContainer({ image: tag, network: "host", env: { PORT: String(port) }, labels: { "shipshape.test": "true" } });
        let answer: HttpOutcome = { error: "not asked" };
        try {
          const deadline = Date.now() + 120_000;
          while (Date.now() < deadline) {
            answer = await httpGet(port, "/health", 2_000);
            if (!("error" in answer)) break;
            await new Promise((resolve) => setTimeout(resolve, 500));
          }
        } finally {
          await engine.stopContainer(id, { graceSeconds: 1 }).catch(() => undefined);
        }
        assert.ok("status" in answer && answer.status === 200, `${service} dev target: ${JSON.stringify(answer)}`);
      } finally {
        await engine.removeImage(tag).catch(() => undefined);
      }
    }
  });

  it("a rewrite that drops the application's source is not verified (library API), and the fix leaves that Dockerfile alone", { timeout: 600_000 }, async () => {
    failIfRequired(status);
    const root = shopCopy(["reports-py"]);
    const planned = fixWithLevel(scanDirectory(root), { level: "rewrite" });
    const change = planned.fix.changes.find((entry) => entry.path === "services/reports-py/Dockerfile");
    assert.ok(change?.before !== undefined, "reports-py is rewritten");
    const runtimeCopy = change.after.lastIndexOf("COPY . .");
    assert.ok(runtimeCopy > 0, "the runtime stage copies the sources");
    const broken = `${change.after.slice(0, runtimeCopy)}COPY requirements.txt ./${change.after.slice(runtimeCopy + "COPY . .".length)}`;
    const result = await verifyRewrite(engine, {
      contextDir: path.join(root, "services/reports-py"),
      dockerfile: "Dockerfile",
      before: change.before,
      after: broken,
      name: "reports-py-broken",
      probes: { http: { port: 3000, path: "/health" } },
    }, { network: TEST_NETWORK });
    assert.equal(result.before.ok, true, result.before.error);
    assert.equal(result.after.ok, true, result.after.error);
    assert.equal(result.ok, false);
    assert.match(result.reason ?? "", /file \/app\/app\.py/);
    assert.match(result.reason ?? "", /http GET \/health/);
    for (const tag of [result.before.tag, result.after.tag]) {
      assert.ok(tag !== undefined);
      await assert.rejects(engine.inspectImage(tag), `${tag} is removed after verification`);
    }
    const leftAlone = fixWithLevel(scanDirectory(root), { level: "rewrite", leaveAlone: new Set(["services/reports-py/Dockerfile"]) });
    assert.equal(leftAlone.fix.changes.length, 0, "neither the Dockerfile nor its .dockerignore would be written");
  });

  it("a configured smoke probe whose output differs keeps the rewrite from being written (exit 1, with the reason)", { timeout: 600_000 }, async () => {
    failIfRequired(status);
    const root = shopCopy(["reports-py"]);
    const original = fs.readFileSync(path.join(root, "services/reports-py/Dockerfile"), "utf8");
    // The rewrite runs Python from a virtualenv: sys.prefix differs, which a user of the image could notice.
    fs.writeFileSync(path.join(root, "shipshape.config.yaml"), `verify:\n  services:\n    reports-py:\n      smoke: "python -c 'import sys; print(sys.prefix)'"\n`);
    const result = await run(["fix", "--level", "rewrite", "--verify", "--write", "."], root);
    assert.equal(result.code, 1, result.stdout);
    assert.equal(fs.readFileSync(path.join(root, "services/reports-py/Dockerfile"), "utf8"), original);
    assert.ok(!fs.existsSync(path.join(root, "services/reports-py/.dockerignore")));
    assert.match(result.stdout, /verify: services\/reports-py\/Dockerfile \[reports-py\]: FAILED/);
    assert.match(result.stdout, /why: verify found \d+ unexpected differences?: .*smoke/);
    assert.match(result.stdout, /services\/reports-py\/Dockerfile is not written/);
  });

  it("the probes run with the compose service's environment, interpolated from .env, so an app that needs a variable is verified and written", { timeout: 600_000 }, async () => {
    failIfRequired(status);
    const root = shopCopy(["reports-py"]);
    const app = path.join(root, "services/reports-py/app.py");
    // The app refuses to start without its token, as apps that read secrets from the environment do.
    fs.writeFileSync(app, `import os, sys\nif not os.environ.get("REPORTS_TOKEN"):\n    sys.exit("REPORTS_TOKEN is not set")\n${fs.readFileSync(app, "utf8")}`);
    fs.writeFileSync(path.join(root, "compose.yaml"), "services:\n  reports:\n    build: ./services/reports-py\n    env_file: reports.env\n    environment:\n      REPORTS_TOKEN: ${REPORTS_TOKEN:?set it in .env}\n      REPORTS_REGION: ${REGION:-eu}\n");
    fs.writeFileSync(path.join(root, "reports.env"), "# read by compose for the container\nREPORTS_LOG=debug\n");
    fs.writeFileSync(path.join(root, "shipshape.config.yaml"), "verify:\n  services:\n    reports:\n      http: 8000/health\n");
    const original = fs.readFileSync(path.join(root, "services/reports-py/Dockerfile"), "utf8");

    // Without the token neither image answers: the probe checked nothing, so nothing is written.
    const unset = await run(["fix", "--level", "rewrite", "--verify", "--write", "."], root);
    assert.equal(unset.code, 1, unset.stdout);
    assert.match(unset.stdout, /environment note: REPORTS_TOKEN is left out: REPORTS_TOKEN is required \("set it in \.env"\)/);
    assert.match(unset.stdout, /checks: .*http inconclusive/);
    assert.match(unset.stdout, /why: the http probe got no answer from either image \(the original: the container exited with code 1 before answering .*REPORTS_TOKEN is not set\)/);
    assert.equal(fs.readFileSync(path.join(root, "services/reports-py/Dockerfile"), "utf8"), original);

    fs.writeFileSync(path.join(root, ".env"), "REPORTS_TOKEN=t0ken-from-dotenv\n");
    const result = await run(["fix", "--level", "rewrite", "--verify", "--write", "."], root);
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /verify: services\/reports-py\/Dockerfile \[reports\]: (equivalent|verified)/);
    assert.match(result.stdout, /environment: REPORTS_LOG, REPORTS_TOKEN, REPORTS_REGION \(from compose\.yaml service reports\)/);
    assert.match(result.stdout, /checks: .*http passed/);
    assert.ok(!result.stdout.includes("t0ken-from-dotenv"), "the value is not printed");
    assert.match(fs.readFileSync(path.join(root, "services/reports-py/Dockerfile"), "utf8"), /AS /, "the rewrite is written");
  });

  it("the images are verified as compose runs them: a compose command the rewrite cannot run is not written; one through a shell gets a runtime with a shell", { timeout: 600_000 }, async () => {
    failIfRequired(status);
    const root = shopCopy(["inventory-go"]);
    const original = fs.readFileSync(path.join(root, "services/inventory-go/Dockerfile"), "utf8");
    const compose = (command: string): string => `services:\n  inventory:\n    build: ./services/inventory-go\n    command: ${command}\n`;
    fs.writeFileSync(path.join(root, "shipshape.config.yaml"), "verify:\n  services:\n    inventory:\n      http: 8080/health\n");

    // A development-style command: the original image has the toolchain, the rewrite does not.
    // The planner asks for review; accepted anyway, verify still refuses it.
    fs.writeFileSync(path.join(root, "compose.yaml"), compose("go run ."));
    const toolchain = await run(["fix", "--level", "rewrite", "--accept-review", "--verify", "--write", "."], root);
    assert.equal(toolchain.code, 1, toolchain.stdout);
    assert.match(`${toolchain.stdout}${toolchain.stderr}`, /review: compose\.yaml: inventory runs `go run \.`, which needs go/);
    assert.match(toolchain.stdout, /verify: services\/inventory-go\/Dockerfile \[inventory\]: FAILED/);
    assert.match(toolchain.stdout, /why: verify found \d+ unexpected differences?: .*executable go: Compose's command runs go, which AFTER does not have through PATH/);
    assert.match(toolchain.stdout, /http GET \/health: Only one image answered/);
    assert.equal(fs.readFileSync(path.join(root, "services/inventory-go/Dockerfile"), "utf8"), original, "not written");

    fs.writeFileSync(path.join(root, "compose.yaml"), compose(`["sh", "-c", "exec inventory"]`));
    const shell = await run(["fix", "--level", "rewrite", "--verify", "--write", "."], root);
    assert.equal(shell.code, 0, shell.stdout);
    assert.match(shell.stdout, /Runtime on debian:bookworm-slim rather than distroless: compose\.yaml: inventory runs it through a shell/);
    assert.match(shell.stdout, /verify: services\/inventory-go\/Dockerfile \[inventory\]: (equivalent|verified)/);
    assert.match(shell.stdout, /checks: .*executables passed.*http passed/);
    assert.match(fs.readFileSync(path.join(root, "services/inventory-go/Dockerfile"), "utf8"), /^FROM debian:bookworm-slim$/m);
  });

  it("web: a Vite dev server moved to nginx is verified by its page and the assets the page loads, and written", { timeout: 900_000 }, async (t) => {
    const webStatus = await engineStatus(engine, ["node:22", "nginx:1.28"]);
    if (webStatus.skip) return t.skip(String(webStatus.skip));
    const root = shopCopy(["web"]);
    fs.writeFileSync(path.join(root, "shipshape.config.yaml"), "verify:\n  services:\n    web:\n      http: 5173/\n");
    const result = await run(["fix", "--level", "rewrite", "--verify", "--write", "."], root);
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    const rewritten = fs.readFileSync(path.join(root, "services/web/Dockerfile"), "utf8");
    assert.match(rewritten, /^FROM nginx:1\.28$/m);
    const line = /^verify: services\/web\/Dockerfile \[web\]: verified \((\d+) intended differences?\); before ([\d.]+ [kMG]B) \(built in [\d.]+ m?s\), after ([\d.]+ [kMG]B)/m.exec(result.stdout);
    assert.ok(line, `a verdict line for web in\n${result.stdout}`);
    assert.ok(megabytes(line[3] as string) < megabytes(line[2] as string) / 4, `after ${line[3]} is far smaller than before ${line[2]}`);
    // The built page differs from the dev server's; it is accepted because its assets loaded.
    assert.match(result.stdout, /GET \/: .*all \d+ assets? it references answered/);
  });
});
