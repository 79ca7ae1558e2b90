// `shipshape fix --consolidate`: golden cases (the shop's api + worker read from examples/shop,
// which is only read; three services sharing one directory), the compose edits, the combined
// .dockerignore, the source rewriting, the bake file and the CLI on a temporary copy.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { runCli } from "../../src/cli/main.ts";
import { parseDockerfile } from "../../src/dockerfile/parse.ts";
import { hclString, renderBake } from "../../src/fix/bake.ts";
import { consolidateDiff, parseDockerfiles, planConsolidation, prefixedSource, scopedPattern } from "../../src/fix/consolidate.ts";
import type { ConsolidatePlan } from "../../src/fix/consolidate.ts";
import { diffSequences, splitLines } from "../../src/fix/diff.ts";
import { parseCompose } from "../../src/repo/compose.ts";
import { compileDockerignore, parseDockerignore } from "../../src/repo/dockerignore.ts";
import { snapshotFromFiles } from "../../src/repo/memory.ts";
import { scanDirectory } from "../../src/repo/scan.ts";
import { buildRepositoryView } from "../../src/repo/view.ts";
import type { RepoSnapshot } from "../../src/repo/snapshot.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../..");
const fixtures = path.join(here, "../fixtures/consolidate");
const shopDir = path.join(repoRoot, "examples/shop");

function plan(snapshot: RepoSnapshot): ConsolidatePlan {
  const view = buildRepositoryView(snapshot);
  return planConsolidation(view, parseDockerfiles(view));
}

function readTree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (current: string): void => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.set(path.relative(dir, full).split(path.sep).join("/"), fs.readFileSync(full, "utf8"));
    }
  };
  walk(dir);
  return files;
}

/** Compares a plan with expected/: every created or edited file byte for byte, removed.txt for removals. */
function assertGolden(result: ConsolidatePlan, expectedDir: string): void {
  const expected = readTree(expectedDir);
  const removed = (expected.get("removed.txt") ?? "").split("\n").filter(Boolean);
  expected.delete("removed.txt");
  assert.deepEqual(result.changes.filter((change) => change.after === undefined).map((change) => change.path), removed);
  const written = new Map(result.changes.filter((change) => change.after !== undefined).map((change) => [change.path, change.after]));
  assert.deepEqual([...written.keys()].sort(), [...expected.keys()].sort());
  for (const [file, text] of expected) assert.equal(written.get(file), text, `${file} differs from ${path.relative(repoRoot, path.join(expectedDir, file))}`);
}

/** Lines of `after` that differ from `before` (0-based old-line indices of deletions, and whether anything was inserted elsewhere). */
function changedOldLines(before: string, after: string): { deleted: number[]; insertedAfter: number[] } {
  const operations = diffSequences(splitLines(before), splitLines(after));
  const deleted: number[] = [];
  const insertedAfter: number[] = [];
  let lastOld = -1;
  for (const operation of operations) {
    if (operation.kind === "equal") lastOld = operation.oldIndex;
    else if (operation.kind === "delete") {
      deleted.push(operation.oldIndex);
      lastOld = operation.oldIndex;
    } else insertedAfter.push(lastOld);
  }
  return { deleted, insertedAfter };
}

describe("consolidate: the shop's api and worker (golden)", () => {
  const snapshot = scanDirectory(shopDir);
  const result = plan(snapshot);

  it("consolidates exactly api + worker into services/Dockerfile with a shared base", () => {
    assert.equal(result.groups.length, 1);
    const group = result.groups[0];
    assert.deepEqual(
      group?.services.map((service) => [service.dockerfile, service.target]),
      [
        ["services/api/Dockerfile", "api"],
        ["services/worker/Dockerfile", "worker"],
      ],
    );
    assert.equal(group?.context, "services");
    // FROM, LABEL, WORKDIR and the apt RUN come before the first COPY . . in both files.
    assert.deepEqual(group?.base, { stage: "base", instructions: 4 });
    assert.deepEqual(result.skipped, []);
  });

  it("matches test/fixtures/consolidate/shop/expected", () => {
    assertGolden(result, path.join(fixtures, "shop/expected"));
  });

  it("keeps each service's instructions in order, with COPY sources moved under its directory", () => {
    const consolidated = parseDockerfile(result.changes.find((change) => change.path === "services/Dockerfile")?.after ?? "");
    for (const service of ["api", "worker"]) {
      const original = parseDockerfile(snapshot.texts.get(`services/${service}/Dockerfile`) ?? "");
      const stage = consolidated.stages.find((candidate) => candidate.name === service);
      const base = consolidated.stages.find((candidate) => candidate.name === "base");
      assert.ok(stage && base);
      assert.equal(stage.base.raw, "base");
      const rebuilt = [base.from, ...base.instructions, ...stage.instructions].map((instruction) => `${instruction.keyword} ${instruction.argumentText}`);
      const expected = original.instructions.map((instruction) => `${instruction.keyword} ${instruction.argumentText.replace(/^\. \.$/, `${service}/ .`)}`);
      expected[0] = "FROM node:22 AS base";
      assert.deepEqual(rebuilt, expected);
    }
  });

  it("edits only the build: lines of api and worker in docker-compose.yml", () => {
    const before = snapshot.texts.get("docker-compose.yml") ?? "";
    const afterText = result.changes.find((change) => change.path === "docker-compose.yml")?.after ?? "";
    const lines = before.split("\n");
    const { deleted, insertedAfter } = changedOldLines(before, afterText);
    assert.deepEqual(
      deleted.map((index) => lines[index]),
      ["    build: ./services/api", "    build: ./services/worker"],
    );
    assert.ok(insertedAfter.every((index) => deleted.includes(index)));
    const services = parseCompose(afterText, "docker-compose.yml").services;
    assert.deepEqual(services.find((service) => service.name === "api")?.build, { context: "services", target: "api", line: 3 });
    assert.equal(services.find((service) => service.name === "web")?.build?.context, "./services/web");
  });

  it("sends every file the original builds sent, and nothing else of the services' directories", () => {
    const ignore = result.changes.find((change) => change.path === "services/Dockerfile.dockerignore")?.after ?? "";
    const matcher = compileDockerignore(parseDockerignore(ignore));
    const sent = snapshot.files.filter((file) => file.path.startsWith("services/")).filter((file) => !matcher.excludes(file.path.slice("services/".length)));
    const expected = snapshot.files.filter((file) => /^services\/(api|worker)\//.test(file.path));
    assert.deepEqual(
      sent.map((file) => file.path),
      expected.map((file) => file.path),
    );
  });

  it("writes a bake file with a default group and one target per service", () => {
    const bake = result.changes.find((change) => change.path === "docker-bake.hcl");
    assert.equal(bake?.before, undefined);
    assert.match(bake?.after ?? "", /group "default" \{\n {2}targets = \["api", "worker"\]\n\}/);
    for (const service of ["api", "worker"]) {
      assert.match(bake?.after ?? "", new RegExp(`target "${service}" \\{\\n {2}context {4}= "services"\\n {2}dockerfile = "Dockerfile"\\n {2}target {5}= "${service}"\\n {2}tags {7}= \\["shop-${service}:\\$\\{TAG\\}"\\]\\n\\}`));
    }
  });

  it("renders removals as git deletion diffs", () => {
    const removal = result.changes.find((change) => change.path === "services/api/Dockerfile");
    assert.equal(removal?.after, undefined);
    const diff = consolidateDiff(removal ?? { path: "", before: "", after: undefined }, "services/api/Dockerfile");
    const lines = splitLines(snapshot.texts.get("services/api/Dockerfile") ?? "").length;
    assert.ok(diff.startsWith(`diff --git a/services/api/Dockerfile b/services/api/Dockerfile\ndeleted file mode 100644\n--- a/services/api/Dockerfile\n+++ /dev/null\n@@ -1,${lines} +0,0 @@\n-FROM node:22\n`), diff);
  });
});

describe("consolidate: three services built from one directory (golden)", () => {
  const input = path.join(fixtures, "three-services/input");
  const snapshot = scanDirectory(input);
  const result = plan(snapshot);

  it("matches test/fixtures/consolidate/three-services/expected", () => {
    assertGolden(result, path.join(fixtures, "three-services/expected"));
  });

  it("shares the context reads too, since every service reads the same files", () => {
    // FROM, ARG, ENV, WORKDIR, RUN useradd, COPY requirements, RUN pip, COPY . .
    assert.deepEqual(result.groups[0]?.base, { stage: "base", instructions: 8 });
    const dockerfile = result.changes.find((change) => change.path === "Dockerfile")?.after ?? "";
    // The base's ARG is out of scope in the targets unless declared again.
    assert.equal(dockerfile.match(/^ARG APP_USER=app$/gm)?.length, 4);
  });

  it("passes the compose build args and the global ARGs through bake", () => {
    const bake = result.changes.find((change) => change.path === "docker-bake.hcl")?.after ?? "";
    assert.match(bake, /variable "PYTHON_VERSION" \{\n {2}default = "3\.11"\n\}/);
    assert.match(bake, /target "worker" \{[\s\S]*?QUEUE {10}= "jobs"/);
    assert.match(bake, /tags {7}= \["registry\.example\.com\/acme\/api:\$\{TAG\}"\]/);
    assert.match(bake, /tags {7}= \["acme-cron:\$\{TAG\}"\]/);
  });

  it("keeps the files the new build adds out of the images", () => {
    const ignore = result.changes.find((change) => change.path === "Dockerfile.dockerignore")?.after ?? "";
    const matcher = compileDockerignore(parseDockerignore(ignore));
    for (const file of ["Dockerfile", "Dockerfile.dockerignore", "docker-bake.hcl", "debug.log"]) assert.ok(matcher.excludes(file), file);
    for (const file of ["app/api.py", "requirements.txt", ".dockerignore"]) assert.ok(!matcher.excludes(file), file);
  });
});

describe("consolidate: when nothing changes", () => {
  it("leaves Dockerfiles that are not similar enough alone", () => {
    const result = plan(
      snapshotFromFiles({
        "api/Dockerfile": "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\nEXPOSE 3000\nCMD node server.js\n",
        "jobs/Dockerfile": "FROM python:3.11-slim\nENV PYTHONUNBUFFERED=1\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nUSER nobody\nCMD python jobs.py\n",
      }),
    );
    assert.deepEqual(result, { changes: [], groups: [], skipped: [] });
  });

  it("skips multi-stage Dockerfiles with the reason", () => {
    const text = "FROM node:22 AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci\nRUN npm run build\nFROM node:22-slim\nCOPY --from=build /app/dist /app\nCMD node /app/main.js\n";
    const result = plan(snapshotFromFiles({ "a/Dockerfile": text, "b/Dockerfile": text }));
    assert.deepEqual(result.changes, []);
    assert.match(result.skipped[0]?.reason ?? "", /2 stages; only single-stage/);
  });

  it("skips a group whose ignore files cannot be combined without changing what a build sends", () => {
    // The root service ignores every .log, which would also drop b/app.log that b's build sent.
    const body = "WORKDIR /app\nENV A=1\nENV B=2\nRUN true\nCOPY . .\nCMD [\"true\"]\n";
    const result = plan(
      snapshotFromFiles({
        Dockerfile: `FROM debian:bookworm-slim\n${body}`,
        ".dockerignore": "**/*.log\n",
        "b/Dockerfile": `FROM debian:bookworm-slim\n${body}`,
        "b/app.log": "kept\n",
      }),
    );
    assert.deepEqual(result.changes, []);
    assert.match(result.skipped[0]?.reason ?? "", /would leave out b\/app\.log, which the build of b\/Dockerfile sent/);
  });

  it("skips COPY sources with variables when they would need a prefix", () => {
    const body = (source: string): string => `FROM debian:bookworm-slim\nARG SRC=.\nWORKDIR /app\nENV A=1\nRUN true\nCOPY ${source} .\nCMD ["true"]\n`;
    const result = plan(snapshotFromFiles({ "a/Dockerfile": body("$SRC"), "b/Dockerfile": body("$SRC") }));
    assert.deepEqual(result.changes, []);
    assert.match(result.skipped[0]?.reason ?? "", /uses a variable/);
  });
});

describe("consolidate: rewriting", () => {
  it("gives each target its own FROM when the FROM lines differ", () => {
    const body = "WORKDIR /app\nENV A=1\nENV B=2\nRUN true\nCOPY . .\nCMD [\"true\"]\n";
    const result = plan(snapshotFromFiles({ "a/Dockerfile": `FROM debian:bookworm-slim\n${body}`, "b/Dockerfile": `FROM debian:bookworm\n${body}` }));
    assert.equal(result.groups[0]?.base, undefined);
    const dockerfile = parseDockerfile(result.changes.find((change) => change.path === "Dockerfile")?.after ?? "");
    assert.deepEqual(
      dockerfile.stages.map((stage) => [stage.name, stage.base.raw, stage.instructions.length]),
      [
        ["a", "debian:bookworm-slim", 6],
        ["b", "debian:bookworm", 6],
      ],
    );
    assert.match(dockerfile.text, /^COPY a\/ \.$/m);
  });

  it("moves context sources under the service directory, cleaned as BuildKit cleans them", () => {
    assert.equal(prefixedSource("services/api", "."), "services/api/");
    assert.equal(prefixedSource("services/api", "./src/"), "services/api/src/");
    assert.equal(prefixedSource("services/api", "../../etc/passwd"), "services/api/etc/passwd");
    assert.equal(prefixedSource("services/api", "/package*.json"), "services/api/package*.json");
    assert.equal(prefixedSource("", "../x"), "../x");
  });

  it("rewrites COPY, ADD and bind mounts but not URLs or --from copies", () => {
    const body = (name: string): string =>
      [
        "FROM debian:bookworm-slim",
        "WORKDIR /app",
        "ENV A=1",
        "RUN --mount=type=bind,target=/src,rw true",
        'COPY ["my file.txt", "./"]',
        "ADD https://example.com/a.tar.gz /tmp/",
        "COPY --from=busybox:1.36 /bin/busybox /bin/",
        "RUN --mount=source=scripts,target=/s sh /s/run.sh",
        `CMD ["${name}"]`,
        "",
      ].join("\n");
    const result = plan(snapshotFromFiles({ "svc/one/Dockerfile": body("one"), "svc/two/Dockerfile": body("two"), "svc/one/my file.txt": "1", "svc/two/my file.txt": "2" }));
    const dockerfile = result.changes.find((change) => change.path === "svc/Dockerfile")?.after ?? "";
    assert.match(dockerfile, /^RUN --mount=type=bind,target=\/src,rw,source=one true$/m);
    assert.match(dockerfile, /^COPY \["one\/my file\.txt","\.\/"\]$/m);
    assert.match(dockerfile, /^ADD https:\/\/example\.com\/a\.tar\.gz \/tmp\/$/m);
    assert.match(dockerfile, /^COPY --from=busybox:1\.36 \/bin\/busybox \/bin\/$/m);
    assert.match(dockerfile, /^RUN --mount=source=two\/scripts,target=\/s sh \/s\/run\.sh$/m);
    // The base stops before the first bind mount of the context.
    assert.deepEqual(result.groups[0]?.base, { stage: "base", instructions: 3 });
  });

  it("scopes .dockerignore patterns to a directory with the same verdicts", () => {
    const patterns = ["node_modules", "**/*.tmp", "**.md", "!README.md", "dist/**", "*.log"];
    const original = compileDockerignore(patterns);
    const scoped = compileDockerignore(patterns.map((pattern) => scopedPattern("services/api", pattern)));
    const files = ["node_modules/x/index.js", "a/b/c.tmp", "c.tmp", "docs/guide.md", "README.md", "dist/app.js", "x.log", "src/x.log", "src/main.js"];
    for (const file of files) assert.equal(scoped.excludes(`services/api/${file}`), original.excludes(file), file);
  });

  it("edits compose with CRLF line ends, comments and block maps, and nothing else", () => {
    const compose = [
      "# services",
      "services:",
      "  one:   # first",
      "    build:",
      "      context: ./one",
      "      args:",
      "        A: \"1\"   # kept",
      "    image: acme/one:1.2",
      "  two:",
      "    build: ./two  ",
      "    command: [\"run\"]",
      "",
    ].join("\r\n");
    const body = (name: string): string => `FROM debian:bookworm-slim\r\nWORKDIR /app\r\nENV A=1\r\nRUN true\r\nCOPY . .\r\nCMD ["${name}"]\r\n`;
    const result = plan(snapshotFromFiles({ "docker-compose.yml": compose, "one/Dockerfile": body("one"), "two/Dockerfile": body("two") }));
    const edited = result.changes.find((change) => change.path === "docker-compose.yml")?.after ?? "";
    assert.equal(
      edited,
      [
        "# services",
        "services:",
        "  one:   # first",
        "    build:",
        "      context: .",
        "      args:",
        "        A: \"1\"   # kept",
        "      target: one",
        "    image: acme/one:1.2",
        "  two:",
        "    build:",
        "      context: .",
        "      target: two  ",
        "    command: [\"run\"]",
        "",
      ].join("\r\n"),
    );
    const bake = result.changes.find((change) => change.path === "docker-bake.hcl")?.after ?? "";
    assert.match(bake, /tags {7}= \["acme\/one:1\.2"\]/);
    assert.match(bake, /args = \{\n {4}A = "1"\n {2}\}/);
    assert.match(result.changes.find((change) => change.path === "Dockerfile")?.after ?? "", /^COPY one\/ \.\r$/m);
  });
});

describe("consolidate: bake args", () => {
  it("passes a global ARG from its variable unless compose sets it for the service", () => {
    const body = (name: string): string => `ARG BASE_TAG=bookworm-slim\nFROM debian:\${BASE_TAG}\nWORKDIR /app\nENV A=1\nRUN true\nCOPY . .\nCMD ["${name}"]\n`;
    const compose = "services:\n  one:\n    build: one\n  two:\n    build:\n      context: two\n      args:\n        BASE_TAG: bookworm\n        EXTRA: \"x\"\n";
    const result = plan(snapshotFromFiles({ "compose.yaml": compose, "one/Dockerfile": body("one"), "two/Dockerfile": body("two") }));
    const bake = result.changes.find((change) => change.path === "docker-bake.hcl")?.after ?? "";
    assert.match(bake, /variable "BASE_TAG" \{\n {2}default = "bookworm-slim"\n\}/);
    assert.match(bake, /target "one" \{[^]*?args = \{\n {4}BASE_TAG = BASE_TAG\n {2}\}/);
    assert.match(bake, /target "two" \{[^]*?args = \{\n {4}BASE_TAG = "bookworm"\n {4}EXTRA {4}= "x"\n {2}\}/);
  });
});

describe("bake rendering", () => {
  it("escapes HCL template syntax in literal strings", () => {
    assert.equal(hclString('a "b" \\ ${c} %{d} $e'), '"a \\"b\\" \\\\ $${c} %%{d} $e"');
  });

  it("renders variables, the default group and targets", () => {
    const text = renderBake({
      header: ["generated"],
      variables: [{ name: "TAG", default: "latest" }],
      groups: [{ name: "default", targets: ["a", "b"] }],
      targets: [
        { name: "a", context: ".", dockerfile: "Dockerfile", target: "a", tags: [["x/a:", { variable: "TAG" }]], args: [{ name: "V", value: [{ variable: "V" }] }, { name: "my.arg", value: ["${literal}"] }] },
        { name: "b", context: "svc", dockerfile: "Dockerfile", target: "b", tags: [["b"]], args: [] },
      ],
    });
    assert.equal(
      text,
      [
        "# generated",
        "",
        'variable "TAG" {',
        '  default = "latest"',
        "}",
        "",
        'group "default" {',
        '  targets = ["a", "b"]',
        "}",
        "",
        'target "a" {',
        '  context    = "."',
        '  dockerfile = "Dockerfile"',
        '  target     = "a"',
        '  tags       = ["x/a:${TAG}"]',
        "  args = {",
        "    V        = V",
        '    "my.arg" = "$${literal}"',
        "  }",
        "}",
        "",
        'target "b" {',
        '  context    = "svc"',
        '  dockerfile = "Dockerfile"',
        '  target     = "b"',
        '  tags       = ["b"]',
        "}",
        "",
      ].join("\n"),
    );
  });
});

describe("shipshape fix --consolidate (CLI, on a temporary copy of examples/shop)", () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-consolidate-"));
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));
  const copy = path.join(scratch, "shop");
  fs.cpSync(shopDir, copy, { recursive: true });
  const io = (output: { stdout: string; stderr: string }) => ({
    stdout: (text: string) => void (output.stdout += text),
    stderr: (text: string) => void (output.stderr += text),
    cwd: scratch,
    env: {},
    isTTY: false,
  });

  it("prints a diff git can apply and the summary, and writes nothing without --write", async () => {
    const output = { stdout: "", stderr: "" };
    assert.equal(await runCli(["fix", "--consolidate", "shop"], io(output)), 0);
    assert.match(output.stderr, /^ {2}shop\/services\/api\/Dockerfile -> Dockerfile target api$/m);
    assert.match(output.stderr, /^ {2}shop\/services\/worker\/Dockerfile -> Dockerfile target worker$/m);
    assert.match(output.stdout, /\+\+\+ \/dev\/null/);
    assert.ok(fs.existsSync(path.join(copy, "services/api/Dockerfile")));
    assert.ok(!fs.existsSync(path.join(copy, "services/Dockerfile")));
    execFileSync("git", ["apply", "--check", "-p2", "-"], { cwd: copy, input: output.stdout });
  });

  it("--write creates the new files, edits compose and removes the old Dockerfiles", async () => {
    const output = { stdout: "", stderr: "" };
    assert.equal(await runCli(["fix", "--consolidate", "--write", "shop"], io(output)), 0, output.stdout + output.stderr);
    assert.match(output.stdout, /2 Dockerfiles consolidated into shop\/services\/Dockerfile/);
    assert.ok(!fs.existsSync(path.join(copy, "services/api/Dockerfile")));
    assert.ok(!fs.existsSync(path.join(copy, "services/worker/Dockerfile")));
    const expected = path.join(fixtures, "shop/expected");
    for (const file of ["services/Dockerfile", "services/Dockerfile.dockerignore", "docker-bake.hcl", "docker-compose.yml"]) {
      assert.equal(fs.readFileSync(path.join(copy, file), "utf8"), fs.readFileSync(path.join(expected, file), "utf8"), file);
    }
    // Run again: nothing left to consolidate.
    const again = { stdout: "", stderr: "" };
    assert.equal(await runCli(["fix", "--consolidate", "shop"], io(again)), 0);
    assert.equal(again.stdout, "");
    assert.match(again.stderr, /no Dockerfiles similar enough/);
  });

  it("refuses options of the other fixes", async () => {
    const output = { stdout: "", stderr: "" };
    assert.equal(await runCli(["fix", "--consolidate", "--rule", "apt-use-apt-get", "shop"], io(output)), 2);
    assert.match(output.stderr, /--consolidate is a fix of its own/);
  });
});
