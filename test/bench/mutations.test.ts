import assert from "node:assert/strict";
import fs from "node:fs";
import { describe, it } from "node:test";
import vm from "node:vm";
import { parseDockerfile } from "../../src/dockerfile/parse.ts";
import {
  appendComment,
  detectEcosystem,
  DOCKERFILE_BENCH_LABEL,
  mutateDockerfile,
  mutateManifest,
  mutatePackageJson,
  mutateSource,
  PACKAGE_JSON_BENCH_FIELD,
  pickManifest,
  pickSourceFile,
} from "../../src/bench/mutations.ts";

const API_DIR = new URL("../../examples/shop/services/api/", import.meta.url);

describe("pickSourceFile: the file the code scenario changes, per ecosystem", () => {
  it("node: a source file under src/, never tests, declarations, build output or node_modules", () => {
    const files = ["package.json", "src/server.test.ts", "dist/server.js", "node_modules/express/index.js", "src/types.d.ts", "vite.config.ts", "src/util/format.ts", "src/server.ts"];
    assert.deepEqual(pickSourceFile(files), { path: "src/server.ts", ecosystem: "node" });
    assert.deepEqual(pickSourceFile(["package.json", "index.js", "lib/a.js"]), { path: "index.js", ecosystem: "node" });
  });

  it("python: app.py or main.py before other modules, tests excluded", () => {
    const files = ["requirements.txt", "tests/test_app.py", "helpers.py", "test_main.py", "app.py"];
    assert.deepEqual(pickSourceFile(files), { path: "app.py", ecosystem: "python" });
    assert.deepEqual(pickSourceFile(["pyproject.toml", "pkg/core.py", "conftest.py"]), { path: "pkg/core.py", ecosystem: "python" });
  });

  it("go: main.go, then cmd/*/main.go, never _test.go or vendor/", () => {
    assert.deepEqual(pickSourceFile(["go.mod", "main_test.go", "vendor/x/y.go", "server.go", "main.go"]), { path: "main.go", ecosystem: "go" });
    assert.deepEqual(pickSourceFile(["go.mod", "internal/db.go", "cmd/api/main.go"]), { path: "cmd/api/main.go", ecosystem: "go" });
  });

  it("rust: src/main.rs, then src/lib.rs, never target/", () => {
    assert.deepEqual(pickSourceFile(["Cargo.toml", "target/debug/build.rs", "src/util.rs", "src/main.rs"]), { path: "src/main.rs", ecosystem: "rust" });
    assert.deepEqual(pickSourceFile(["Cargo.toml", "src/lib.rs", "src/util.rs"]), { path: "src/lib.rs", ecosystem: "rust" });
  });

  it("java: a class under src/main, not under src/test", () => {
    const files = ["pom.xml", "src/test/java/shop/AppTest.java", "src/main/java/shop/App.java"];
    assert.deepEqual(pickSourceFile(files), { path: "src/main/java/shop/App.java", ecosystem: "java" });
  });

  it("without a manifest the ecosystem with the most source files wins; none at all gives undefined", () => {
    assert.equal(detectEcosystem(["a.py", "b.py", "tools/x.go"]), "python");
    assert.equal(pickSourceFile(["README.md", "Dockerfile"]), undefined);
  });
});

describe("pickManifest: the file the deps scenario changes", () => {
  it("takes the shallowest manifest, package.json and requirements.txt first", () => {
    assert.deepEqual(pickManifest(["packages/a/package.json", "package.json", "package-lock.json"]), { path: "package.json", ecosystem: "node" });
    assert.deepEqual(pickManifest(["requirements-dev.txt", "pyproject.toml", "requirements.txt"]), { path: "requirements.txt", ecosystem: "python" });
    assert.deepEqual(pickManifest(["go.sum", "go.mod"]), { path: "go.mod", ecosystem: "go" });
    assert.deepEqual(pickManifest(["Cargo.lock", "Cargo.toml"]), { path: "Cargo.toml", ecosystem: "rust" });
    assert.deepEqual(pickManifest(["pom.xml"]), { path: "pom.xml", ecosystem: "java" });
    assert.equal(pickManifest(["node_modules/x/package.json", "README.md"]), undefined);
  });
});

describe("source changes: a comment in the file's own syntax", () => {
  it("appends to TypeScript/JavaScript so that the file still parses and runs the same", () => {
    const original = "function add(a, b) {\n  return a + b;\n}";
    const changed = mutateSource("src/math.js", original, "shipshape bench 1");
    assert.ok(changed.startsWith(`${original}\n`));
    assert.match(changed, /\n\/\/ shipshape bench 1\n$/);
    assert.equal(vm.runInNewContext(`${changed}\nadd(2, 3);`), 5);
  });

  it("uses # for Python and // for Go, Rust and Java, keeping every original line", () => {
    for (const [file, syntax] of [["app.py", "# "], ["main.go", "// "], ["src/main.rs", "// "], ["src/main/java/App.java", "// "]] as const) {
      const original = "line one\nline two\n";
      const changed = mutateSource(file, original, "marker-7");
      assert.equal(changed, `${original}${syntax}marker-7\n`, file);
    }
  });

  it("keeps CRLF line endings and differs for each marker", () => {
    assert.equal(mutateSource("app.py", "print(1)\r\n", "m"), "print(1)\r\n# m\r\n");
    assert.notEqual(mutateSource("app.py", "x = 1\n", "run-1"), mutateSource("app.py", "x = 1\n", "run-2"));
  });

  it("refuses a file whose comment syntax it does not know", () => {
    assert.throws(() => appendComment("data.bin", "x", "m"), /no known comment syntax/);
  });
});

describe("manifest changes keep the dependencies", () => {
  it("package.json: one extra top-level field, every other field as it was, so npm ci still accepts the lockfile", () => {
    const text = fs.readFileSync(new URL("package.json", API_DIR), "utf8");
    const lock = JSON.parse(fs.readFileSync(new URL("package-lock.json", API_DIR), "utf8")) as { packages: Record<string, Record<string, unknown>> };
    const changed = mutatePackageJson(text, "shipshape bench 42");
    assert.notEqual(changed, text);
    const before = JSON.parse(text) as Record<string, unknown>;
    const after = JSON.parse(changed) as Record<string, unknown>;
    assert.equal(after[PACKAGE_JSON_BENCH_FIELD], "shipshape bench 42");
    const { [PACKAGE_JSON_BENCH_FIELD]: _added, ...rest } = after;
    assert.deepEqual(rest, before);
    // npm ci compares package.json with what the lockfile recorded for the root package.
    const root = lock.packages[""] ?? {};
    assert.ok(Object.keys(root).includes("dependencies"));
    for (const [key, value] of Object.entries(root)) assert.deepEqual(after[key], value, key);
    assert.deepEqual(Object.keys(after).slice(0, -1), Object.keys(before), "field order kept");
  });

  it("package.json: keeps the indentation, CRLF and a missing final newline", () => {
    assert.equal(mutatePackageJson('{\n    "name": "a"\n}\n', "m"), '{\n    "name": "a",\n    "shipshapeBench": "m"\n}\n');
    assert.equal(mutatePackageJson('{\n\t"name": "a"\n}', "m"), '{\n\t"name": "a",\n\t"shipshapeBench": "m"\n}');
    assert.equal(mutatePackageJson('{\r\n  "name": "a"\r\n}\r\n', "m"), '{\r\n  "name": "a",\r\n  "shipshapeBench": "m"\r\n}\r\n');
    assert.throws(() => mutatePackageJson("{ broken", "m"), /not valid JSON/);
    assert.throws(() => mutatePackageJson("[1]", "m"), /not a JSON object/);
  });

  it("requirements.txt, go.mod and Cargo.toml: a comment line, requirements unchanged", () => {
    const requirements = "flask==3.0.0\nrequests>=2\n";
    const changed = mutateManifest("requirements.txt", requirements, "m");
    const requirementLines = (text: string) => text.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("#"));
    assert.deepEqual(requirementLines(changed), requirementLines(requirements));
    assert.equal(changed, `${requirements}# m\n`);
    assert.equal(mutateManifest("go.mod", "module shop\n\ngo 1.19\n", "m"), "module shop\n\ngo 1.19\n// m\n");
    assert.equal(mutateManifest("Cargo.toml", '[package]\nname = "p"', "m"), '[package]\nname = "p"\n# m\n');
  });

  it("pom.xml: an XML comment inside <project>", () => {
    const pom = "<?xml version=\"1.0\"?>\n<project>\n  <artifactId>a</artifactId>\n</project>\n";
    const changed = mutateManifest("pom.xml", pom, "m");
    assert.equal(changed, "<?xml version=\"1.0\"?>\n<project>\n  <artifactId>a</artifactId>\n<!-- m -->\n</project>\n");
  });
});

describe("Dockerfile change: a LABEL before the built stage's last instruction", () => {
  const dockerfile = "FROM node:22 AS build\nWORKDIR /src\nRUN npm ci && \\\n    npm run build\n\nFROM node:22-slim\nCOPY --from=build /src/dist /app\n# start\nCMD [\"node\", \"/app/server.js\"]\n";

  it("goes before the final stage's last instruction, other instructions untouched", () => {
    const changed = mutateDockerfile(dockerfile, "abc");
    const before = parseDockerfile(dockerfile);
    const after = parseDockerfile(changed);
    const final = after.stages.at(-1);
    assert.deepEqual(final?.instructions.map((instruction) => instruction.keyword), ["COPY", "LABEL", "CMD"]);
    assert.equal(final?.instructions[1]?.argumentText, `${DOCKERFILE_BENCH_LABEL}="abc"`);
    assert.deepEqual(after.stages[0]?.instructions.map((instruction) => instruction.argumentText), before.stages[0]?.instructions.map((instruction) => instruction.argumentText));
    assert.equal(changed.replace(`LABEL ${DOCKERFILE_BENCH_LABEL}="abc"\n`, ""), dockerfile);
  });

  it("follows --target, and never splits a continued instruction", () => {
    const changed = mutateDockerfile(dockerfile, "abc", "build");
    assert.ok(changed.includes('WORKDIR /src\nLABEL shipshape.bench="abc"\nRUN npm ci && \\\n    npm run build\n'), changed);
    assert.deepEqual(parseDockerfile(changed).stages[1]?.instructions.map((instruction) => instruction.keyword), ["COPY", "CMD"]);
  });

  it("adds the label after a lone FROM; unknown targets are an error", () => {
    assert.equal(mutateDockerfile("FROM debian:bookworm-slim", "x"), 'FROM debian:bookworm-slim\nLABEL shipshape.bench="x"\n');
    assert.equal(mutateDockerfile("FROM a\nFROM b AS last\n", "x"), 'FROM a\nFROM b AS last\nLABEL shipshape.bench="x"\n');
    assert.throws(() => mutateDockerfile(dockerfile, "x", "nope"), /no stage named "nope"/);
  });
});
