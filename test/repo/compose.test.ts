import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ComposeError, parseCompose } from "../../src/repo/compose.ts";

const compose = `services:
  api:
    build:
      context: ./services/api
      target: runtime
    volumes:
      - ./services/api/src:/app/src
      - data:/data
      - type: bind
        source: ./config
        target: /config
        read_only: true
    depends_on:
      db:
        condition: service_healthy
    deploy:
      resources:
        limits:
          memory: 256m
  worker:
    build: ./services/worker
    command: ["sh", "-c", "until nc -z db 5432; do sleep 1; done; npm start"]
    depends_on: [db]
    environment:
      - NODE_ENV=production
  db:
    image: postgres:16
    healthcheck:
      test: ["CMD", "pg_isready"]
  dev-web:
    image: web
    profiles: [dev]
volumes:
  data: {}
`;

describe("parseCompose", () => {
  const model = parseCompose(compose, "docker-compose.yml");

  it("reads services with their lines", () => {
    assert.deepEqual(model.services.map((service) => [service.name, service.line]), [
      ["api", 2],
      ["worker", 20],
      ["db", 26],
      ["dev-web", 30],
    ]);
  });

  it("reads build in both forms", () => {
    assert.deepEqual(model.services[0]?.build, { context: "./services/api", target: "runtime", line: 3 });
    assert.deepEqual(model.services[1]?.build, { context: "./services/worker", line: 21 });
  });

  it("reads short and long volumes with types and lines", () => {
    assert.deepEqual(
      model.services[0]?.volumes.map((volume) => [volume.type, volume.source, volume.target, volume.readOnly, volume.line]),
      [
        ["bind", "./services/api/src", "/app/src", false, 7],
        ["volume", "data", "/data", false, 8],
        ["bind", "./config", "/config", true, 9],
      ],
    );
  });

  it("reads depends_on in both forms, healthchecks, limits, environment and profiles", () => {
    const [api, worker, db, devWeb] = model.services;
    assert.deepEqual(api?.dependsOn, [{ service: "db", condition: "service_healthy", line: 14 }]);
    assert.deepEqual(worker?.dependsOn, [{ service: "db", line: 23 }]);
    assert.equal(worker?.command, "sh -c until nc -z db 5432; do sleep 1; done; npm start");
    assert.equal(worker?.commandLine, 22);
    assert.deepEqual(worker?.commandArgv, ["sh", "-c", "until nc -z db 5432; do sleep 1; done; npm start"], "the list form as written");
    assert.deepEqual(worker?.environment, { NODE_ENV: "production" });
    assert.equal(api?.hasResourceLimits, true);
    assert.equal(worker?.hasResourceLimits, false);
    assert.equal(db?.hasHealthcheck, true);
    assert.equal(api?.isDevelopment, false);
    assert.equal(devWeb?.isDevelopment, true);
  });

  it("splits a string-form command and entrypoint into words as compose does, without a shell", () => {
    const model = parseCompose(`services:\n  app:\n    image: app\n    entrypoint: /docker-entrypoint.sh\n    command: node dist/main.js --name "two words" $HOME\n  broken:\n    image: app\n    command: echo "open\n`, "compose.yaml");
    const [app, broken] = model.services;
    assert.deepEqual(app?.commandArgv, ["node", "dist/main.js", "--name", "two words", "$HOME"]);
    assert.deepEqual(app?.entrypointArgv, ["/docker-entrypoint.sh"]);
    const run = parseCompose("services:\n  app:\n    image: app\n    user: 1000\n    working_dir: /srv/app\n", "compose.yaml").services[0];
    assert.deepEqual([run?.user, run?.workingDir], ["1000", "/srv/app"]);
    assert.equal(broken?.command, 'echo "open');
    assert.equal(broken?.commandArgv, undefined, "an unclosed quote cannot be split");
  });

  it("tells a variable without a value (taken from the shell) from an empty one, in both forms", () => {
    const listed = parseCompose("services:\n  app:\n    image: app\n    environment:\n      - TOKEN\n      - EMPTY=\n      - URL=http://x?a=b\n", "compose.yaml");
    assert.deepEqual(listed.services[0]?.environment, { TOKEN: null, EMPTY: "", URL: "http://x?a=b" });
    const mapped = parseCompose("services:\n  app:\n    image: app\n    environment:\n      TOKEN:\n      EMPTY: ''\n      WORKERS: 4\n      DEBUG: false\n", "compose.yaml");
    assert.deepEqual(mapped.services[0]?.environment, { TOKEN: null, EMPTY: "", WORKERS: "4", DEBUG: "false" });
  });

  it("rejects broken YAML and non-compose shapes with a clear message", () => {
    assert.throws(() => parseCompose("services:\n  api: [unclosed\n", "c.yml"), (error: unknown) => error instanceof ComposeError && /invalid YAML/.test(error.message));
    assert.throws(() => parseCompose("services:\n  api:\n    volumes: 12\n", "c.yml"), (error: unknown) => error instanceof ComposeError && /services\.api\.volumes/.test(error.message));
  });
});
