// Which images `shipshape build` builds: compose services with build: (string and object forms,
// dockerfile, target, args), else each Dockerfile; a single Dockerfile path; --service filters.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { UsageError } from "../../src/errors.ts";
import { buildTargetsFromView, discoverBuildTargets, dockerfileTargetName, imageTagFor, repositoryNameOf } from "../../src/builds/targets.ts";
import { snapshotFromFiles } from "../../src/repo/memory.ts";
import { buildRepositoryView } from "../../src/repo/view.ts";

let scratch = "";
before(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "shipshape-targets-test-"));
});
after(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
});

function writeTree(name: string, files: Record<string, string>): string {
  const root = path.join(scratch, name);
  for (const [relative, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
    fs.writeFileSync(path.join(root, relative), content);
  }
  return root;
}

const FROM = "FROM debian:bookworm-slim\n";

describe("compose targets", () => {
  it("reads the string and object forms of build: with dockerfile, target and args", () => {
    const root = writeTree("compose-forms", {
      "docker-compose.yml": [
        "services:",
        "  api:",
        "    build: ./services/api",
        "  worker:",
        "    build:",
        "      context: services/worker",
        "      dockerfile: docker/Dockerfile.worker",
        "      target: runtime",
        "      args:",
        "        NODE_ENV: production",
        "        RETRIES: 3",
        "  web:",
        "    build:",
        "      context: ./web",
        "      args:",
        "        - VERSION=1.2.3",
        "        - FROM_ENV",
        "        - UNSET_IN_ENV",
        "  db:",
        "    image: postgres:16",
        "",
      ].join("\n"),
      "services/api/Dockerfile": FROM,
      "services/worker/docker/Dockerfile.worker": FROM,
      "web/Dockerfile": FROM,
      // Ignored: compose says what to build.
      "tools/Dockerfile": FROM,
    });
    const targets = discoverBuildTargets(root, { env: { FROM_ENV: "from-the-environment" } });
    const compose = { environment: {}, envFiles: [], projectDirectory: root, dotenv: {} };
    assert.deepEqual(targets, [
      { name: "api", contextDir: path.join(root, "services/api"), dockerfile: "Dockerfile", buildArgs: {}, origin: "docker-compose.yml service api", compose },
      {
        name: "worker",
        contextDir: path.join(root, "services/worker"),
        dockerfile: "docker/Dockerfile.worker",
        target: "runtime",
        buildArgs: { NODE_ENV: "production", RETRIES: "3" },
        origin: "docker-compose.yml service worker",
        compose,
      },
      { name: "web", contextDir: path.join(root, "web"), dockerfile: "Dockerfile", buildArgs: { VERSION: "1.2.3", FROM_ENV: "from-the-environment" }, origin: "docker-compose.yml service web", compose },
    ]);
  });

  it("records what compose builds first (depends_on, additional_contexts service:) and the image: name, within the project", () => {
    const root = writeTree("compose-order", {
      "compose.yaml": [
        "services:",
        "  base:",
        "    image: shop/base:${BASE_TAG:-1}",
        "    build: ./base",
        "  api:",
        "    build:",
        "      context: ./api",
        "      additional_contexts:",
        "        shared: service:base",
        "        docs: ./docs",
        "    depends_on: [db, base]",
        "  web:",
        "    build:",
        "      context: ./web",
        "      additional_contexts: [\"api=service:api\"]",
        "    depends_on:",
        "      cache: { condition: service_started }",
        "  db:",
        "    image: postgres:16",
        "",
      ].join("\n"),
      "base/Dockerfile": FROM,
      "api/Dockerfile": FROM,
      "web/Dockerfile": FROM,
    });
    const targets = discoverBuildTargets(root, { env: {} });
    assert.deepEqual(
      targets.map((target) => [target.name, target.image, target.after]),
      [
        ["base", "shop/base:1", undefined],
        ["api", undefined, ["base"]],
        ["web", undefined, ["api"]],
      ],
    );
  });

  it("merges the override file and ignores other compose files when a primary one exists", () => {
    const view = buildRepositoryView(
      snapshotFromFiles({
        "compose.yaml": "services:\n  api:\n    build:\n      context: api\n      args:\n        A: base\n        B: base\n",
        "compose.override.yaml": "services:\n  api:\n    build:\n      context: api\n      target: dev\n      args:\n        B: override\n",
        "compose.prod.yaml": "services:\n  other:\n    build: other\n",
        "api/Dockerfile": FROM,
        "other/Dockerfile": FROM,
      }),
    );
    const targets = buildTargetsFromView(view, { rootDir: "/repo" });
    assert.deepEqual(
      targets.map((target) => ({ name: target.name, target: target.target, buildArgs: target.buildArgs, contextDir: target.contextDir })),
      [{ name: "api", target: "dev", buildArgs: { A: "base", B: "override" }, contextDir: "/repo/api" }],
    );
  });

  it("carries the service's environment, env files, command and entrypoint, merged over the override file (which may set only those), and the compose file's directory", () => {
    const view = buildRepositoryView(
      snapshotFromFiles({
        "deploy/compose.yaml": "services:\n  api:\n    build: ../api\n    working_dir: /srv\n    entrypoint: [tini, --]\n    command: [node, dist/main.js]\n    env_file: common.env\n    environment:\n      MODE: base\n      TOKEN:\n      KEEP: yes\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_DB: shop\n",
        "deploy/compose.override.yaml": "services:\n  api:\n    command: node dist/main.js --debug\n    user: node\n    env_file: [local.env, { path: optional.env, required: false }]\n    environment:\n      - MODE=override\n",
        "api/Dockerfile": FROM,
      }),
    );
    const [api, ...others] = buildTargetsFromView(view, { rootDir: "/repo" });
    assert.deepEqual(others, [], "db builds nothing");
    assert.equal(api?.origin, "deploy/compose.yaml service api");
    assert.deepEqual(api?.compose, {
      environment: { MODE: "override", TOKEN: null, KEEP: "yes" },
      envFiles: [
        { path: "common.env", required: true },
        { path: "local.env", required: true },
        { path: "optional.env", required: false },
      ],
      command: ["node", "dist/main.js", "--debug"],
      entrypoint: ["tini", "--"],
      user: "node",
      workingDir: "/srv",
      projectDirectory: "/repo/deploy",
      dotenv: {},
    });
  });

  it("interpolates build settings as compose does: the shell over the project's .env, defaults, and a required variable's error", () => {
    const files = {
      "deploy/compose.yaml": "services:\n  api:\n    build:\n      context: ${API_DIR:-../api}\n      target: ${TARGET}\n      args:\n        NODE_VERSION: ${NODE_VERSION:-22}\n        RELEASE: v${VERSION}\n        FROM_DOTENV:\n",
      "api/Dockerfile": FROM,
    };
    const view = buildRepositoryView(snapshotFromFiles(files));
    const dotenv = (directory: string): Record<string, string> => (directory === "/repo/deploy" ? { TARGET: "runtime", VERSION: "1.0", FROM_DOTENV: "yes", NODE_VERSION: "20" } : {});
    const [api] = buildTargetsFromView(view, { rootDir: "/repo", env: { VERSION: "2.0" }, dotenv });
    assert.equal(api?.contextDir, "/repo/api");
    assert.equal(api?.target, "runtime");
    assert.deepEqual(api?.buildArgs, { NODE_VERSION: "20", RELEASE: "v2.0", FROM_DOTENV: "yes" }, "the shell wins over .env");

    const required = buildRepositoryView(snapshotFromFiles({ "compose.yaml": "services:\n  api:\n    build:\n      context: api\n      args:\n        TOKEN: ${TOKEN:?set TOKEN}\n", "api/Dockerfile": FROM }));
    assert.throws(() => buildTargetsFromView(required, { rootDir: "/repo" }), (error: unknown) => error instanceof UsageError && /compose\.yaml service api: build\.args\.TOKEN: TOKEN is required/.test(error.message));
  });

  it("discoverBuildTargets reads the .env next to the compose file", () => {
    const root = writeTree("compose-dotenv", { "compose.yaml": "services:\n  api:\n    build:\n      context: .\n      args:\n        VERSION: ${VERSION}\n", ".env": "# local\nVERSION=3.1\n", Dockerfile: FROM });
    assert.deepEqual(discoverBuildTargets(root, { env: {} })[0]?.buildArgs, { VERSION: "3.1" });
    assert.deepEqual(discoverBuildTargets(root, { env: {} })[0]?.compose?.dotenv, { VERSION: "3.1" }, "read once, kept for the probes' interpolation");
    assert.deepEqual(discoverBuildTargets(root, { env: { VERSION: "4.0" } })[0]?.buildArgs, { VERSION: "4.0" });
  });

  it("keeps a Dockerfile outside the context absolute", () => {
    const view = buildRepositoryView(snapshotFromFiles({ "docker-compose.yml": "services:\n  app:\n    build:\n      context: app\n      dockerfile: ../docker/app.Dockerfile\n", "docker/app.Dockerfile": FROM, "app/main.js": "" }));
    const [target] = buildTargetsFromView(view, { rootDir: "/repo" });
    assert.equal(target?.contextDir, "/repo/app");
    assert.equal(target?.dockerfile, "/repo/docker/app.Dockerfile");
  });

  it("gives services of two compose projects distinct names", () => {
    const view = buildRepositoryView(
      snapshotFromFiles({
        "shop/docker-compose.yml": "services:\n  api:\n    build: .\n",
        "blog/docker-compose.yml": "services:\n  api:\n    build: .\n",
        "shop/Dockerfile": FROM,
        "blog/Dockerfile": FROM,
      }),
    );
    assert.deepEqual(
      buildTargetsFromView(view, { rootDir: "/r" }).map((target) => [target.name, target.contextDir]),
      [
        ["api", "/r/blog"],
        ["shop-api", "/r/shop"],
      ],
    );
  });

  it("a compose file that cannot be parsed is a usage error, not an empty build", () => {
    const root = writeTree("broken-compose", { "docker-compose.yml": "services:\n  api:\n    build: [unclosed\n", "Dockerfile": FROM });
    assert.throws(() => discoverBuildTargets(root), (error: unknown) => error instanceof UsageError && /docker-compose\.yml: invalid YAML/.test(error.message));
  });
});

describe("Dockerfile targets (no compose)", () => {
  it("builds each Dockerfile with its directory as context, named after its path", () => {
    const root = writeTree("no-compose", {
      "Dockerfile": FROM,
      "services/api/Dockerfile": FROM,
      "services/api/Dockerfile.prod": FROM,
      "services/web/web.Dockerfile": FROM,
      "node_modules/some-package/Dockerfile": FROM,
    });
    const targets = discoverBuildTargets(root);
    assert.deepEqual(
      targets.map((target) => [target.name, path.relative(root, target.contextDir), target.dockerfile, target.origin]),
      [
        ["no-compose", "", "Dockerfile", "Dockerfile"],
        ["api", "services/api", "Dockerfile", "services/api/Dockerfile"],
        ["api-prod", "services/api", "Dockerfile.prod", "services/api/Dockerfile.prod"],
        ["web-web", "services/web", "web.Dockerfile", "services/web/web.Dockerfile"],
      ],
    );
  });

  it("names are valid image names and unique", () => {
    assert.equal(dockerfileTargetName("Services/My API/Dockerfile.Prod", "repo"), "my-api-prod");
    assert.equal(dockerfileTargetName("Dockerfile", "My_Repo"), "my_repo");
    const view = buildRepositoryView(snapshotFromFiles({ "a/x/Dockerfile": FROM, "b/x/Dockerfile": FROM }));
    assert.deepEqual(
      buildTargetsFromView(view, { rootDir: "/r" }).map((target) => target.name),
      ["x", "x-2"],
    );
  });

  it("a Dockerfile path is one target, even next to a compose file", () => {
    const root = writeTree("single", { "docker-compose.yml": "services:\n  other:\n    build: ./other\n", "other/Dockerfile": FROM, "api/Dockerfile.dev": FROM });
    const file = path.join(root, "api/Dockerfile.dev");
    assert.deepEqual(discoverBuildTargets(file), [{ name: "api-dev", contextDir: path.join(root, "api"), dockerfile: "Dockerfile.dev", buildArgs: {}, origin: file }]);
    assert.equal(repositoryNameOf(file), "api");
    assert.equal(repositoryNameOf(root), "single");
  });

  it("a path that does not exist is a usage error", () => {
    assert.throws(() => discoverBuildTargets(path.join(scratch, "missing")), UsageError);
  });
});

describe("--service", () => {
  const view = buildRepositoryView(snapshotFromFiles({ "docker-compose.yml": "services:\n  api:\n    build: api\n  web:\n    build: web\n", "api/Dockerfile": FROM, "web/Dockerfile": FROM }));

  it("selects services by name", () => {
    assert.deepEqual(
      buildTargetsFromView(view, { rootDir: "/r", services: ["web"] }).map((target) => target.name),
      ["web"],
    );
  });

  it("an unknown service is a usage error that lists the known ones", () => {
    assert.throws(
      () => buildTargetsFromView(view, { rootDir: "/r", services: ["web", "nope"] }),
      (error: unknown) => error instanceof UsageError && error.message === 'unknown service "nope": this repository builds api, web',
    );
  });
});

describe("image tags", () => {
  it("are <prefix>/<repository>-<name>:latest, made valid", () => {
    assert.equal(imageTagFor("shop", "api"), "shipshape/shop-api:latest");
    assert.equal(imageTagFor("My Shop", "api", "registry.local:5000/team/"), "registry.local:5000/team/my-shop-api:latest");
    assert.equal(imageTagFor("shop", "api", ""), "shop-api:latest");
    assert.equal(imageTagFor("a._b", "c"), "shipshape/a-b-c:latest");
  });
});
