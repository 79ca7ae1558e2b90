import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsOf, linesOf } from "../helpers/audit.ts";

const id = "dev-server-in-production";

describe(id, () => {
  it("follows npm scripts in the build context's package.json", () => {
    const files = {
      "web/Dockerfile": 'FROM node:22-slim\nCOPY . .\nCMD ["npm", "run", "dev", "--", "--host", "0.0.0.0"]\n',
      "web/package.json": '{"scripts": {"dev": "vite", "build": "vite build", "start": "vite"}}',
    };
    const [finding] = findingsOf(files, id, "web/Dockerfile");
    assert.equal(finding?.line, 3);
    assert.match(finding?.message ?? "", /CMD starts `npm run dev` \(package\.json: `vite`\), which runs `vite` \(Vite's dev server\).*serve its output with nginx/);
    const start = { ...files, "web/Dockerfile": "FROM node:22-slim\nCMD npm start\n" };
    assert.deepEqual(linesOf(start, id, "web/Dockerfile"), [2]);
  });

  it("does not flag scripts that run the built application", () => {
    const files = { Dockerfile: 'FROM node:22-slim\nCMD ["npm", "start"]\n', "package.json": '{"scripts": {"start": "node dist/server.js", "dev": "nodemon src/server.ts"}}' };
    assert.deepEqual(linesOf(files, id), []);
  });

  it("guesses from the script name only when package.json is unknown", () => {
    assert.deepEqual(linesOf('FROM node:22-slim\nCMD ["npm", "run", "start:dev"]\n', id), [2]);
    assert.deepEqual(linesOf('FROM node:22-slim\nCMD ["npm", "start"]\n', id), []);
  });

  it("recognises development servers of each ecosystem", () => {
    const commands = [
      '["npx", "vite", "--host"]',
      '["npx", "vite", "preview"]',
      "next dev -p 3000",
      '["npx", "next"]',
      '["ng", "serve", "--host", "0.0.0.0"]',
      "webpack serve --mode development",
      '["nodemon", "src/index.js"]',
      '["flask", "run", "--host=0.0.0.0"]',
      "python manage.py runserver 0.0.0.0:8000",
      '["uvicorn", "main:app", "--reload"]',
      '["python", "-m", "uvicorn", "main:app", "--reload"]',
      '["poetry", "run", "flask", "run"]',
      "bundle exec rails server -e development",
      "php artisan serve --host=0.0.0.0",
      '["sh", "-c", "npm install && npx nodemon server.js"]',
    ];
    for (const command of commands) assert.deepEqual(linesOf(`FROM debian:bookworm-slim\nCMD ${command}\n`, id), [2], command);
  });

  it("recognises Nest's watch mode, directly and through the start:dev script", () => {
    assert.deepEqual(linesOf('FROM node:22-slim\nCOPY . .\nCMD ["npx", "nest", "start", "--watch"]\n', id), [3]);
    const files = { Dockerfile: 'FROM node:22-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD ["npm", "run", "start:dev"]\n', "package.json": '{"scripts": {"start:dev": "nest start --watch", "start:prod": "node dist/main"}}' };
    const [finding] = findingsOf(files, id);
    assert.match(finding?.message ?? "", /`npm run start:dev` \(package\.json: `nest start --watch`\), which runs `nest start --watch` \(Nest's watch mode\)/);
    assert.deepEqual(linesOf({ ...files, Dockerfile: 'FROM node:22-slim\nCMD ["npm", "run", "start:prod"]\n' }, id), []);
    assert.deepEqual(linesOf('FROM node:22-slim\nCMD ["npx", "nest", "start"]\n', id), []);
  });

  it("reports a watcher installed globally in the runtime image, once", () => {
    const dockerfile = ["FROM node:22-slim", "RUN npm install -g nodemon@3.1.0 && npm ci", "RUN yarn global add ts-node-dev", 'CMD ["node", "dist/server.js"]'].join("\n");
    const findings = findingsOf(dockerfile, id);
    assert.deepEqual(findings.map((finding) => finding.line), [2, 3]);
    assert.match(findings[0]?.message ?? "", /npm installs `nodemon` globally in a stage that reaches the final image/);
    // In a build stage, or when the CMD already reports the watcher, nothing more.
    assert.deepEqual(linesOf("FROM node:22 AS build\nRUN npm i -g nodemon\nFROM node:22-slim\nCMD [\"node\", \"a.js\"]\n", id), []);
    assert.deepEqual(linesOf('FROM node:22-slim\nRUN npm i -g nodemon\nCMD ["nodemon", "a.js"]\n', id), [3]);
    assert.deepEqual(linesOf('FROM node:22-slim\nRUN npm i -g pm2 typescript\nCMD ["pm2-runtime", "a.js"]\n', id), []);
  });

  it("accepts production servers", () => {
    const commands = ['["node", "dist/server.js"]', '["uvicorn", "main:app", "--host", "0.0.0.0"]', '["gunicorn", "app:app"]', "next start", "rails server -e production", '["nginx", "-g", "daemon off;"]', '["npx", "vite", "build"]'];
    for (const command of commands) assert.deepEqual(linesOf(`FROM debian:bookworm-slim\nCMD ${command}\n`, id), [], command);
  });

  it("looks at the final image's ENTRYPOINT and CMD only, and skips development Dockerfiles", () => {
    assert.deepEqual(linesOf('FROM node:22 AS dev\nCMD ["npm", "run", "dev"]\nFROM node:22-slim\nCMD ["node", "server.js"]\n', id), []);
    assert.deepEqual(linesOf('FROM node:22-slim AS base\nCMD ["nodemon", "server.js"]\nFROM base\n', id), [2]);
    assert.deepEqual(linesOf({ "Dockerfile.dev": 'FROM node:22\nCMD ["npm", "run", "dev"]\n' }, id), []);
    assert.deepEqual(linesOf('FROM node:22-slim AS base\nFROM base AS dev\nCMD ["npm", "run", "dev"]\n', id), []);
  });
});
