import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfig } from "../../src/audit/config.ts";
import { runFixes, SUPERSEDED_BY, withoutSuperseded } from "../../src/fix/run-fixes.ts";
import { snapshotFromFiles } from "../../src/repo/memory.ts";
import { allRules } from "../../src/rules/index.ts";
import type { DockerfileRule } from "../../src/rules/types.ts";

const ruleIds = new Set(allRules.map((rule) => rule.meta.id));

function fixed(files: Record<string, string | number>, options: Parameters<typeof runFixes>[1] = {}): { text: string; result: ReturnType<typeof runFixes> } {
  const result = runFixes(snapshotFromFiles(files), options);
  const change = result.changes.find((candidate) => candidate.path === "Dockerfile");
  return { text: change?.after ?? (files.Dockerfile as string), result };
}

describe("runFixes: fixes on neighbouring lines", () => {
  // Seen on a real project: the manifest-first reordering replaced `COPY . .` + `RUN npm install`,
  // and --omit=dev, an insertion at the end of the old `npm install`, landed after `COPY ./ /app/`.
  it("an insertion at the end of a reordered range lands on the instruction it was made for", () => {
    const { text } = fixed({ Dockerfile: "FROM node:22\nWORKDIR  /app\nCOPY ./ /app/\nRUN npm install\nCMD [\"node\",\"server.js\"]\n", "package.json": '{"name":"a","dependencies":{"express":"4"},"devDependencies":{"nodemon":"3"}}' }, { level: "rewrite" });
    for (const line of text.split("\n")) if (line.startsWith("COPY")) assert.doesNotMatch(line, /--omit|--production/, text);
    assert.match(text, /^RUN .*npm install --omit=dev$/m, text);
  });
});

describe("runFixes: contradicting fixes", () => {
  it("names real rules in the supersession table", () => {
    for (const [loser, winners] of Object.entries(SUPERSEDED_BY)) {
      assert.ok(ruleIds.has(loser), loser);
      for (const winner of winners) assert.ok(ruleIds.has(winner), winner);
    }
  });

  it("pip: the cache mount wins over --no-cache-dir, and pip-no-cache-dir stops firing once the mount is there", () => {
    const { text, result } = fixed({ Dockerfile: "FROM python:3.12-slim\nRUN pip install flask\n" });
    assert.equal(text, "FROM python:3.12-slim\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask\n");
    assert.deepEqual(result.applied.map((fix) => fix.rule), ["python-cache-mount-missing"]);
    assert.ok(!result.remaining.files.some((file) => file.findings.some((finding) => finding.rule === "pip-no-cache-dir")));
  });

  it("apt: the cache mounts win over rm -rf /var/lib/apt/lists/*, and apt-lists-not-removed stops firing", () => {
    const { text, result } = fixed({ Dockerfile: "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n" });
    assert.doesNotMatch(text, /rm -rf \/var\/lib\/apt\/lists/);
    assert.match(text, /--mount=type=cache,target=\/var\/lib\/apt,sharing=locked/);
    assert.ok(!result.applied.some((fix) => fix.rule === "apt-lists-not-removed"));
    assert.ok(!result.remaining.files.some((file) => file.findings.some((finding) => finding.rule === "apt-lists-not-removed")));
  });

  it("node: the npm cache mount leaves package-cache-in-layer nothing to report", () => {
    const files = { Dockerfile: "FROM node:22-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\n", "package.json": "{}", "package-lock.json": "{}" };
    const before = fixed(files, { rules: [] }).result;
    assert.equal(before.applied.length, 0);
    const { text, result } = fixed(files);
    assert.match(text, /RUN --mount=type=cache,target=\/root\/\.npm npm ci/);
    assert.ok(!result.remaining.files.some((file) => file.findings.some((finding) => finding.rule === "package-cache-in-layer")));
  });

  it("applies the loser's fix when --rule selects only it", () => {
    const { text } = fixed({ Dockerfile: "FROM python:3.12-slim\nRUN pip install flask\n" }, { only: new Set(["pip-no-cache-dir"]) });
    assert.equal(text, "FROM python:3.12-slim\nRUN pip install --no-cache-dir flask\n");
  });

  it("withholds a superseded fix only on the same instruction of the same file", () => {
    const groups = [
      { rule: "pip-no-cache-dir", path: "Dockerfile", line: 2, endLine: 3 },
      { rule: "python-cache-mount-missing", path: "Dockerfile", line: 3, endLine: 3 },
      { rule: "pip-no-cache-dir", path: "Dockerfile", line: 5, endLine: 5 },
      { rule: "pip-no-cache-dir", path: "other/Dockerfile", line: 3, endLine: 3 },
    ];
    assert.deepEqual(
      withoutSuperseded(groups).map((group) => `${group.rule}@${group.path}:${group.line}`),
      ["python-cache-mount-missing@Dockerfile:3", "pip-no-cache-dir@Dockerfile:5", "pip-no-cache-dir@other/Dockerfile:3"],
    );
  });
});

describe("runFixes: what is not fixed", () => {
  it("leaves suppressed findings alone (hadolint and shipshape comments)", () => {
    const dockerfile = "FROM debian:bookworm-slim\n# hadolint ignore=DL3015\nRUN apt-get install -y curl\n# shipshape ignore=apt-no-install-recommends\nRUN apt-get install -y jq\nRUN apt-get install -y less\n";
    const { text } = fixed({ Dockerfile: dockerfile }, { only: new Set(["apt-no-install-recommends"]), level: "rewrite" });
    assert.equal(text, "FROM debian:bookworm-slim\n# hadolint ignore=DL3015\nRUN apt-get install -y curl\n# shipshape ignore=apt-no-install-recommends\nRUN apt-get install -y jq\nRUN apt-get install --no-install-recommends -y less\n");
  });

  it("leaves rules the config ignores or turns off alone", () => {
    const config = parseConfig("ignore: [shell-form-cmd]\nrules:\n  apt-no-install-recommends: \"off\"\n", "shipshape.config.yaml", ruleIds);
    const dockerfile = "FROM debian:bookworm-slim\nRUN apt-get install -y curl\nCMD curl --version\n";
    const { result } = fixed({ Dockerfile: dockerfile }, { config, level: "rewrite" });
    assert.ok(!result.applied.some((fix) => fix.rule === "shell-form-cmd" || fix.rule === "apt-no-install-recommends"));
    assert.ok(result.applied.length > 0, "other fixes still apply");
  });

  it("never overwrites an existing file with a created one", () => {
    const creating: DockerfileRule = {
      meta: { id: "test-create", description: "", impact: "low", category: "speed", scope: "dockerfile", hadolint: [], fixable: true, fixLevel: "safe" },
      check: () => [{ message: "create", line: 1, createFile: { path: "README.md", text: "new\n" } }],
    };
    const files = { Dockerfile: "FROM scratch\n", "README.md": "old\n" };
    const result = runFixes(snapshotFromFiles(files), { rules: [creating] });
    assert.deepEqual(result.changes, []);
  });

  it("stops after the pass limit when a fix keeps firing, and says so", () => {
    let counter = 0;
    const restless: DockerfileRule = {
      meta: { id: "test-restless", description: "", impact: "low", category: "speed", scope: "dockerfile", hadolint: [], fixable: true, fixLevel: "safe" },
      check: ({ dockerfile }) => [{ message: "again", line: 1, fix: [{ start: dockerfile.text.length, end: dockerfile.text.length, text: `# ${counter++}\n` }] }],
    };
    const result = runFixes(snapshotFromFiles({ Dockerfile: "FROM scratch\n" }), { rules: [restless], maxPasses: 3 });
    assert.equal(result.passes, 3);
    assert.equal(result.converged, false);
    assert.equal(result.unapplied.length, 1);
    // The next run would change it again: nothing of it is written.
    assert.deepEqual(result.changes, []);
    assert.deepEqual(result.applied, []);
    assert.deepEqual(result.rejected.map((entry) => entry.path), ["Dockerfile"]);
    assert.match(result.rejected[0]?.reason ?? "", /did not settle after 3 passes \(test-restless at line 1 kept changing it\)/);
  });

  it("does not write a Dockerfile whose fixes would swallow the next instruction into a RUN", () => {
    const dangling: DockerfileRule = {
      meta: { id: "test-dangling", description: "", impact: "low", category: "speed", scope: "dockerfile", hadolint: [], fixable: true, fixLevel: "safe" },
      check: ({ dockerfile }) => (dockerfile.text.includes("curl \\") ? [] : [{ message: "x", line: 2, fix: [{ start: dockerfile.text.indexOf("curl") + 4, end: dockerfile.text.indexOf("curl") + 4, text: " \\" }] }]),
    };
    const files = { Dockerfile: "FROM debian\nRUN apt-get install -y curl\nCOPY app /app\n" };
    const result = runFixes(snapshotFromFiles(files), { rules: [dangling] });
    assert.deepEqual(result.changes, []);
    assert.deepEqual(result.rejected.map((entry) => entry.path), ["Dockerfile"]);
    assert.match(result.rejected[0]?.reason ?? "", /the COPY at line 3 is gone .*test-dangling/);
  });

  it("does not write a Dockerfile whose fix leaves a RUN that no longer parses as shell", () => {
    const unbalanced: DockerfileRule = {
      meta: { id: "test-unbalanced", description: "", impact: "low", category: "speed", scope: "dockerfile", hadolint: [], fixable: true, fixLevel: "safe" },
      check: ({ dockerfile }) => (dockerfile.text.includes("(") ? [] : [{ message: "x", line: 2, fix: [{ start: dockerfile.text.indexOf("curl"), end: dockerfile.text.indexOf("curl"), text: "( " }] }]),
    };
    const result = runFixes(snapshotFromFiles({ Dockerfile: "FROM debian\nRUN apt-get install -y curl\n" }), { rules: [unbalanced] });
    assert.deepEqual(result.changes, []);
    assert.match(result.rejected[0]?.reason ?? "", /the RUN at line 2 no longer parses as shell/);
  });
});

describe("runFixes: result", () => {
  it("reports each applied fix with its pass, and a second run changes nothing", () => {
    const files = { Dockerfile: "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm install\nCMD npm start\n", "package.json": "{}", "package-lock.json": "{}", "server.js": "", "node_modules/a/index.js": 100 };
    const first = runFixes(snapshotFromFiles(files), { level: "rewrite" });
    assert.ok(first.converged);
    // The COPY split waits for the .dockerignore that keeps the host's node_modules out of the later COPY . .
    assert.ok(first.passes >= 2, "the COPY split waits for the .dockerignore");
    assert.deepEqual([...new Set(first.applied.map((fix) => fix.pass))].sort(), Array.from({ length: first.passes }, (_, index) => index + 1));
    assert.deepEqual(first.changes.map((change) => [change.path, change.before === undefined]), [[".dockerignore", true], ["Dockerfile", false]]);
    const again = { ...files, ...Object.fromEntries(first.changes.map((change) => [change.path, change.after])) };
    const second = runFixes(snapshotFromFiles(again), { level: "rewrite" });
    assert.deepEqual(second.changes, []);
  });
});

describe("runFixes: levels (docs/fix.md, What safe means)", () => {
  const dockerfile = "FROM debian:bookworm-slim\nRUN apt update && apt install -y curl\nCMD curl --version\n";

  it("applies only safe fixes by default and lists the rewrite-level ones it left", () => {
    const { text, result } = fixed({ Dockerfile: dockerfile });
    assert.equal(text, "FROM debian:bookworm-slim\nRUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,sharing=locked apt-get update && apt-get install -y curl\nCMD curl --version\n");
    assert.deepEqual([...new Set(result.withheld.map((item) => item.finding.rule))].sort(), ["apt-docker-clean-active", "apt-no-install-recommends", "shell-form-cmd"]);
    for (const item of result.withheld) assert.equal(item.finding.fixLevel, "rewrite");
  });

  it("applies the rewrite-level fixes too at the rewrite level", () => {
    const { text, result } = fixed({ Dockerfile: dockerfile }, { level: "rewrite" });
    assert.match(text, /install --no-install-recommends -y curl/);
    assert.match(text, /^CMD \["curl", "--version"\]$/m);
    assert.deepEqual(result.withheld, []);
  });

  it("a report's own level wins over its rule's, and a fixable rule without a level counts as rewrite", () => {
    const rule = (id: string, metaLevel: "safe" | "rewrite" | undefined, reportLevel: "safe" | "rewrite" | undefined): DockerfileRule => ({
      meta: { id, description: "", impact: "low", category: "speed", scope: "dockerfile", hadolint: [], fixable: true, ...(metaLevel ? { fixLevel: metaLevel } : {}) },
      check: ({ dockerfile: model }) => (model.text.includes(`# ${id}`) ? [] : [{ message: id, line: 1, fix: [{ start: model.text.length, end: model.text.length, text: `# ${id}\n` }], ...(reportLevel ? { fixLevel: reportLevel } : {}) }]),
    });
    const rules = [rule("raised", "safe", "rewrite"), rule("lowered", "rewrite", "safe"), rule("undeclared", undefined, undefined), rule("plain", "safe", undefined)];
    const safe = runFixes(snapshotFromFiles({ Dockerfile: "FROM scratch\n" }), { rules });
    assert.deepEqual(safe.applied.map((fix) => fix.rule).sort(), ["lowered", "plain"]);
    assert.deepEqual(safe.withheld.map((item) => item.finding.rule).sort(), ["raised", "undeclared"]);
    const all = runFixes(snapshotFromFiles({ Dockerfile: "FROM scratch\n" }), { rules, level: "rewrite" });
    assert.deepEqual(all.applied.map((fix) => fix.rule).sort(), ["lowered", "plain", "raised", "undeclared"]);
  });
});
