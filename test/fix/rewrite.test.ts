// `shipshape fix --level rewrite` without an engine: the fixture projects' rewrites
// (test/fixtures/projects/<name>/expected.Dockerfile) come out of the CLI byte for byte and the
// safe fixes leave them alone; rewrites that need review are reported, not applied, unless
// accepted; --dev adds a dev stage before the production stage and a compose.dev.yaml override;
// usage errors; --verify without an engine is exit 2.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { runCli } from "../../src/cli/main.ts";
import { parseDockerfile } from "../../src/dockerfile/parse.ts";
import { COMPOSE_DEV_FILE, fixWithLevel } from "../../src/fix/rewrite.ts";
import { parseCompose } from "../../src/repo/compose.ts";
import { snapshotFromFiles } from "../../src/repo/memory.ts";
import { scanDirectory } from "../../src/repo/scan.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const PROJECTS = path.join(ROOT, "test/fixtures/projects");
const SHOP = path.join(ROOT, "examples/shop");

const roots: string[] = [];
after(() => {
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
});

/** A temporary copy of a directory without the golden files (the CLI would treat expected.Dockerfile as a Dockerfile). */
function copyOf(source: string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-rewrite-"));
  roots.push(root);
  fs.cpSync(source, root, { recursive: true, filter: (file) => !["expected.Dockerfile", "check.json"].includes(path.basename(file)) });
  return root;
}

async function run(args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), cwd, env: { NO_COLOR: "1", ...env }, isTTY: false });
  return { code, stdout, stderr };
}

const read = (root: string, file: string): string => fs.readFileSync(path.join(root, file), "utf8");

const goldenProjects = fs.readdirSync(PROJECTS).filter((name) => fs.existsSync(path.join(PROJECTS, name, "expected.Dockerfile"))).sort();

describe("fix --level rewrite on the fixture projects", () => {
  it("has golden projects to check", () => {
    assert.ok(goldenProjects.length >= 10, `${goldenProjects.length} projects`);
  });

  for (const name of goldenProjects) {
    it(`${name}: --write gives expected.Dockerfile (or leaves a rewrite that needs review alone), and fixing again changes nothing`, async () => {
      const root = copyOf(path.join(PROJECTS, name));
      const original = read(root, "Dockerfile");
      const expected = read(path.join(PROJECTS, name), "expected.Dockerfile");
      const planned = fixWithLevel(scanDirectory(root), { level: "rewrite" }).rewrites.find((rewrite) => rewrite.path === "Dockerfile");
      assert.ok(planned, "the planner rewrites the fixture");
      const result = await run(["fix", "--level", "rewrite", "--write", "."], root);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      if (planned.status === "needs-review") {
        assert.match(result.stdout, /NEEDS REVIEW, not applied/);
        for (const reason of planned.review) assert.ok(result.stdout.includes(reason), reason);
        assert.doesNotMatch(read(root, "Dockerfile"), /^# Rewritten by/m, "a rewrite that needs review is not written");
        return;
      }
      assert.equal(read(root, "Dockerfile"), expected);
      assert.notEqual(original, expected);
      const again = await run(["fix", "--level", "rewrite", "."], root);
      assert.equal(again.code, 0);
      assert.equal(again.stdout, "", "the rewritten project needs no further change");
    });
  }
});

describe("rewrites that need review", () => {
  // The shop's api with a `prepare` script: the dependency stage runs it with only the manifests, which the planner cannot vouch for.
  const apiReview = 'package.json has "prepare" script(s)';
  const reviewedApi = (): string => {
    const root = copyOf(path.join(SHOP, "services/api"));
    const manifest = JSON.parse(read(root, "package.json")) as { scripts: Record<string, string> };
    manifest.scripts.prepare = "node scripts/generate-types.js";
    fs.writeFileSync(path.join(root, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    return root;
  };

  it("keeping the original's runtime apt packages is a note, not a review reason: the shop's api is rewritten", async () => {
    const result = await run(["fix", "--level", "rewrite", "."], copyOf(path.join(SHOP, "services/api")));
    assert.equal(result.code, 0);
    assert.match(result.stdout, /Rewritten by/);
    assert.ok(result.stderr.includes("note: The original installs curl, netcat-openbsd with apt; the runtime stage keeps them"), result.stderr);
  });

  it("without --write: the diff on stdout holds only the safe fixes; the rewrite is shown on stderr marked NEEDS REVIEW with its reasons", async () => {
    const root = reviewedApi();
    const result = await run(["fix", "--level", "rewrite", "."], root);
    assert.equal(result.code, 0);
    assert.doesNotMatch(result.stdout, /Rewritten by/);
    assert.match(result.stdout, /^\+CMD \["npm", "start"\]$/m, "the safe fixes still apply to the original");
    assert.match(result.stderr, /rewrite: Dockerfile \(node\): NEEDS REVIEW, not applied/);
    assert.ok(result.stderr.includes(`review: ${apiReview}`));
    assert.match(result.stderr, /^ {2}\+# Rewritten by `shipshape fix --level rewrite`/m, "the review diff is printed");
  });

  it("--write leaves the Dockerfile un-rewritten; --accept-review writes the rewrite", async () => {
    const root = reviewedApi();
    const plain = await run(["fix", "--level", "rewrite", "--write", "."], root);
    assert.equal(plain.code, 0);
    assert.doesNotMatch(read(root, "Dockerfile"), /Rewritten by/);
    assert.ok(!fs.existsSync(path.join(root, "Dockerfile.shipshape-review")), "no side file is written");

    const other = reviewedApi();
    const accepted = await run(["fix", "--level", "rewrite", "--accept-review", "--write", "."], other);
    assert.equal(accepted.code, 0, accepted.stdout);
    const dockerfile = read(other, "Dockerfile");
    assert.match(dockerfile, /^# Rewritten by/m);
    assert.match(accepted.stdout, /rewritten \(review accepted with --accept-review\)/);
    assert.equal(parseDockerfile(dockerfile).stages.length, 4);
  });
});

describe("fix --level rewrite --dev", () => {
  it("adds a dev stage before the production stage and writes compose.dev.yaml for the services built from rewrites", async () => {
    const root = copyOf(SHOP);
    const result = await run(["fix", "--level", "rewrite", "--dev", "--accept-review", "--write", "."], root);
    assert.equal(result.code, 0, result.stdout);
    const withoutDev = fixWithLevel(scanDirectory(SHOP), { level: "rewrite", acceptReview: true });
    for (const service of ["api", "worker", "web", "inventory-go", "pricing-rust", "reports-py"]) {
      const file = `services/${service}/Dockerfile`;
      const model = parseDockerfile(read(root, file));
      const names = model.stages.map((stage) => stage.name);
      assert.ok(names.includes("dev"), `${file} has a dev stage: ${names.join(", ")}`);
      assert.equal(names.indexOf("dev"), names.length - 2, `${file}: dev comes right before the production stage`);
      // The production stage (what `docker build` without --target builds) is the one --level rewrite writes.
      const production = withoutDev.fix.changes.find((change) => change.path === file)?.after ?? "";
      assert.equal(read(root, file).split("\n\n").at(-1), production.split("\n\n").at(-1));
    }
    assert.match(read(root, "services/inventory-go/Dockerfile"), /FROM deps AS dev\n[\s\S]*CMD \["go", "run", "\."\]/);
    assert.match(read(root, "services/pricing-rust/Dockerfile"), /FROM deps AS dev\n[\s\S]*CMD \["cargo", "run"\]/);
    assert.match(read(root, "services/web/Dockerfile"), /CMD \["npm", "run", "dev", "--", "--host", "0.0.0.0"\]/);
    // No dev script: build, then start (the mounted sources have no build output).
    assert.match(read(root, "services/api/Dockerfile"), /CMD \["sh", "-c", "npm run build && npm run start"\]/);

    const override = read(root, COMPOSE_DEV_FILE);
    const compose = parseCompose(override, COMPOSE_DEV_FILE);
    const services = new Map(compose.services.map((service) => [service.name, service]));
    assert.deepEqual([...services.keys()].sort(), ["api", "inventory", "pricing", "reports", "web", "worker"]);
    const api = services.get("api");
    assert.equal(api?.build?.target, "dev");
    assert.deepEqual(api?.volumes.map((volume) => volume.raw), ["./services/api:/app", "/app/node_modules"]);
    assert.equal(services.get("inventory")?.volumes[0]?.raw, "./services/inventory-go:/src");
    assert.equal(services.get("reports")?.command, "python app.py");
    assert.match(result.stdout, /compose\.dev\.yaml: dev override for api, worker, web, inventory, pricing, reports/);

    // The override is a development file: the audit does not flag its source bind mounts.
    const audit = await run(["audit", "--format", "json", "--fail-on", "none", "."], root);
    const audited = JSON.parse(audit.stdout) as { files: { path: string; findings: { rule: string }[] }[] };
    const overrideFindings = audited.files.find((file) => file.path === COMPOSE_DEV_FILE)?.findings.map((finding) => finding.rule);
    assert.deepEqual(overrideFindings, []);
  });

  it("Python: a uvicorn app is run with --reload; Java has no dev target and says so", () => {
    const python = fixWithLevel(
      snapshotFromFiles({ Dockerfile: 'FROM python:3.12\nWORKDIR /srv\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["uvicorn", "main:app", "--host", "0.0.0.0"]\n', "requirements.txt": "fastapi\nuvicorn\n", "main.py": "app = None\n" }),
      { level: "rewrite", dev: true },
    );
    assert.deepEqual(python.rewrites[0]?.dev, { stage: "dev", workdir: "/srv", command: ["uvicorn", "main:app", "--host", "0.0.0.0", "--reload"], keepPaths: [] });
    const java = fixWithLevel(scanDirectory(path.join(PROJECTS, "java-maven")), { level: "rewrite", dev: true, acceptReview: true });
    const rewrite = java.rewrites.find((entry) => entry.path === "Dockerfile");
    assert.equal(rewrite?.dev, undefined);
    assert.ok(rewrite?.notes.some((note) => note.startsWith("No dev target")));
    assert.doesNotMatch(rewrite?.after ?? "", / AS dev$/m);
  });

  it("without a compose file writes only the dev target and says so", async () => {
    const root = copyOf(path.join(PROJECTS, "go-service"));
    const result = await run(["fix", "--level", "rewrite", "--dev", "--write", "."], root);
    assert.equal(result.code, 0, result.stdout);
    assert.match(read(root, "Dockerfile"), /AS dev\n/);
    assert.ok(!fs.existsSync(path.join(root, COMPOSE_DEV_FILE)));
    assert.match(result.stdout, /dev target added; no compose service builds it, so no compose override was written/);
  });

  it("does not overwrite an existing compose.dev.yaml", async () => {
    const root = copyOf(SHOP);
    fs.writeFileSync(path.join(root, COMPOSE_DEV_FILE), "services: {}\n");
    const result = await run(["fix", "--level", "rewrite", "--dev", "--write", "."], root);
    assert.equal(result.code, 0);
    assert.equal(read(root, COMPOSE_DEV_FILE), "services: {}\n");
    assert.match(result.stdout, /compose\.dev\.yaml exists; not overwritten/);
  });
});

describe("fix option errors", () => {
  for (const [args, message] of [
    [["--dev"], /--dev .* --level rewrite/],
    [["--accept-review"], /--accept-review .* --level rewrite/],
    [["--level", "aggressive"], /--level aggressive: expected safe or rewrite/],
    [["--http", "3000/health"], /apply to --verify/],
    [["--verify", "--http", "nope"], /--http expects PORT\/PATH/],
  ] as const) {
    it(`${args.join(" ")} is a usage error`, async () => {
      const root = copyOf(path.join(PROJECTS, "go-service"));
      const result = await run(["fix", ...args, "."], root, { DOCKER_HOST: "unix:///nonexistent/docker.sock" });
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
    });
  }

  it("--verify without a reachable engine fails with exit 2 before changing anything", async () => {
    const root = copyOf(path.join(PROJECTS, "go-service"));
    const before = read(root, "Dockerfile");
    const result = await run(["fix", "--level", "rewrite", "--verify", "--write", "--driver", "api", "."], root, { DOCKER_HOST: "unix:///nonexistent/docker.sock" });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^shipshape: .+/);
    assert.equal(read(root, "Dockerfile"), before);
  });
});
