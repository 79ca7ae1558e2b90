// Golden tests: each case of test/fixtures/fix/ is fixed in memory and compared byte for byte
// with expected.Dockerfile (and expected.dockerignore when the fix must create one) with the
// fixes of both levels, and with expected.safe.Dockerfile with the safe fixes only. Fixing the
// expected output again must change nothing (idempotence), and the generated .dockerignore
// must keep every file the Dockerfile names.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseDockerfile } from "../../src/dockerfile/parse.ts";
import { sourcesLosingAllFiles } from "../../src/rules/support/dockerignore-generator.ts";
import { runFixes } from "../../src/fix/run-fixes.ts";
import { allRules } from "../../src/rules/index.ts";
import { snapshotFromFiles } from "../../src/repo/memory.ts";
import { buildRepositoryView } from "../../src/repo/view.ts";
import { goldenCases } from "./golden-cases.ts";

const cases = goldenCases();

describe("shipshape fix golden cases", () => {
  it("has the cases the fixer is reviewed on", () => {
    assert.deepEqual(cases.map((golden) => golden.name).sort(), ["apt-heavy", "crlf-comments", "go", "node-npm", "python-pip", "shop-api"]);
  });

  for (const golden of cases) {
    describe(golden.name, () => {
      const result = runFixes(snapshotFromFiles(golden.files), { level: "rewrite" });
      const after = new Map(result.changes.map((change) => [change.path, change]));

      it("produces expected.Dockerfile", () => {
        assert.equal(after.get("Dockerfile")?.after ?? golden.files.Dockerfile, golden.expectedDockerfile);
        assert.ok(result.converged);
      });

      it(golden.expectedDockerignore === undefined ? "creates no .dockerignore" : "creates expected.dockerignore", () => {
        const created = after.get(".dockerignore");
        if (golden.expectedDockerignore === undefined) assert.equal(created, undefined);
        else {
          assert.equal(created?.before, undefined);
          assert.equal(created?.after, golden.expectedDockerignore);
        }
        // Only the Dockerfile and the ignore file change.
        assert.deepEqual([...after.keys()].filter((path) => path !== "Dockerfile" && path !== ".dockerignore"), []);
      });

      it("is idempotent: fixing the expected output changes nothing", () => {
        const fixed = { ...golden.files, Dockerfile: golden.expectedDockerfile, ...(golden.expectedDockerignore === undefined ? {} : { ".dockerignore": golden.expectedDockerignore }) };
        const again = runFixes(snapshotFromFiles(fixed), { level: "rewrite" });
        assert.deepEqual(again.changes, []);
        assert.deepEqual(again.applied, []);
      });

      it("safe level: produces expected.safe.Dockerfile with safe fixes only, creates nothing, and is idempotent", () => {
        const safe = runFixes(snapshotFromFiles(golden.files));
        assert.ok(safe.converged);
        assert.deepEqual(safe.changes.map((change) => change.path).filter((path) => path !== "Dockerfile"), []);
        assert.equal(safe.changes.find((change) => change.path === "Dockerfile")?.after ?? golden.files.Dockerfile, golden.expectedSafeDockerfile);
        const levels = new Map(allRules.map((rule) => [rule.meta.id, rule.meta.fixLevel]));
        for (const applied of safe.applied) assert.equal(levels.get(applied.rule), "safe", `${applied.rule} is not a safe fix`);
        const again = runFixes(snapshotFromFiles({ ...golden.files, Dockerfile: golden.expectedSafeDockerfile }));
        assert.deepEqual(again.applied, []);
      });

      it("never adds a # syntax= line", () => {
        assert.doesNotMatch(golden.expectedDockerfile, /^#\s*syntax\s*=/im);
      });

      if (golden.expectedDockerignore !== undefined) {
        it("keeps every COPY/ADD source of the fixed and the original Dockerfile (Docker's matching)", () => {
          const ignore = golden.expectedDockerignore as string;
          const view = buildRepositoryView(snapshotFromFiles({ ...golden.files, ".dockerignore": ignore }));
          const context = view.contexts.get("Dockerfile");
          assert.ok(context);
          const patterns = context.dockerignore?.patterns ?? [];
          assert.ok(patterns.length > 0);
          const models = [parseDockerfile(golden.files.Dockerfile as string), parseDockerfile(golden.expectedDockerfile)];
          assert.deepEqual(sourcesLosingAllFiles(context, models, patterns), []);
          // Every real (committed) file of the fixture that the build reads is still sent.
          for (const file of ["package.json", "package-lock.json", "requirements.txt", "go.mod", "tsconfig.json"]) {
            const entry: { excluded: boolean } | undefined = context.entries.find((candidate) => candidate.path === file);
            if (entry) assert.equal(entry.excluded, false, `${file} must be sent`);
          }
        });
      }
    });
  }
});

describe("golden case details", () => {
  const byName = new Map(cases.map((golden) => [golden.name, golden]));

  it("crlf-comments: every line outside the edited spans is byte-identical, CRLF included", () => {
    const golden = byName.get("crlf-comments");
    assert.ok(golden);
    const before = (golden.files.Dockerfile as string).split("\r\n");
    const after = golden.expectedDockerfile.split("\r\n");
    assert.ok(!golden.expectedDockerfile.replace(/\r\n/g, "").includes("\n"), "no bare LF was introduced");
    // Unchanged lines appear in order in the output.
    const untouched = ["# escape=\\", "from   python:3.11-slim   as   base", "#   keep   this comment   exactly  ", "WORKDIR\t/app", "    # the packages we need", "    && pip install   -r requirements.txt   ", "# shipshape ignore=pip-no-cache-dir,python-cache-mount-missing", "RUN pip install flask==3.0.3", "copy . ."];
    for (const line of untouched) {
      assert.ok(before.includes(line), `fixture has ${line}`);
      assert.ok(after.includes(line), `output keeps ${line}`);
    }
  });

  it("python-pip: the cache mount wins over --no-cache-dir (no RUN gets both)", () => {
    const golden = byName.get("python-pip");
    assert.ok(golden);
    for (const line of golden.expectedDockerfile.split("\n").filter((text) => text.includes("pip install"))) {
      assert.match(line, /--mount=type=cache,target=\/root\/\.cache\/pip/);
      assert.doesNotMatch(line, /--no-cache-dir/);
    }
  });

  it("apt-heavy: the suppressed finding keeps its line free of --no-install-recommends, and no RUN removes the lists under a cache mount", () => {
    const golden = byName.get("apt-heavy");
    assert.ok(golden);
    const lines = golden.expectedDockerfile.split("\n");
    const suppressed = lines[lines.indexOf("# hadolint ignore=DL3015") + 1] ?? "";
    assert.match(suppressed, /apt-get install -y jq$/);
    assert.doesNotMatch(golden.expectedDockerfile, /rm -rf \/var\/lib\/apt\/lists/);
  });

  it("shop-api: tests compiled by tsc stay in the context; host node_modules and dist go", () => {
    const golden = byName.get("shop-api");
    assert.ok(golden?.expectedDockerignore);
    const patterns = golden.expectedDockerignore.split("\n").filter((line) => line !== "" && !line.startsWith("#"));
    assert.ok(patterns.includes("node_modules"));
    assert.ok(patterns.includes("dist"));
    assert.ok(!patterns.some((pattern) => /test|src/.test(pattern)));
  });
});
