// The benchmark corpus generator (bench/corpus.ts): deterministic, parseable, varied.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { CORPUS_ECOSYSTEMS, generateCorpus } from "../bench/corpus.ts";
import type { CorpusEcosystem, CorpusStats } from "../bench/corpus.ts";
import type { DockerfileModel, RunInstruction } from "../src/dockerfile/model.ts";
import { parseDockerfile } from "../src/dockerfile/parse.ts";

const COUNT = 60;
const SEED = 7;

/** Base images each ecosystem's Dockerfiles must use in at least one stage. */
const BASE_IMAGES: Record<CorpusEcosystem, RegExp> = {
  node: /(^|\/)node:/,
  python: /(^|\/)python:/,
  go: /(^|\/)golang:/,
  rust: /(^|\/)rust:|cargo-chef/,
  java: /maven:|gradle:|temurin:|corretto:|distroless\/java/,
  ruby: /(^|\/)ruby:/,
  php: /(^|\/)php:|(^|\/)composer:/,
  static: /nginx/,
  tools: /(^|\/)(debian|ubuntu|alpine):/,
};

/** Sibling files each ecosystem's projects must carry (one of). */
const MANIFESTS: Record<CorpusEcosystem, string[]> = {
  node: ["package.json"],
  python: ["requirements.txt", "pyproject.toml"],
  go: ["go.mod"],
  rust: ["Cargo.toml"],
  java: ["pom.xml", "build.gradle", "build.gradle.kts"],
  ruby: ["Gemfile"],
  php: ["composer.json"],
  static: ["nginx.conf"],
  tools: ["scripts"],
};

/** path -> size and sha256 of every file under root (large sparse data files: their first 64 KiB). */
function digestTree(root: string): Map<string, string> {
  const digests = new Map<string, string>();
  const walk = (relative: string): void => {
    for (const entry of fs.readdirSync(path.join(root, relative), { withFileTypes: true })) {
      const child = relative === "" ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else {
        const absolute = path.join(root, child);
        const size = fs.statSync(absolute).size;
        let content: Buffer;
        if (size > 4_000_000) {
          content = Buffer.alloc(65_536);
          const fd = fs.openSync(absolute, "r");
          try {
            fs.readSync(fd, content, 0, content.length, 0);
          } finally {
            fs.closeSync(fd);
          }
        } else content = fs.readFileSync(absolute);
        digests.set(child, `${size}:${crypto.createHash("sha256").update(content).digest("hex")}`);
      }
    }
  };
  walk("");
  return digests;
}

describe("benchmark corpus generator", () => {
  let tmp = "";
  let stats: CorpusStats;
  const models = new Map<string, DockerfileModel>();

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-corpus-"));
    stats = generateCorpus(path.join(tmp, "a"), { count: COUNT, seed: SEED });
    for (const dockerfile of stats.dockerfiles) {
      models.set(dockerfile.path, parseDockerfile(fs.readFileSync(path.join(tmp, "a", dockerfile.path), "utf8"), dockerfile.path));
    }
  });

  after(() => {
    if (tmp !== "") fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("writes the requested number of Dockerfiles, one project directory each", () => {
    assert.equal(stats.count, COUNT);
    assert.equal(stats.dockerfiles.length, COUNT);
    assert.equal(new Set(stats.dockerfiles.map((dockerfile) => path.posix.dirname(dockerfile.path))).size, COUNT);
    for (const dockerfile of stats.dockerfiles) assert.match(dockerfile.path, /^g\d{3}\/p\d{4}\/(Dockerfile(\.prod)?|Containerfile|[a-z]+\.Dockerfile)$/);
  });

  it("is deterministic: the same seed gives the same bytes, another seed does not", () => {
    generateCorpus(path.join(tmp, "b"), { count: COUNT, seed: SEED });
    const first = digestTree(path.join(tmp, "a"));
    const second = digestTree(path.join(tmp, "b"));
    assert.deepEqual([...second.keys()].sort(), [...first.keys()].sort());
    for (const [file, digest] of first) assert.equal(second.get(file), digest, `${file} differs between two runs with seed ${SEED}`);

    generateCorpus(path.join(tmp, "c"), { count: COUNT, seed: SEED + 1 });
    const other = digestTree(path.join(tmp, "c"));
    const same = [...first].filter(([file, digest]) => file.endsWith("Dockerfile") && other.get(file) === digest).length;
    assert.ok(same < COUNT / 4, `${same} Dockerfiles identical under another seed`);
  });

  it("extends a smaller corpus: project i depends only on the seed and i", () => {
    const small = generateCorpus(path.join(tmp, "small"), { count: 20, seed: SEED });
    for (const dockerfile of small.dockerfiles) {
      assert.equal(fs.readFileSync(path.join(tmp, "small", dockerfile.path), "utf8"), fs.readFileSync(path.join(tmp, "a", dockerfile.path), "utf8"), dockerfile.path);
    }
  });

  it("writes Dockerfiles our parser reads: stages, valid shell, nothing but ARG before FROM, 5 to 120 lines", () => {
    for (const dockerfile of stats.dockerfiles) {
      const model = models.get(dockerfile.path) as DockerfileModel;
      assert.ok(model.stages.length >= 1, `${dockerfile.path}: no stage`);
      assert.equal(model.stages.length, dockerfile.stages, `${dockerfile.path}: stage count`);
      assert.ok(model.stages.length <= 4, `${dockerfile.path}: ${model.stages.length} stages`);
      for (const instruction of model.instructions) {
        if (instruction.stageIndex < 0) assert.equal(instruction.keyword, "ARG", `${dockerfile.path}:${instruction.span.start.line}: ${instruction.keyword} before FROM`);
        if (instruction.keyword === "RUN") {
          const run = instruction as RunInstruction;
          assert.equal(run.shell.parseError, undefined, `${dockerfile.path}:${run.span.start.line}: ${run.shell.parseError ?? ""}`);
          assert.equal(run.heredocs.length, 0, `${dockerfile.path}: heredocs need frontend >= 1.4`);
        }
      }
      assert.ok(dockerfile.lines >= 5 && dockerfile.lines <= 120, `${dockerfile.path}: ${dockerfile.lines} lines`);
    }
  });

  it("covers every ecosystem with matching base images and manifests", () => {
    for (const ecosystem of CORPUS_ECOSYSTEMS) {
      const ofEcosystem = stats.dockerfiles.filter((dockerfile) => dockerfile.ecosystem === ecosystem);
      assert.ok(ofEcosystem.length > 0, `no ${ecosystem} Dockerfile`);
      assert.equal(stats.byEcosystem[ecosystem], ofEcosystem.length);
      for (const dockerfile of ofEcosystem) {
        const model = models.get(dockerfile.path) as DockerfileModel;
        const bases = model.stages.map((stage) => stage.base.resolved);
        assert.ok(bases.some((base) => BASE_IMAGES[ecosystem].test(base)), `${dockerfile.path} (${ecosystem}): bases ${bases.join(", ")}`);
        const dir = path.join(tmp, "a", path.posix.dirname(dockerfile.path));
        assert.ok(MANIFESTS[ecosystem].some((manifest) => fs.existsSync(path.join(dir, manifest))), `${dockerfile.path} (${ecosystem}): none of ${MANIFESTS[ecosystem].join(", ")}`);
      }
    }
    for (const variant of ["node-npm", "node-yarn", "node-pnpm", "python-pip", "python-poetry", "python-uv", "java-maven", "java-gradle", "tools-debian", "tools-ubuntu", "tools-alpine"]) {
      assert.ok((stats.byVariant[variant] ?? 0) > 0, `no ${variant} Dockerfile`);
    }
  });

  it("mixes single- and multi-stage builds and the features the rules look at", () => {
    const stageCounts = [...models.values()].map((model) => model.stages.length);
    assert.ok(stageCounts.some((count) => count === 1), "no single-stage Dockerfile");
    assert.ok(stageCounts.some((count) => count >= 2), "no multi-stage Dockerfile");
    assert.equal(stats.singleStage + stats.multiStage, COUNT);
    const texts = [...models.values()].map((model) => model.text);
    const some = (pattern: RegExp, what: string): void => assert.ok(texts.some((text) => pattern.test(text)), `no Dockerfile with ${what}`);
    some(/--mount=type=cache/, "a cache mount");
    some(/ \\\n/, "a line continuation");
    some(/&&/, "an && chain");
    some(/^(CMD|ENTRYPOINT) \[/m, "an exec-form CMD");
    some(/^CMD [^[]/m, "a shell-form CMD");
    some(/^USER /m, "USER");
    some(/^ENV /m, "ENV");
    some(/^LABEL /m, "LABEL");
    some(/^HEALTHCHECK /m, "HEALTHCHECK");
    some(/^# hadolint ignore=/m, "a hadolint ignore comment");
    some(/^FROM \S*\$\{?[A-Z_]+/m, "an ARG-substituted base image");
    assert.ok(stats.dockerignoreFiles > 0, "no .dockerignore");
  });

  it("refuses to overwrite a directory it did not generate", () => {
    const foreign = path.join(tmp, "foreign");
    fs.mkdirSync(foreign);
    fs.writeFileSync(path.join(foreign, "keep.txt"), "mine\n");
    assert.throws(() => generateCorpus(foreign, { count: 1 }), /not a generated corpus/);
    assert.equal(fs.readFileSync(path.join(foreign, "keep.txt"), "utf8"), "mine\n");
  });
});
