import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "compose-source-bind-mount";

const dockerfile = "FROM node:22-slim\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nCMD [\"node\", \"src/server.js\"]\n";

describe(id, () => {
  it("flags a source directory mounted over the image's application directory", () => {
    const files = {
      "docker-compose.yml": "services:\n  api:\n    build: ./api\n    volumes:\n      - ./api/src:/app/src\n      - ./api:/app\n",
      "api/Dockerfile": dockerfile,
      "api/package.json": "{}",
      "api/src/server.js": 100,
    };
    const findings = findingsOf(files, id, "docker-compose.yml");
    assert.deepEqual(findings.map((finding) => finding.line), [5, 6]);
    assert.equal(
      findings[0]?.message,
      "Service api bind-mounts ./api/src over /app/src where the image has its code: the container runs the host's files, not what was built and tested; keep source mounts in a development override (compose.override.yml or a dev profile)",
    );
  });

  it("accepts config files, data directories and mounts outside the application directory", () => {
    const files = {
      "docker-compose.yml": [
        "services:",
        "  api:",
        "    build: ./api",
        "    volumes:",
        "      - ./nginx.conf:/etc/nginx/nginx.conf:ro",
        "      - ./config:/app/config:ro",
        "      - ./data:/app/data",
        "      - /var/run/docker.sock:/var/run/docker.sock",
        "      - node_modules:/app/node_modules",
        "      - ./scripts:/docker-entrypoint-initdb.d",
        "volumes:",
        "  node_modules:",
        "",
      ].join("\n"),
      "api/Dockerfile": dockerfile,
      "nginx.conf": 100,
      "config/app.yml": 100,
      "scripts/init.sh": 100,
    };
    assert.deepEqual(linesOf(files, id, "docker-compose.yml"), []);
  });

  it("skips development services and stock images", () => {
    const files = {
      "docker-compose.yml": "services:\n  api-dev:\n    build: ./api\n    volumes: [\"./api:/app\"]\n  node:\n    image: node:22\n    volumes: [\".:/app\"]\n",
      "api/Dockerfile": dockerfile,
      "api/server.js": 100,
      "index.js": 100,
    };
    assert.deepEqual(linesOf(files, id, "docker-compose.yml"), []);
    const override = { "docker-compose.override.yml": "services:\n  api:\n    build: ./api\n    volumes: [\"./api:/app\"]\n", "api/Dockerfile": dockerfile, "api/server.js": 100 };
    assert.deepEqual(linesOf(override, id, "docker-compose.override.yml"), []);
  });

  it("skips services that are plainly for development: watchers, debuggers, dev servers, NODE_ENV=development, dev file names", () => {
    const mount = (extra: string): string => `services:\n  api:\n    build: ./api\n${extra}    volumes:\n      - ./api:/app\n`;
    const base = { "api/Dockerfile": dockerfile, "api/package.json": "{}", "api/src/server.js": 100 };
    for (const extra of [
      "    command: nodemon src/server.js\n",
      "    command: [\"node\", \"--inspect=0.0.0.0:9229\", \"src/server.js\"]\n",
      "    command: npm run start:dev\n",
      "    command: sh -c \"npm install && npx nest start --watch\"\n",
      "    command: ng serve --host 0.0.0.0\n",
      "    environment:\n      NODE_ENV: development\n",
      "    environment:\n      - RAILS_ENV=development\n",
    ]) {
      assert.deepEqual(linesOf({ ...base, "docker-compose.yml": mount(extra) }, id, "docker-compose.yml"), [], extra);
    }
    // The image's own CMD runs the watcher.
    const devImage = { ...base, "api/Dockerfile": "FROM node:22-slim\nWORKDIR /app\nCOPY . .\nRUN npm install\nCMD [\"npx\", \"nodemon\", \"src/server.js\"]\n" };
    assert.deepEqual(linesOf({ ...devImage, "docker-compose.yml": mount("") }, id, "docker-compose.yml"), []);
    for (const name of ["docker-compose.development.yml", "compose.local.yaml", "docker-compose.debug.yml"]) {
      assert.deepEqual(linesOf({ ...base, [name]: mount("") }, id, name), [], name);
    }
    // Production-looking settings still count.
    assert.deepEqual(linesOf({ ...base, "docker-compose.yml": mount("    command: node src/server.js --name=nodemon-logs\n    environment:\n      NODE_ENV: production\n") }, id, "docker-compose.yml"), [8]);
  });

  it("treats read-only source mounts the same (they still shadow the image) and resolves ${PWD} and long syntax", () => {
    const files = {
      "docker-compose.yml": "services:\n  api:\n    build: .\n    volumes:\n      - ${PWD}/src:/app/src:ro\n      - type: bind\n        source: ./lib/util.py\n        target: /app/lib/util.py\n",
      Dockerfile: "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n",
      "src/main.py": 100,
      "lib/util.py": 100,
    };
    assert.deepEqual(linesOf(files, id, "docker-compose.yml"), [5, 6]);
  });

  it("without the Dockerfile in view, decides on the source alone", () => {
    const files = { "docker-compose.yml": "services:\n  api:\n    build: ../elsewhere\n    volumes: [\"./src:/srv/src\"]\n", "src/app.rb": 100 };
    assert.deepEqual(linesOf(files, id, "docker-compose.yml"), [4]);
  });
});
