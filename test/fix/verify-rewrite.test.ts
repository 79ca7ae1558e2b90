// The pure parts of `fix --verify`: which of verify's differences a rewrite makes on purpose,
// the `verify.services` config and how probes and build targets are chosen, and the report.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfig } from "../../src/audit/config.ts";
import { renderRewriteReport, renderVerifyReport } from "../../src/fix/rewrite-report.ts";
import { composeRun, configuredAllow, probeEnvironment, probesFromConfig, targetProbes, targetsFor } from "../../src/fix/verify-changes.ts";
import { classifyDifferences, dockerfileEnvKeys, movedDirectories, rewriteIntent } from "../../src/fix/expected-differences.ts";
import type { ClassifyContext } from "../../src/fix/expected-differences.ts";
import { describeBuildError } from "../../src/fix/verify-rewrite.ts";
import type { VerifyRewriteResult } from "../../src/fix/verify-rewrite.ts";
import type { Difference } from "../../src/verify/result.ts";
import { ConfigError } from "../../src/errors.ts";

const root = { entrypoint: null, cmd: ["/bin/sh", "-c", "python app.py"], user: "" };
const nonRoot = { entrypoint: null, cmd: ["python", "app.py"], user: "app" };
const context: ClassifyContext = { before: root, after: nonRoot, originalEnv: new Set(["PORT"]) };

function difference(kind: Difference["kind"], subject: string, extra: Partial<Difference> = {}): Difference {
  return { kind, severity: "difference", subject, message: "differs", ...extra };
}

function subjects(list: readonly Difference[]): string[] {
  return list.map((entry) => `${entry.kind} ${entry.subject}`);
}

describe("classifyDifferences", () => {
  it("accepts root -> non-root, shell form -> the same words in exec form, and base-image variables", () => {
    const { expected, unexpected } = classifyDifferences([difference("config", "User"), difference("config", "Cmd"), difference("config", "Env.GOPATH"), difference("config", "Env.VIRTUAL_ENV")], context);
    assert.deepEqual(unexpected, []);
    assert.deepEqual(expected.map((entry) => entry.difference.subject), ["User", "Cmd", "Env.GOPATH", "Env.VIRTUAL_ENV"]);
    assert.ok(expected.every((entry) => entry.why.length > 0));
  });

  it("keeps a variable the original Dockerfile sets, a user that cannot be resolved, and a different command", () => {
    const changedCommand: ClassifyContext = { ...context, after: { ...nonRoot, cmd: ["python", "server.py"] } };
    const { unexpected } = classifyDifferences([difference("config", "Env.PORT"), difference("config", "User", { message: "AFTER's user cannot be resolved: no such user" }), difference("config", "Cmd")], changedCommand);
    assert.deepEqual(subjects(unexpected), ["config Env.PORT", "config User", "config Cmd"]);
  });

  it("does not take a shell command with shell syntax as the same exec-form command", () => {
    const piped: ClassifyContext = { ...context, before: { ...root, cmd: ["/bin/sh", "-c", "python app.py | tee log"] }, after: { ...nonRoot, cmd: ["python", "app.py", "|", "tee", "log"] } };
    assert.deepEqual(subjects(classifyDifferences([difference("config", "Cmd")], piped).unexpected), ["config Cmd"]);
  });

  it("accepts a binary moved out of the build tree, with the PATH that goes with it, but not a PATH change alone", () => {
    const moved: ClassifyContext = { before: { entrypoint: null, cmd: ["./target/release/pricing"], user: "" }, after: { entrypoint: null, cmd: ["/usr/local/bin/pricing"], user: "65532:65532" }, originalEnv: new Set() };
    const files = [difference("file", "/app/target/", { paths: ["/app/target/release/pricing", "/app/target/CACHEDIR.TAG"] }), difference("file", "/app/src/", { paths: ["/app/src/main.rs"] }), difference("file", "/app/Cargo.toml")];
    const result = classifyDifferences([difference("config", "Cmd"), difference("config", "Env.PATH"), ...files], moved);
    assert.deepEqual(result.unexpected, []);
    const samePlace: ClassifyContext = { ...moved, after: { ...moved.after, cmd: ["./target/release/pricing"] } };
    assert.deepEqual(subjects(classifyDifferences([difference("config", "Env.PATH")], samePlace).unexpected), ["config Env.PATH"]);
  });

  it("accepts `cargo run` replaced by the binary it runs (its --bin, the arguments after --), and nothing else", () => {
    const run = (cmd: string[], after: string[]): string[] => subjects(classifyDifferences([difference("config", "Cmd"), difference("config", "Env.PATH")], { before: { entrypoint: null, cmd, user: "" }, after: { entrypoint: null, cmd: after, user: "65532:65532" }, originalEnv: new Set() }).unexpected);
    assert.deepEqual(run(["cargo", "run", "--release"], ["/usr/local/bin/quote-service"]), []);
    assert.deepEqual(run(["cargo", "run", "--release", "--bin", "api", "--", "--port", "80"], ["/usr/local/bin/api", "--port", "80"]), []);
    assert.deepEqual(run(["cargo", "run", "--release", "--bin", "api"], ["/usr/local/bin/worker"]), ["config Cmd", "config Env.PATH"]);
    assert.deepEqual(run(["cargo", "run", "--", "--port", "80"], ["/usr/local/bin/api"]), ["config Cmd", "config Env.PATH"]);
    assert.deepEqual(run(["cargo", "test"], ["/usr/local/bin/api"]), ["config Cmd", "config Env.PATH"]);
  });

  it("accepts `npm start` replaced by the command its script runs, and nothing else", () => {
    const npm: ClassifyContext = { before: { entrypoint: null, cmd: ["/bin/sh", "-c", "npm start"], user: "" }, after: { entrypoint: null, cmd: ["node", "dist/server.js"], user: "node" }, originalEnv: new Set(), npmScripts: { start: "node dist/server.js", dev: "tsx watch src" } };
    assert.deepEqual(classifyDifferences([difference("config", "Cmd")], npm).unexpected, []);
    const exec: ClassifyContext = { ...npm, before: { ...npm.before, cmd: ["npm", "run", "start"] } };
    assert.deepEqual(classifyDifferences([difference("config", "Cmd")], exec).unexpected, []);
    const otherScript: ClassifyContext = { ...npm, npmScripts: { start: "node dist/main.js" } };
    assert.equal(classifyDifferences([difference("config", "Cmd")], otherScript).unexpected.length, 1);
    const chained: ClassifyContext = { ...npm, npmScripts: { start: "npm run build && node dist/server.js" } };
    assert.equal(classifyDifferences([difference("config", "Cmd")], chained).unexpected.length, 1);
    assert.equal(classifyDifferences([difference("config", "Cmd")], { ...npm, npmScripts: undefined }).unexpected.length, 1);
  });

  it("accepts yarn's and pnpm's script forms the same way", () => {
    const base: ClassifyContext = { before: { entrypoint: null, cmd: ["yarn", "start"], user: "" }, after: { entrypoint: null, cmd: ["node", "src/index.js"], user: "node" }, originalEnv: new Set(), npmScripts: { start: "node src/index.js", serve: "node src/index.js" } };
    for (const cmd of [["yarn", "start"], ["yarn", "serve"], ["yarn", "run", "serve"], ["pnpm", "start"], ["pnpm", "serve"], ["/bin/sh", "-c", "yarn start"]]) {
      assert.deepEqual(classifyDifferences([difference("config", "Cmd")], { ...base, before: { ...base.before, cmd } }).unexpected, [], cmd.join(" "));
    }
    // npm needs `run` for a script other than start; an unknown script name is not accepted.
    for (const cmd of [["npm", "serve"], ["yarn", "missing"], ["npx", "start"]]) {
      assert.equal(classifyDifferences([difference("config", "Cmd")], { ...base, before: { ...base.before, cmd } }).unexpected.length, 1, cmd.join(" "));
    }
  });

  it("never accepts missing application files, smoke or HTTP differences; notes are not differences", () => {
    const { expected, unexpected } = classifyDifferences(
      [difference("file", "/app/app.py"), difference("file", "/app/templates/", { paths: ["/app/templates/index.html", "/app/main.go"] }), difference("http", "GET /health"), difference("smoke", "--smoke --version"), { ...difference("config", "Env.PATH"), severity: "note" }],
      context,
    );
    assert.deepEqual(subjects(unexpected), ["file /app/app.py", "file /app/templates/", "http GET /health", "smoke --smoke --version"]);
    assert.deepEqual(expected, []);
  });

  describe("a front end moved from a Node dev server to nginx (static-site)", () => {
    const devServer = { entrypoint: null, cmd: ["npm", "run", "dev", "--", "--host", "0.0.0.0"], user: "" };
    const nginx = { entrypoint: ["/docker-entrypoint.sh"], cmd: ["nginx", "-g", "daemon off;"], user: "65532:65532", workingDir: "/" };
    const site: ClassifyContext = { before: devServer, after: nginx, originalEnv: new Set(), intent: "static-site", probed: true, assets: { before: [], after: [{ page: "/", assets: [{ path: "/assets/index-1a2b.js", status: 200 }, { path: "/favicon.svg", status: 200 }] }] } };
    const served = [
      difference("config", "Entrypoint/Cmd"),
      difference("config", "WorkingDir"),
      difference("config", "StopSignal"),
      difference("config", "ExposedPorts 80/tcp", { after: "80/tcp" }),
      difference("file", "/app/src/", { paths: ["/app/src/main.js"] }),
      difference("node-dependency", "vite"),
      difference("http", "GET /", { message: "Bodies differ at line 4." }),
    ];

    it("accepts nginx's command, directory, port and stop signal, the unshipped sources and the built page when its assets load", () => {
      const { expected, unexpected } = classifyDifferences(served, site);
      assert.deepEqual(subjects(unexpected), []);
      assert.equal(expected.length, served.length);
    });

    it("accepts none of it when an asset fails, when no probe ran, or for a removed port or another status", () => {
      const brokenAsset: ClassifyContext = { ...site, assets: { before: [], after: [{ page: "/", assets: [{ path: "/assets/index-1a2b.js", status: 404 }] }] } };
      assert.deepEqual(subjects(classifyDifferences(served, brokenAsset).unexpected), subjects(served));
      const unprobed: ClassifyContext = { ...site, probed: false, assets: undefined };
      assert.equal(classifyDifferences(served.slice(0, 6), unprobed).unexpected.length, 6);
      const { unexpected } = classifyDifferences([difference("config", "ExposedPorts 5173/tcp", { before: "5173/tcp" }), difference("http", "GET /", { message: "Status codes differ." })], site);
      assert.deepEqual(subjects(unexpected), ["config ExposedPorts 5173/tcp", "http GET /"]);
      // The build output nginx must serve is never an intended difference.
      const lost = difference("moved-file", "/usr/share/nginx/html/", { paths: ["/usr/share/nginx/html/robots.txt"] });
      assert.deepEqual(subjects(classifyDifferences([...served, lost], site).unexpected), ["moved-file /usr/share/nginx/html/"]);
      // Without the intent, the same differences stay unexpected.
      const { intent: _intent, ...noIntent } = site;
      assert.equal(classifyDifferences(served, noIntent).unexpected.length, served.length);
    });
  });

  describe("Next.js standalone", () => {
    const nextStart = { entrypoint: null, cmd: ["npm", "start"], user: "" };
    const standalone = { entrypoint: null, cmd: ["node", "server.js"], user: "node", workingDir: "/app" };
    const next: ClassifyContext = { before: nextStart, after: standalone, originalEnv: new Set(), intent: "nextjs-standalone", probed: true };

    it("accepts `node server.js`, traced dependencies and build internals once the probe answered alike", () => {
      const differences = [difference("config", "Cmd"), difference("node-dependency", "caniuse-lite"), difference("file", "/app/.next/cache/", { paths: ["/app/.next/cache/x.sst"] }), difference("file", "/app/app/page.js")];
      assert.deepEqual(classifyDifferences(differences, next).unexpected, []);
      assert.equal(classifyDifferences(differences, { ...next, probed: false }).unexpected.length, differences.length);
      assert.deepEqual(subjects(classifyDifferences([...differences, difference("http", "GET /api/health")], next).unexpected), subjects([...differences, difference("http", "GET /api/health")]));
    });

    it("never accepts missing public/ or static/ files, or another command", () => {
      const missing = [difference("file", "/app/public/logo.svg"), difference("file", "/app/.next/static/", { paths: ["/app/.next/static/chunks/a.js"] })];
      assert.deepEqual(subjects(classifyDifferences(missing, next).unexpected), ["file /app/public/logo.svg", "file /app/.next/static/"]);
      // BEFORE's build-id directory: AFTER's build has its own id.
      const buildId = difference("file", "/app/.next/static/ZTvbIrIH8ucJh1ZAGshHZ/", { paths: ["/app/.next/static/ZTvbIrIH8ucJh1ZAGshHZ/_buildManifest.js"] });
      assert.deepEqual(classifyDifferences([buildId], next).unexpected, []);
      assert.equal(classifyDifferences([difference("config", "Cmd")], { ...next, after: { ...standalone, cmd: ["node", "other.js"] } }).unexpected.length, 1);
    });
  });

  it("reads where the runtime stage takes each absolute directory from (a static site's build output)", () => {
    const rewrite = "FROM node:22 AS build\nRUN npm run build\nFROM nginx:1.28\nRUN echo conf > /etc/nginx/nginx.conf\nCOPY --from=build /app/dist/ /usr/share/nginx/html\nCOPY --from=build dist ./x\nCOPY nginx.conf /etc/nginx/\n";
    assert.deepEqual(movedDirectories(rewrite), [{ before: "/app/dist", after: "/usr/share/nginx/html" }]);
  });

  it("tells the intent from the rewrite: static-web, or a runtime stage copying Next.js's standalone output", () => {
    assert.equal(rewriteIntent("static-web", "FROM nginx:1.28\n"), "static-site");
    assert.equal(rewriteIntent("node", "FROM node:22 AS build\nRUN npm run build\nFROM node:22-slim\nCOPY --from=build /app/.next/standalone ./\nCMD [\"node\", \"server.js\"]\n"), "nextjs-standalone");
    assert.equal(rewriteIntent("node", "FROM node:22 AS build\nCOPY standalone ./\nFROM node:22-slim\nCOPY --from=build /app/dist ./dist\n"), undefined);
    assert.equal(rewriteIntent("go", "FROM scratch\nCOPY --from=build /out/standalone /\n"), undefined);
  });

  it("reads the ENV keys of every stage of a Dockerfile", () => {
    assert.deepEqual([...dockerfileEnvKeys("FROM a AS b\nENV A=1 B=2\nFROM c\nENV C 3\nARG D\n")].sort(), ["A", "B", "C"]);
  });
});

describe("verify configuration", () => {
  it("accepts verify.services with smoke, http and smokeIgnore", () => {
    const config = parseConfig("verify:\n  services:\n    api:\n      http: 3000/health\n    worker:\n      smoke: ['--version', '']\n      smokeIgnore: '\\d{4}-\\d\\d-\\d\\d'\n", "shipshape.config.yaml");
    assert.deepEqual(probesFromConfig(config.verify?.services.api), { http: { port: 3000, path: "/health" } });
    assert.deepEqual(probesFromConfig(config.verify?.services.worker), { smoke: ["--version", ""], smokeIgnore: "\\d{4}-\\d\\d-\\d\\d" });
    assert.deepEqual(probesFromConfig({ smoke: "--help" }), { smoke: ["--help"] });
    assert.equal(parseConfig("{}", "c.json").verify, undefined);
  });

  it("reads verify.allow and a service's allow; an unknown class there is a config error naming the service", () => {
    const config = parseConfig("verify:\n  allow: [user]\n  services:\n    api:\n      allow: [cmd-form, 'env NODE_ENV']\n    web:\n      allow: [labels]\n", "shipshape.config.yaml");
    assert.deepEqual(config.verify?.allow, ["user"]);
    assert.deepEqual(probesFromConfig(config.verify?.services.api, "api").allow, [{ name: "cmd-form" }, { name: "env", key: "NODE_ENV" }]);
    assert.throws(() => probesFromConfig(config.verify?.services.web, "web"), (error: unknown) => error instanceof ConfigError && /^config verify\.services\.web\.allow: unknown difference class "labels": expected one of user, cmd-form/.test(error.message));
    // Allowed differences are neither intended nor unexpected: classifyDifferences leaves them to the verify report.
    const allowed: Difference = { kind: "config", severity: "allowed", allowedBy: "workdir", subject: "WorkingDir", message: "differs" };
    assert.deepEqual(classifyDifferences([allowed], { before: { entrypoint: null, cmd: null, user: "" }, after: { entrypoint: null, cmd: null, user: "" }, originalEnv: new Set() }), { expected: [], unexpected: [] });
  });

  it("adds the config's global verify.allow to every target's probes, with the target's own allow and under the command line's probes", () => {
    const config = parseConfig("verify:\n  allow: [user, 'env:NODE_ENV']\n  services:\n    api:\n      http: 3000/health\n      allow: [cmd-form]\n", "shipshape.config.yaml");
    const global = configuredAllow(config.verify?.allow);
    assert.deepEqual(global, [{ name: "user" }, { name: "env", key: "NODE_ENV" }]);
    const api = targetProbes(probesFromConfig(config.verify?.services.api, "api"), global, { smoke: ["--version"] }, { PORT: "3000" });
    assert.deepEqual(api, { http: { port: 3000, path: "/health" }, smoke: ["--version"], allow: [{ name: "user" }, { name: "env", key: "NODE_ENV" }, { name: "cmd-form" }], env: { PORT: "3000" } });
    // A target with no entry of its own still gets the global classes; none anywhere adds no `allow`.
    assert.deepEqual(targetProbes(probesFromConfig(undefined), global, undefined, {}).allow, global);
    assert.equal("allow" in targetProbes({}, [], undefined, {}), false);
    assert.deepEqual(configuredAllow(undefined), []);
    assert.throws(() => configuredAllow(["user", "labels"]), (error: unknown) => error instanceof ConfigError && /^config verify\.allow\.1: unknown difference class "labels"/.test(error.message));
  });

  it("reads env with scalar values as strings", () => {
    const config = parseConfig("verify:\n  services:\n    api:\n      http: 3000/health\n      env:\n        DATABASE_URL: postgres://localhost/test\n        WORKERS: 2\n        DEBUG: false\n", "shipshape.config.yaml");
    assert.deepEqual(probesFromConfig(config.verify?.services.api).env, { DATABASE_URL: "postgres://localhost/test", WORKERS: "2", DEBUG: "false" });
  });

  for (const [text, where] of [
    ["verify:\n  services:\n    api:\n      http: health\n", /verify\.services\.api\.http: expected PORT\/PATH/],
    ["verify:\n  services:\n    api:\n      smokeIgnore: '(['\n", /verify\.services\.api\.smokeIgnore: not a valid regular expression/],
    ["verify:\n  services:\n    api:\n      port: 3\n", /verify\.services\.api/],
    ["verify:\n  probes: {}\n", /verify/],
    ["verify:\n  services:\n    api:\n      env:\n        'A=B': x\n", /verify\.services\.api\.env/],
    ["verify:\n  services:\n    api:\n      env:\n        A: [1]\n", /verify\.services\.api\.env\.A/],
  ] as const) {
    it(`rejects ${JSON.stringify(text.split("\n").slice(-2)[0])} naming the key`, () => {
      assert.throws(() => parseConfig(text, "shipshape.config.yaml"), (error: unknown) => error instanceof ConfigError && where.test(error.message));
    });
  }
});

describe("targetsFor", () => {
  const targets = [
    { name: "api", contextDir: "/repo/services/api", dockerfile: "Dockerfile", buildArgs: {}, origin: "compose" },
    { name: "api-debug", contextDir: "/repo/services/api", dockerfile: "Dockerfile", target: "debug", buildArgs: {}, origin: "compose" },
    { name: "web", contextDir: "/repo", dockerfile: "services/web/Dockerfile", buildArgs: {}, origin: "compose" },
  ];

  it("finds every build target of a Dockerfile, whatever its context", () => {
    assert.deepEqual(targetsFor("services/api/Dockerfile", "/repo", targets).map((target) => target.name), ["api", "api-debug"]);
    assert.deepEqual(targetsFor("services/web/Dockerfile", "/repo", targets).map((target) => target.name), ["web"]);
  });

  it("builds a Dockerfile no target names with its directory as context", () => {
    assert.deepEqual(targetsFor("tools/Dockerfile.ci", "/repo", targets), [{ name: "tools-ci", contextDir: "/repo/tools", dockerfile: "Dockerfile.ci", buildArgs: {}, origin: "tools/Dockerfile.ci" }]);
  });
});

describe("probeEnvironment", () => {
  const compose = { name: "api", contextDir: "/repo/api", dockerfile: "Dockerfile", buildArgs: {}, origin: "compose.yaml service api", compose: { environment: { DATABASE_URL: "postgres://${DB_USER}@db/shop", MODE: "compose", TOKEN: null }, envFiles: [], projectDirectory: "/repo", dotenv: {} } };

  it("resolves compose's env_file and environment (which wins) from the project environment, then lets the config and --env override them", () => {
    const resolved = probeEnvironment(compose, { project: { DB_USER: "shop", TOKEN: "abc" }, envFiles: { values: { MODE: "file", FROM_FILE: "yes" }, notes: [] }, configured: { MODE: "config", EXTRA: "1" }, commandLine: { MODE: "cli" } });
    assert.deepEqual(resolved.env, { MODE: "cli", FROM_FILE: "yes", DATABASE_URL: "postgres://shop@db/shop", TOKEN: "abc", EXTRA: "1" });
    assert.deepEqual(resolved.sources, ["compose.yaml service api", "config verify.services", "--env"]);
    assert.deepEqual(resolved.notes, []);
  });

  it("notes what compose would leave unset, and gives a Dockerfile target only what it is told", () => {
    const unresolved = probeEnvironment(compose, { project: {}, envFiles: { values: {}, notes: ["env_file secrets.env cannot be read (ENOENT)"] } });
    assert.deepEqual(unresolved.env, { DATABASE_URL: "postgres://@db/shop", MODE: "compose" });
    assert.equal(unresolved.notes.length, 3);
    assert.match(unresolved.notes[0] ?? "", /^env_file secrets\.env/);
    const plain = probeEnvironment({ name: "tool", contextDir: "/repo/tool", dockerfile: "Dockerfile", buildArgs: {}, origin: "tool/Dockerfile" }, { project: { HOME: "/root" } });
    assert.deepEqual(plain, { env: {}, sources: [], notes: [] }, "the shell's variables are not passed on");
  });
});

describe("composeRun", () => {
  it("interpolates compose's command and entrypoint words from the project environment; a word that does not resolve stays, with a note", () => {
    const target = { name: "api", contextDir: "/repo/api", dockerfile: "Dockerfile", buildArgs: {}, origin: "compose.yaml service api", compose: { environment: {}, envFiles: [], command: ["node", "server.js", "--port", "${PORT:-3000}", "--key", "${KEY:?missing}"], entrypoint: ["tini", "--"], projectDirectory: "/repo", dotenv: {} } };
    const notes: string[] = [];
    assert.deepEqual(composeRun(target, {}, notes), { source: "Compose's command", command: ["node", "server.js", "--port", "3000", "--key", "${KEY:?missing}"], entrypoint: ["tini", "--"] });
    assert.equal(notes.length, 1);
    assert.match(notes[0] ?? "", /^compose's command keeps "\$\{KEY:\?missing\}" as written: KEY is required/);
    assert.equal(composeRun({ ...target, compose: { ...target.compose, command: undefined, entrypoint: undefined } }, {}, []), undefined);
    assert.deepEqual(composeRun({ ...target, compose: { environment: {}, envFiles: [], workingDir: "${APP_DIR:-/srv}", user: "node", projectDirectory: "/repo", dotenv: {} } }, {}, []), { source: "Compose's command", workingDir: "/srv", user: "node" });
  });
});

describe("the rewrite report", () => {
  it("still explains a rewrite --verify turned down: its review reasons and notes, and that it is not written", () => {
    const rewrite = { path: "services/inventory/Dockerfile", before: "FROM golang:1.19\n", after: "FROM golang:1.19 AS deps\n", ecosystem: "go" as const, review: ["compose.yaml: inventory runs `go run .`, which needs go"], notes: ["Runs as 65532"], status: "applied" as const };
    const text = renderRewriteReport({ displayRoot: ".", rewrites: [], unverified: [rewrite], notRewritten: [], devNotes: [] }, { written: true });
    assert.equal(text, "rewrite: services/inventory/Dockerfile (go): not written: it did not pass verification (below)\n  review: compose.yaml: inventory runs `go run .`, which needs go\n  note: Runs as 65532\n");
    assert.match(renderRewriteReport({ displayRoot: ".", rewrites: [], unverified: [rewrite], notRewritten: [], devNotes: [] }, { written: false }), /\(go\): left out: it did not pass verification/);
  });
});

describe("the verify report", () => {
  const result: VerifyRewriteResult = {
    name: "api",
    before: { ok: true, sizeBytes: 800_000_000, durationMs: 12_000 },
    after: { ok: false, durationMs: 3_000, error: describeBuildError({ step: "RUN npm run build", message: "exit code 2", logTail: ["src/a.ts: error", "done"] }) },
    ok: false,
    reason: `the fixed Dockerfile does not build: ${describeBuildError({ step: "RUN npm run build", message: "exit code 2", logTail: ["src/a.ts: error"] })}`,
  };

  it("says which step failed with its log tail, that the file is not written, and that no runtime probe ran", () => {
    const text = renderVerifyReport([{ path: "services/api/Dockerfile", results: [result], probed: false }], { written: true });
    assert.match(text, /^verify: services\/api\/Dockerfile \[api\]: FAILED; before 800 MB \(built in 12 s\), after did not build$/m);
    assert.match(text, /why: the fixed Dockerfile does not build: step `RUN npm run build`: exit code 2\n {4}\| src\/a\.ts: error/);
    assert.match(text, /no runtime probe ran/);
    assert.match(text, /services\/api\/Dockerfile is not written/);
  });

  it("shows a check whose differences are all intended as `intended`, and one with another difference as `failed`", () => {
    const user = difference("config", "User");
    const missing = difference("file", "/app/app.py");
    const verified: VerifyRewriteResult = {
      name: "api",
      before: { ok: true, sizeBytes: 1, durationMs: 1 },
      after: { ok: true, sizeBytes: 1, durationMs: 1 },
      verify: {
        before: { reference: "a", id: "1" },
        after: { reference: "b", id: "2" },
        equivalent: false,
        checks: [
          { name: "config", status: "failed", detail: "" },
          { name: "working-directory", status: "failed", detail: "" },
          { name: "http", status: "passed", detail: "" },
        ],
        differences: [user, missing],
        ignored: [],
      },
      expected: [{ difference: user, why: "runs as a non-root user" }],
      ok: false,
    };
    const text = renderVerifyReport([{ path: "Dockerfile", results: [verified], probed: true }], { written: false });
    assert.match(text, /checks: config intended, working-directory failed, http passed/);
    assert.doesNotMatch(text, /environment/);
    const withEnvironment = renderVerifyReport([{ path: "Dockerfile", results: [{ ...verified, environment: { names: ["DATABASE_URL", "MODE"], sources: ["compose.yaml service api", "--env"], notes: ["TOKEN is listed without a value and is not set in the shell or .env, so it is left unset"] } }], probed: true }], { written: false });
    assert.match(withEnvironment, /^ {2}environment: DATABASE_URL, MODE \(from compose\.yaml service api, then --env\)$/m);
    assert.match(withEnvironment, /^ {2}environment note: TOKEN is listed without a value/m);
  });
});
