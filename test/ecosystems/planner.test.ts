// The rewrite planner on small in-memory repositories: what it declines, what it must flag for
// review instead of guessing, determinism, and each ecosystem's choices.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseDockerfile } from "../../src/dockerfile/parse.ts";
import { mustPlan, planFiles, runtimeStage, stageLines } from "./helpers.ts";

const EXPRESS_PACKAGE = JSON.stringify({ name: "api", scripts: { build: "tsc", start: "node dist/index.js" }, dependencies: { express: "^5.1.0" }, devDependencies: { typescript: "~5.9.3" } });
const NODE_DOCKERFILE = "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm install\nRUN npm run build\nEXPOSE 3000\nCMD npm start\n";

function nodeRepo(overrides: Record<string, string | number> = {}): Record<string, string | number> {
  return { Dockerfile: NODE_DOCKERFILE, "package.json": EXPRESS_PACKAGE, "package-lock.json": "{}", "tsconfig.json": '{ "compilerOptions": { "outDir": "dist" } }', "src/index.ts": 100, ...overrides };
}

describe("planRewrite declines what it does not understand", () => {
  it("an already multi-stage Dockerfile", () => {
    const dockerfile = "FROM node:22 AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nFROM node:22-slim\nCOPY --from=build /app/dist /app/dist\nCMD [\"node\", \"/app/dist/index.js\"]\n";
    assert.equal(planFiles(nodeRepo({ Dockerfile: dockerfile })), undefined);
  });

  it("an image that is not one of the supported ecosystems", () => {
    assert.equal(planFiles({ Dockerfile: "FROM debian:bookworm\nRUN apt-get update && apt-get install -y cowsay\nCMD [\"/usr/games/cowsay\", \"hi\"]\n" }), undefined);
  });

  it("scratch and ONBUILD images", () => {
    assert.equal(planFiles({ Dockerfile: "FROM scratch\nCOPY app /app\nCMD [\"/app\"]\n" }), undefined);
    assert.equal(planFiles(nodeRepo({ Dockerfile: "FROM node:22\nONBUILD COPY . .\nCMD [\"node\"]\n" })), undefined);
  });

  it("a Go build without go.mod", () => {
    assert.equal(planFiles({ Dockerfile: "FROM golang:1.19\nCOPY main.go .\nRUN go build -o /app main.go\nCMD [\"/app\"]\n", "main.go": 10 }), undefined);
  });
});

describe("planRewrite is deterministic and pure", () => {
  it("gives the same result twice, and whatever the order the files were listed in", () => {
    const files = nodeRepo({ "public/index.html": 10, "views/home.ejs": 10 });
    const first = mustPlan(planFiles(files));
    const again = mustPlan(planFiles(files));
    const reversed = mustPlan(planFiles(Object.fromEntries(Object.entries(files).reverse())));
    assert.deepEqual(again, first);
    assert.deepEqual(reversed, first);
    assert.ok(first.dockerfile.includes("COPY --from=build /app/public ./public"), "runtime assets ship too");
  });
});

describe("Node", () => {
  it("reads tsconfig.json's outDir when the start command does not say where the output is", () => {
    const pkg = JSON.stringify({ name: "api", scripts: { build: "tsc -p tsconfig.build.json", serve: "NODE_ENV=production node compiled/main.js" }, dependencies: { express: "^5" } });
    const files = nodeRepo({ "package.json": pkg, "tsconfig.build.json": '{\n  // emitted JavaScript\n  "compilerOptions": { "outDir": "./compiled/", },\n}', Dockerfile: "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\nRUN npm run build\nCMD [\"npm\", \"run\", \"serve\"]\n" });
    const result = mustPlan(planFiles(files));
    const runtime = runtimeStage(result.dockerfile);
    assert.ok(runtime.includes("COPY --from=build /app/compiled ./compiled"), runtime.join("\n"));
    assert.ok(runtime.includes('CMD ["npm", "run", "serve"]'), "a script with an assignment is not turned into node <file>");
    assert.ok(result.notes.some((note) => note.includes("tsconfig.build.json (compilerOptions.outDir)")));
    assert.deepEqual(result.review, []);
  });

  it("flags an unknown output directory for review and ships the pruned build instead of guessing", () => {
    const pkg = JSON.stringify({ name: "api", scripts: { build: "node scripts/build.mjs", start: "node --enable-source-maps ./server" }, dependencies: { express: "^5" } });
    const result = mustPlan(planFiles(nodeRepo({ "package.json": pkg, "scripts/build.mjs": 10, "server/index.js": 10 })));
    assert.ok(result.review.some((entry) => entry.startsWith("Could not determine the build output directory")), result.review.join("\n"));
    const pruned = stageLines(result.dockerfile, /^build AS pruned$/);
    assert.ok(pruned.includes("RUN --mount=type=cache,target=/root/.npm npm prune --omit=dev"));
    assert.ok(runtimeStage(result.dockerfile).includes("COPY --from=pruned /app /app"));
  });

  it("flags postinstall scripts and native modules (bcrypt, sharp)", () => {
    const pkg = JSON.stringify({ name: "api", scripts: { build: "tsc", start: "node dist/index.js", postinstall: "node scripts/patch.js" }, dependencies: { bcrypt: "^5", sharp: "^0.33", express: "^5" } });
    const result = mustPlan(planFiles(nodeRepo({ "package.json": pkg })));
    assert.ok(result.review.some((entry) => entry.includes('"postinstall"') && entry.includes("only the manifests")), result.review.join("\n"));
    assert.ok(result.review.some((entry) => entry.startsWith("bcrypt, sharp build native code")), result.review.join("\n"));
  });

  it("npm workspaces: copies every workspace manifest before the install and, with no output directory a config names, ships the pruned workspace", () => {
    const root = JSON.stringify({ name: "mono", private: true, workspaces: ["packages/*"], scripts: { build: "npm run build --workspaces" } });
    const api = JSON.stringify({ name: "@mono/api", scripts: { build: "tsc" }, dependencies: { "@mono/lib": "*", express: "^5" } });
    const lib = JSON.stringify({ name: "@mono/lib", scripts: { build: "tsc" } });
    const dockerfile = "FROM node:22\nWORKDIR /repo\nCOPY . .\nRUN npm ci\nRUN npm run build\nCMD [\"node\", \"packages/api/dist/index.js\"]\n";
    const result = mustPlan(planFiles({ Dockerfile: dockerfile, "package.json": root, "package-lock.json": "{}", "packages/api/package.json": api, "packages/lib/package.json": lib, "packages/api/src/index.ts": 10 }));
    const deps = stageLines(result.dockerfile, /AS deps$/);
    assert.ok(deps.includes("COPY packages/api/package.json packages/api/"), deps.join("\n"));
    assert.ok(deps.includes("COPY packages/lib/package.json packages/lib/"));
    assert.ok(deps.indexOf("COPY packages/lib/package.json packages/lib/") < deps.findIndex((line) => line.includes("npm ci")));
    assert.ok(!result.dockerfile.includes("production-deps"), "the pruned build replaces the production install");
    assert.ok(runtimeStage(result.dockerfile).includes("COPY --from=pruned /repo /repo"));
    assert.ok(!result.review.some((entry) => entry.startsWith("Could not determine")));
  });

  describe("npm workspaces whose builds name their output directories", () => {
    const root = JSON.stringify({ name: "mono", private: true, workspaces: ["packages/*"], scripts: { build: "npm run build -w @mono/lib && npm run build --workspace=packages/api" } });
    const api = JSON.stringify({ name: "@mono/api", scripts: { build: "tsc -p tsconfig.build.json" }, dependencies: { "@mono/lib": "*", express: "^5" } });
    const lib = JSON.stringify({ name: "@mono/lib", scripts: { build: "tsup src/index.ts --out-dir lib" } });
    const dockerfile = "FROM node:22\nWORKDIR /repo\nCOPY . .\nRUN npm ci\nRUN npm run build\nCMD [\"node\", \"packages/api/dist/index.js\"]\n";
    const repo: Record<string, string | number> = {
      Dockerfile: dockerfile,
      "package.json": root,
      "package-lock.json": "{}",
      "packages/api/package.json": api,
      "packages/api/tsconfig.build.json": '{ "extends": "../../tsconfig.base.json", "compilerOptions": { "outDir": "./dist" } }',
      "packages/api/src/index.ts": 10,
      "packages/api/views/home.ejs": 10,
      "packages/lib/package.json": lib,
      "packages/lib/src/index.ts": 10,
    };

    it("ships the production install (manifests, node_modules with the workspace links) and each workspace's output: a code change re-runs no prune", () => {
      const result = mustPlan(planFiles(repo));
      assert.ok(!result.dockerfile.includes("AS pruned"), result.dockerfile);
      const production = stageLines(result.dockerfile, /AS production-deps$/);
      assert.ok(production.includes("COPY packages/api/package.json packages/api/"), production.join("\n"));
      assert.ok(production.includes("COPY packages/lib/package.json packages/lib/"));
      assert.ok(production.includes("RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev"));
      const runtime = runtimeStage(result.dockerfile);
      const copies = runtime.filter((line) => line.startsWith("COPY"));
      assert.deepEqual(copies, [
        "COPY --from=production-deps /repo ./",
        "COPY --from=build /repo/packages/lib/lib ./packages/lib/lib",
        "COPY --from=build /repo/packages/api/dist ./packages/api/dist",
        "COPY --from=build /repo/packages/api/views ./packages/api/views",
      ]);
      assert.ok(result.notes.some((note) => note.includes("packages/api: tsconfig.build.json (compilerOptions.outDir)")), result.notes.join("\n"));
    });

    it("falls back to the pruned build when it is not sure", () => {
      const pruned = (overrides: Record<string, string | number>, why: string): void => {
        const result = mustPlan(planFiles({ ...repo, ...overrides }));
        assert.ok(result.dockerfile.includes("FROM build AS pruned"), `${why}:\n${result.dockerfile}`);
        assert.ok(runtimeStage(result.dockerfile).includes("COPY --from=pruned /repo /repo"), why);
      };
      pruned({ "packages/api/tsconfig.build.json": '{ "extends": "../../tsconfig.base.json" }' }, "the output directory is in a tsconfig the planner does not follow");
      pruned({ "package.json": root.replace("npm run build -w @mono/lib && ", "") }, "a workspace nothing builds ships its sources");
      pruned({ "package.json": root.replace("npm run build -w @mono/lib", "turbo run build") }, "a build command that is not an npm script run");
      pruned({ "package.json": root.replace('"build":', '"prebuild": "node scripts/gen.js", "build":') }, "a prebuild script runs too");
      pruned({ Dockerfile: dockerfile.replace("packages/api/dist/index.js", "server.js"), "server.js": 10 }, "the start file is not build output");
      pruned({ "packages/tools/package.json": JSON.stringify({ name: "tools" }), "package.json": root.replace('["packages/*"]', '["packages/api", "packages/lib"]') }, "a package.json that is no workspace");
      const yarn = { ...repo, "package-lock.json": 0, "yarn.lock": "# yarn lockfile v1\n", Dockerfile: dockerfile.replace("npm ci", "yarn install --frozen-lockfile").replace("npm run build", "yarn build") };
      pruned(yarn, "yarn workspaces");
    });
  });

  it("flags a missing lockfile and keeps npm install", () => {
    const files = nodeRepo();
    delete files["package-lock.json"];
    const result = mustPlan(planFiles(files));
    assert.ok(result.dockerfile.includes("npm install --omit=dev"));
    assert.ok(result.review.some((entry) => entry.startsWith("No lockfile")));
  });

  it("yarn v1 and pnpm use their own lockfiles, caches and production installs", () => {
    const yarn = mustPlan(planFiles(nodeRepo({ "package-lock.json": 0, "yarn.lock": "# yarn lockfile v1\n", Dockerfile: NODE_DOCKERFILE.replace("npm install", "yarn install").replace("npm run build", "yarn build") })));
    assert.ok(yarn.dockerfile.includes("COPY package.json yarn.lock ./"), yarn.dockerfile);
    assert.ok(yarn.dockerfile.includes("RUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install --frozen-lockfile\n"));
    assert.ok(yarn.dockerfile.includes("yarn install --frozen-lockfile --production"));
    const files = nodeRepo({ "pnpm-lock.yaml": "lockfileVersion: '9.0'\n", Dockerfile: NODE_DOCKERFILE.replace("npm install", "pnpm install").replace("npm run build", "pnpm run build") });
    delete files["package-lock.json"];
    const pnpm = mustPlan(planFiles(files));
    assert.ok(pnpm.dockerfile.includes("--mount=type=cache,target=/root/.local/share/pnpm/store"));
    assert.ok(pnpm.dockerfile.includes("corepack enable && pnpm install --frozen-lockfile --prod"));
    assert.ok(stageLines(pnpm.dockerfile, /AS build$/).includes("RUN pnpm run build"));
  });

  it("a global install of the package manager runs before the install in every dependency stage, and in the runtime only when the start command needs it", () => {
    const dockerfile = "FROM node:22\nRUN npm install -g yarn@1.22.22\nWORKDIR /app\nCOPY . .\nRUN yarn install --frozen-lockfile\nRUN yarn build\nCMD [\"yarn\", \"start\"]\n";
    const repo = nodeRepo({ "package-lock.json": 0, "yarn.lock": "# yarn lockfile v1\n", Dockerfile: dockerfile });
    const install = "RUN --mount=type=cache,target=/root/.npm npm install -g yarn@1.22.22";
    for (const stage of [/AS deps$/, /AS production-deps$/]) {
      const lines = stageLines(mustPlan(planFiles(repo)).dockerfile, stage);
      const yarnInstall = lines.findIndex((line) => line.includes("yarn install --frozen-lockfile"));
      assert.ok(lines.indexOf(install) >= 0 && lines.indexOf(install) < yarnInstall, lines.join("\n"));
    }
    // `yarn start` resolves to `node dist/index.js`: the runtime needs no yarn.
    const resolved = mustPlan(planFiles(repo));
    assert.ok(!runtimeStage(resolved.dockerfile).some((line) => line.includes("yarn@")), resolved.dockerfile);
    assert.ok(runtimeStage(resolved.dockerfile).includes('CMD ["node", "dist/index.js"]'));
    // A start script that is not plain `node`: the runtime runs yarn, so it installs yarn too.
    const scripted = mustPlan(planFiles({ ...repo, "package.json": JSON.stringify({ name: "api", scripts: { build: "tsc", start: "NODE_ENV=production node dist/index.js" }, dependencies: { express: "^5.1.0" } }) }));
    assert.ok(runtimeStage(scripted.dockerfile).includes(install), scripted.dockerfile);
    // Other global tools (pm2) still belong to the runtime only.
    const pm2 = mustPlan(planFiles(nodeRepo({ Dockerfile: NODE_DOCKERFILE.replace("RUN npm install\n", "RUN npm install -g pm2\nRUN npm install\n") })));
    assert.ok(runtimeStage(pm2.dockerfile).includes("RUN --mount=type=cache,target=/root/.npm npm install -g pm2"), pm2.dockerfile);
    assert.ok(!stageLines(pm2.dockerfile, /AS deps$/).some((line) => line.includes("pm2")));
  });

  it("Next.js: standalone output when next.config says so, a review note otherwise", () => {
    const pkg = JSON.stringify({ name: "site", scripts: { build: "next build", start: "next start" }, dependencies: { next: "15.0.0", react: "19.0.0" } });
    const standalone = mustPlan(planFiles(nodeRepo({ "package.json": pkg, "next.config.js": "module.exports = { output: 'standalone' };\n", "public/logo.svg": 10 })));
    const runtime = runtimeStage(standalone.dockerfile);
    assert.ok(runtime.includes("COPY --from=build /app/.next/standalone ./"));
    assert.ok(runtime.includes("COPY --from=build /app/.next/static ./.next/static"));
    assert.ok(stageLines(standalone.dockerfile, /AS build$/).includes("RUN --mount=type=cache,id=next-cache-site,target=/app/.next/cache,sharing=locked npm run build"), "Next's build cache is kept between builds");
    const distDir = mustPlan(planFiles(nodeRepo({ "package.json": pkg.replace('"site"', '"@acme/site"'), "next.config.js": "module.exports = { output: 'standalone', distDir: 'out/' };\n" })));
    assert.ok(stageLines(distDir.dockerfile, /AS build$/).includes("RUN --mount=type=cache,id=next-cache-acme-site,target=/app/out/cache,sharing=locked npm run build"), distDir.dockerfile);
    assert.ok(runtime.includes('CMD ["node", "server.js"]'));
    assert.ok(!runtime.some((line) => line.includes("node_modules")), "the standalone server carries its own traced dependencies");
    assert.ok(!standalone.dockerfile.includes("AS production-deps"), "no stage nothing copies from");
    // A next.config.js whose text is unavailable (unreadable, too large): the planner cannot confirm standalone output.
    const unread = mustPlan(planFiles(nodeRepo({ "package.json": pkg, "next.config.js": 48 })));
    assert.ok(stageLines(unread.dockerfile, /AS build$/).includes("RUN npm run build"), "without standalone output the runtime ships .next/ whole, its cache included");
    assert.ok(unread.review.some((entry) => entry.startsWith("next.config.js could not be read")));
    assert.ok(runtimeStage(unread.dockerfile).includes('CMD ["node_modules/.bin/next", "start"]'));
  });

  it("keeps a shell-form CMD that needs a shell, and says why", () => {
    const result = mustPlan(planFiles(nodeRepo({ Dockerfile: NODE_DOCKERFILE.replace("CMD npm start", "CMD node dist/migrate.js && exec node dist/index.js") })));
    assert.ok(runtimeStage(result.dockerfile).includes("CMD node dist/migrate.js && exec node dist/index.js"));
    assert.ok(result.review.some((entry) => entry.includes("stays in shell form")));
  });

  it("keeps global ARGs and a version ARG in the runtime image's tag", () => {
    const dockerfile = "ARG NODE_VERSION=22\nFROM node:${NODE_VERSION}\nARG BUILD_ID\nWORKDIR /app\nCOPY . .\nRUN npm ci\nRUN npm run build\nCMD [\"node\", \"dist/index.js\"]\n";
    const result = mustPlan(planFiles(nodeRepo({ Dockerfile: dockerfile })));
    const model = parseDockerfile(result.dockerfile);
    assert.equal(model.globalArgs.get("NODE_VERSION"), "22");
    assert.deepEqual(model.stages.map((stage) => stage.base.raw), ["node:${NODE_VERSION}", "deps", "node:${NODE_VERSION}", "node:${NODE_VERSION}-slim"]);
    assert.ok(stageLines(result.dockerfile, /AS build$/).includes("ARG BUILD_ID"), "the build stage declares the ARG again");
    assert.ok(!stageLines(result.dockerfile, /AS deps$/).includes("ARG BUILD_ID"), "a changing ARG does not re-run the install");
    assert.ok(runtimeStage(result.dockerfile).includes("ARG BUILD_ID"));
  });

  it("copies the scripts the startup command runs, which are not build output", () => {
    const dockerfile = NODE_DOCKERFILE.replace("CMD npm start", 'ENTRYPOINT ["./docker-entrypoint.sh"]\nCMD ["node", "dist/index.js"]');
    const result = mustPlan(planFiles(nodeRepo({ Dockerfile: dockerfile, "docker-entrypoint.sh": "#!/bin/sh\nexec \"$@\"\n" })));
    const runtime = runtimeStage(result.dockerfile);
    assert.ok(runtime.includes("COPY docker-entrypoint.sh ./docker-entrypoint.sh"), runtime.join("\n"));
    assert.ok(runtime.includes('ENTRYPOINT ["./docker-entrypoint.sh"]'));
    const go = mustPlan(planFiles({ Dockerfile: 'FROM golang:1.19\nWORKDIR /src\nCOPY . .\nRUN go build -o app .\nENTRYPOINT ["/src/entrypoint.sh"]\nCMD ["./app"]\n', "go.mod": "module example.com/app\n", "entrypoint.sh": 20 }));
    assert.equal(runtimeStage(go.dockerfile)[1], "FROM debian:bookworm-slim", "a shell script needs a shell");
    assert.ok(runtimeStage(go.dockerfile).includes("COPY entrypoint.sh ./entrypoint.sh"));
    assert.ok(!runtimeStage(go.dockerfile).includes("COPY app ./app"), "the binary comes from the build stage");
  });

  it("keeps the original's non-root user, creating it again in the runtime stage", () => {
    const dockerfile = NODE_DOCKERFILE.replace("EXPOSE", "RUN groupadd -r web && useradd -r -g web web\nUSER web\nEXPOSE");
    const runtime = runtimeStage(mustPlan(planFiles(nodeRepo({ Dockerfile: dockerfile }))).dockerfile);
    assert.ok(runtime.includes("RUN groupadd -r web && useradd -r -g web web"));
    assert.equal(runtime.filter((line) => line.startsWith("USER ")).join(), "USER web");
    const go = mustPlan(planFiles({ Dockerfile: "FROM golang:1.19\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nRUN useradd -u 1001 svc\nUSER svc\nCMD [\"/app\"]\n", "go.mod": "module example.com/app\n" }));
    assert.ok(runtimeStage(go.dockerfile).includes("USER 65532:65532"), "distroless cannot run useradd");
    assert.ok(go.review.some((entry) => entry.includes("useradd -u 1001 svc")));
  });

  it("flags RUN commands it cannot place", () => {
    const result = mustPlan(planFiles(nodeRepo({ Dockerfile: NODE_DOCKERFILE.replace("EXPOSE", "RUN chmod +x docker-entrypoint.sh\nEXPOSE") })));
    assert.ok(result.review.some((entry) => entry.startsWith("`RUN chmod +x docker-entrypoint.sh` was not carried over")));
  });

  it("uses Dockerfile syntax features only when allowed", () => {
    const plain = mustPlan(planFiles(nodeRepo()));
    assert.ok(!plain.dockerfile.includes("# syntax=") && !plain.dockerfile.includes("--link"));
    const modern = mustPlan(planFiles(nodeRepo(), { allowSyntaxFeatures: true }));
    assert.equal(modern.dockerfile.split("\n")[0], "# syntax=docker/dockerfile:1");
    assert.ok(runtimeStage(modern.dockerfile).includes("COPY --link --from=build /app/dist ./dist"));
  });
});

describe("static front ends", () => {
  it("flags a bundler config the planner could not read, and serves the default output directory", () => {
    const pkg = JSON.stringify({ name: "site", scripts: { dev: "vite", build: "vite build" }, devDependencies: { vite: "^7" } });
    const files = { Dockerfile: "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"npm\", \"run\", \"dev\"]\n", "package.json": pkg, "package-lock.json": "{}", "vite.config.ts": "export default { build: { outDir: 'public-build' } }", "index.html": 10 };
    // A vite.config.ts whose text is unavailable (unreadable, too large).
    const unread = mustPlan(planFiles({ ...files, "vite.config.ts": 60 }));
    assert.equal(unread.ecosystem, "static-web");
    assert.ok(unread.review.some((entry) => entry.startsWith("vite.config.ts could not be read")));
    assert.ok(runtimeStage(unread.dockerfile).includes("COPY --from=build /app/dist /usr/share/nginx/html"));
    assert.ok(stageLines(unread.dockerfile, /AS build$/).includes("RUN npm run build"), "the build the original never ran");
    assert.ok(runtimeStage(unread.dockerfile).includes("    '    listen 5173;' \\"), "vite's dev port when nothing else says");
    const read = mustPlan(planFiles(files));
    assert.ok(runtimeStage(read.dockerfile).includes("COPY --from=build /app/public-build /usr/share/nginx/html"));
  });

  it("a dev-server proxy asks for review; compose's bundle variables become build arguments when literal, else a review", () => {
    const pkg = JSON.stringify({ name: "site", scripts: { dev: "vite", build: "vite build" }, devDependencies: { vite: "^7" } });
    const site = { "web/Dockerfile": "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"npm\", \"run\", \"dev\"]\n", "web/package.json": pkg, "web/package-lock.json": "{}", "web/index.html": "<html></html>" };
    const web = { dockerfile: "web/Dockerfile" };
    const compose = (environment: string): string => `services:\n  web:\n    build: ./web\n    environment:\n${environment}`;
    const plain = mustPlan(planFiles({ ...site, "compose.yaml": compose("      VITE_API_URL: https://api.example.com\n      VITE_FLAG: on\n      NODE_OPTIONS: --max-old-space-size=512\n") }, web));
    assert.deepEqual(plain.review, []);
    assert.deepEqual(stageLines(plain.dockerfile, /AS build$/).filter((line) => line.startsWith("ARG ")), ["ARG VITE_API_URL=https://api.example.com", "ARG VITE_FLAG=on"], "only the variables the bundler inlines");
    assert.ok(plain.notes.some((note) => /development server \(vite\)/.test(note)));

    const interpolated = mustPlan(planFiles({ ...site, "compose.yaml": compose("      VITE_API_URL: ${API_URL}\n") }, web));
    assert.ok(!interpolated.dockerfile.includes("ARG VITE_API_URL"));
    assert.ok(interpolated.review.some((entry) => entry.includes("VITE_API_URL") && entry.includes("Pass it as a build argument")));

    const fromShell = mustPlan(planFiles({ ...site, "compose.yaml": compose("      - VITE_API_URL\n") }, web));
    assert.ok(!fromShell.dockerfile.includes("ARG VITE_API_URL"));
    assert.ok(fromShell.review.some((entry) => entry.includes("VITE_API_URL") && entry.includes("taken from the shell")));

    const proxied = mustPlan(planFiles({ ...site, "web/vite.config.js": "export default { server: { proxy: { '/api': 'http://api:3000' } } }" }, web));
    assert.ok(proxied.review.some((entry) => entry.startsWith("vite.config.js configures a dev-server proxy")));
  });

  it("a `serve` of the build output keeps serve's port", () => {
    const pkg = JSON.stringify({ name: "cra", scripts: { build: "react-scripts build" }, dependencies: { react: "19", "react-scripts": "5" } });
    const result = mustPlan(planFiles({ Dockerfile: "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nRUN npm install -g serve\nCMD [\"serve\", \"-s\", \"build\", \"-l\", \"8081\"]\n", "package.json": pkg, "package-lock.json": "{}" }));
    assert.equal(result.ecosystem, "static-web");
    assert.ok(runtimeStage(result.dockerfile).includes("EXPOSE 8081"));
    assert.ok(!result.dockerfile.includes("serve -s"), "serve is gone");
  });

  it("Create React App builds to build/", () => {
    const pkg = JSON.stringify({ name: "cra", scripts: { start: "react-scripts start", build: "react-scripts build" }, dependencies: { react: "19", "react-scripts": "5" } });
    const result = mustPlan(planFiles({ Dockerfile: "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm install\nEXPOSE 3000\nCMD [\"npm\", \"start\"]\n", "package.json": pkg, "package-lock.json": "{}" }));
    assert.equal(result.ecosystem, "static-web");
    assert.ok(runtimeStage(result.dockerfile).includes("COPY --from=build /app/build /usr/share/nginx/html"));
    assert.ok(runtimeStage(result.dockerfile).includes("EXPOSE 3000"));
  });
});

describe("Python", () => {
  it("poetry: installs the main group into the virtualenv and asks to pin Poetry", () => {
    const files = { Dockerfile: "FROM python:3.12-bookworm\nWORKDIR /app\nCOPY . .\nRUN pip install poetry && poetry install\nCMD [\"gunicorn\", \"app:app\"]\n", "pyproject.toml": '[tool.poetry]\nname = "svc"\n', "poetry.lock": "# lock\n" };
    const result = mustPlan(planFiles(files));
    assert.equal(result.ecosystem, "python");
    assert.ok(result.dockerfile.includes("COPY pyproject.toml poetry.lock ./"));
    assert.ok(result.dockerfile.includes("poetry install --only main --no-root --no-interaction"));
    assert.equal(runtimeStage(result.dockerfile)[1], "FROM python:3.12-slim-bookworm");
    assert.ok(result.review.some((entry) => entry.startsWith("Poetry is installed from PyPI")));
  });

  it("uv: uv sync from the lockfile into /opt/venv", () => {
    const result = mustPlan(planFiles({ Dockerfile: "FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install uv && uv sync --frozen\nCMD [\"python\", \"main.py\"]\n", "pyproject.toml": '[project]\nname = "svc"\n', "uv.lock": "version = 1\n" }));
    assert.ok(result.dockerfile.includes("ENV UV_PROJECT_ENVIRONMENT=/opt/venv"));
    assert.ok(result.dockerfile.includes("RUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen --no-dev --no-install-project"));
  });

  it("without any dependency install there is no virtualenv stage, just the slim runtime", () => {
    const result = mustPlan(planFiles({ Dockerfile: "FROM python:3.11-slim\nCOPY . /app\nCMD python /app/main.py\n", "main.py": 10 }));
    assert.equal(parseDockerfile(result.dockerfile).stages.length, 1);
    assert.equal(runtimeStage(result.dockerfile)[1], "FROM python:3.11-slim");
    assert.ok(runtimeStage(result.dockerfile).includes('CMD ["python", "/app/main.py"]'));
    assert.deepEqual(result.review, [], "an already slim base needs no review");
  });

  it("keeps compilers in the build stage and runtime libraries in the runtime", () => {
    const dockerfile = "FROM python:3.11\nRUN apt-get update && apt-get install -y gcc libpq-dev libpq5\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n";
    const result = mustPlan(planFiles({ Dockerfile: dockerfile, "requirements.txt": "psycopg2==2.9.9\n" }));
    assert.ok(stageLines(result.dockerfile, /AS build$/).some((line) => line.endsWith("--no-install-recommends gcc libpq-dev")));
    assert.ok(runtimeStage(result.dockerfile).some((line) => line.endsWith("--no-install-recommends libpq5")));
  });
});

function fromLines(dockerfile: string): string[] {
  return dockerfile.split("\n").filter((line) => line.startsWith("FROM "));
}

describe("Go, Rust and Java", () => {
  it("Go with a cgo module keeps cgo, runs on distroless base and asks for review", () => {
    const files = { Dockerfile: "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /bin/app ./cmd/app\nCMD [\"/bin/app\"]\n", "go.mod": "module example.com/app\n\ngo 1.22\n\nrequire github.com/mattn/go-sqlite3 v1.14.22\n", "go.sum": 100 };
    const result = mustPlan(planFiles(files));
    assert.ok(result.dockerfile.includes("CGO_ENABLED=1 go build"));
    assert.equal(runtimeStage(result.dockerfile)[1], "FROM gcr.io/distroless/base-debian12:nonroot");
    assert.ok(result.dockerfile.includes("COPY go.mod go.sum ./"));
    assert.ok(result.review.some((entry) => entry.includes("github.com/mattn/go-sqlite3")));
  });

  it("Go: a shell HEALTHCHECK rules out distroless", () => {
    const files = { Dockerfile: "FROM golang:1.19\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nHEALTHCHECK CMD wget -qO- localhost:8080/health || exit 1\nCMD [\"/app\"]\n", "go.mod": "module example.com/app\n" };
    const result = mustPlan(planFiles(files));
    assert.equal(runtimeStage(result.dockerfile)[1], "FROM debian:bookworm-slim");
    assert.ok(result.review.some((entry) => entry.includes("runs wget")));
  });

  it("Go and Rust: a compose service that runs the image through a shell rules out distroless; a plain command or an image ENTRYPOINT does not", () => {
    const go = { "svc/Dockerfile": "FROM golang:1.19\nWORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/svc .\nCMD [\"svc\"]\n", "svc/go.mod": "module example.com/svc\n" };
    const svc = { dockerfile: "svc/Dockerfile" };
    const compose = (command: string): string => `services:\n  svc:\n    build: ./svc\n    command: ${command}\n`;
    const shell = mustPlan(planFiles({ ...go, "compose.yaml": compose(`sh -c "until nc -z db 5432; do sleep 1; done; exec svc"`) }, svc));
    assert.equal(runtimeStage(shell.dockerfile)[1], "FROM debian:bookworm-slim");
    assert.ok(shell.notes.includes("Runtime on debian:bookworm-slim rather than distroless: compose.yaml: svc runs it through a shell."), shell.notes.join("\n"));
    const plain = mustPlan(planFiles({ ...go, "compose.yaml": compose("svc --verbose") }, svc));
    assert.equal(runtimeStage(plain.dockerfile)[1], "FROM gcr.io/distroless/static-debian12:nonroot");
    const withEntrypoint = { ...go, "svc/Dockerfile": "FROM golang:1.19\nWORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/svc .\nENTRYPOINT [\"svc\"]\n" };
    const argumentsOnly = mustPlan(planFiles({ ...withEntrypoint, "compose.yaml": compose("[sh, --not-a-shell]") }, svc));
    assert.equal(runtimeStage(argumentsOnly.dockerfile)[1], "FROM gcr.io/distroless/static-debian12:nonroot", "with the image's ENTRYPOINT, compose's command is its arguments");

    const cargo = '[package]\nname = "svc"\nversion = "0.1.0"\n';
    const rust = { "svc/Dockerfile": "FROM rust:1.63\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\nCMD [\"./target/release/svc\"]\n", "svc/Cargo.toml": cargo, "svc/Cargo.lock": 10 };
    const rustShell = mustPlan(planFiles({ ...rust, "compose.yaml": "services:\n  svc:\n    build: ./svc\n    entrypoint: /docker-entrypoint.sh\n" }, svc));
    assert.equal(runtimeStage(rustShell.dockerfile)[1], "FROM debian:bookworm-slim");
  });

  it("a compose command that needs a build tool or a devDependency (through npm scripts), or any compose command of a site moved to nginx, asks for review", () => {
    const go = { "svc/Dockerfile": "FROM golang:1.19\nWORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/svc .\nCMD [\"svc\"]\n", "svc/go.mod": "module example.com/svc\n" };
    const svc = { dockerfile: "svc/Dockerfile" };
    const goRun = mustPlan(planFiles({ ...go, "compose.yaml": "services:\n  svc:\n    build: ./svc\n    command: sh -c 'go run . --port 8080'\n" }, svc));
    assert.ok(goRun.review.some((entry) => entry.startsWith("compose.yaml: svc runs `sh -c go run . --port 8080`, which needs go")), goRun.review.join("\n"));
    const worker = mustPlan(planFiles({ ...go, "compose.yaml": "services:\n  svc:\n    build: ./svc\n    command: [sh, -c, 'until nc -z db 5432; do sleep 1; done; exec svc']\n" }, svc));
    assert.deepEqual(worker.review, [], "a wait loop before the binary needs no build tool");

    const site = { "web/Dockerfile": "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"npm\", \"run\", \"dev\"]\n", "web/package.json": JSON.stringify({ name: "site", scripts: { dev: "vite", build: "vite build" }, devDependencies: { vite: "^7" } }), "web/package-lock.json": "{}", "web/index.html": "<html></html>" };
    const nginx = mustPlan(planFiles({ ...site, "compose.yaml": "services:\n  web:\n    build: ./web\n    command: npm run dev -- --host\n" }, { dockerfile: "web/Dockerfile" }));
    assert.equal(nginx.ecosystem, "static-web");
    assert.ok(nginx.review.some((entry) => entry.includes("runs `npm run dev -- --host` instead of the image's command") && entry.includes("nginx")));

    const pkg = JSON.stringify({ name: "api", scripts: { build: "tsc", start: "node dist/main.js", dev: "nodemon src/main.ts", migrate: "npx prisma migrate deploy" }, dependencies: { express: "^5" }, devDependencies: { typescript: "^5", nodemon: "^3", prisma: "^6" } });
    const api = { "api/Dockerfile": "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nCMD [\"npm\", \"start\"]\n", "api/package.json": pkg, "api/package-lock.json": "{}", "api/tsconfig.json": JSON.stringify({ compilerOptions: { outDir: "dist" } }) };
    const node = (command: string): string[] => mustPlan(planFiles({ ...api, "compose.yaml": `services:\n  api:\n    build: ./api\n    command: ${command}\n` }, { dockerfile: "api/Dockerfile" })).review;
    assert.ok(node("npm run dev").some((entry) => entry.includes("which needs nodemon from devDependencies") && entry.includes("--dev")));
    assert.ok(node(`sh -c "npm run migrate && npm start"`).some((entry) => entry.includes("which needs prisma from devDependencies")));
    assert.ok(node("npm run build").some((entry) => entry.includes("runs `npm run build`, which needs tsc: the rewritten runtime leaves build tools in the build stage")));
    assert.deepEqual(node(`sh -c "until nc -z db 5432; do sleep 1; done; npm start"`), [], "npm start runs node: nothing from devDependencies");
  });

  it("keeps the original's stage name on the runtime stage, renaming a planned stage it would clash with", () => {
    const go = (name: string) => ({ Dockerfile: `FROM golang:1.19 AS ${name}\nWORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/svc .\nCMD ["svc"]\n`, "go.mod": "module example.com/svc\n" });
    const app = mustPlan(planFiles(go("app"))).dockerfile;
    assert.deepEqual(fromLines(app), ["FROM golang:1.19 AS deps", "FROM deps AS build", "FROM gcr.io/distroless/static-debian12:nonroot AS app"]);
    const build = mustPlan(planFiles(go("Build"))).dockerfile;
    assert.deepEqual(fromLines(build), ["FROM golang:1.19 AS deps", "FROM deps AS build-stage", "FROM gcr.io/distroless/static-debian12:nonroot AS build"]);
    assert.ok(build.includes("COPY --from=build-stage /out/svc /usr/local/bin/svc"), build);
    assert.ok(!/--from=build\s/.test(build));
  });

  it("Rust: the binary named by [[bin]], OpenSSL users on Debian slim with a review note", () => {
    const cargo = '[package]\nname = "svc"\nversion = "0.1.0"\n\n[[bin]]\nname = "server"\n\n[dependencies]\nreqwest = "0.12"\ntokio = { version = "1", features = ["full"] }\n';
    const result = mustPlan(planFiles({ Dockerfile: "FROM rust:1.80\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\nCMD [\"./target/release/server\"]\n", "Cargo.toml": cargo, "Cargo.lock": 10, "src/bin/server.rs": 10, "src/lib.rs": 10 }));
    assert.ok(result.dockerfile.includes("cp target/release/server /out/server"));
    // Stubs for the target roots the project has (and no other: a stub src/main.rs would add a binary).
    assert.ok(result.dockerfile.includes(`for main in src/bin/server.rs; do echo 'fn main() {}' > "$main"; done \\\n    && touch src/lib.rs`), result.dockerfile);
    assert.equal(runtimeStage(result.dockerfile)[1], "FROM debian:bookworm-slim");
    assert.ok(runtimeStage(result.dockerfile).includes('CMD ["/usr/local/bin/server"]'));
    assert.ok(result.review.some((entry) => entry.includes("reqwest needs libssl3")));
  });

  it("Rust workspace: every member's manifest keys the dependency layer, stubs only for files that exist, the stubs' fingerprints removed, `cargo run --bin` becomes the binary", () => {
    const member = (name: string, extra = ""): string => `[package]\nname = "${name}"\nversion = "0.1.0"\n${extra}`;
    const files = {
      Dockerfile: 'FROM rust:1.63\nWORKDIR /src\nCOPY . .\nRUN cargo build --release --locked\nCMD ["cargo", "run", "--release", "--bin", "api", "--", "--port", "80"]\n',
      "Cargo.toml": '[workspace]\nmembers = ["crates/*"]\n',
      "Cargo.lock": 10,
      "crates/core/Cargo.toml": member("core", "build = \"gen.rs\"\n"),
      "crates/core/gen.rs": 10,
      "crates/core/src/lib.rs": 10,
      "crates/api/Cargo.toml": member("api-server", '\n[[bin]]\nname = "api"\npath = "src/api.rs"\n'),
      "crates/api/src/api.rs": 10,
      "crates/api/src/bin/admin.rs": 10,
      "crates/api/src/routes.rs": 10,
    };
    const result = mustPlan(planFiles(files));
    const deps = stageLines(result.dockerfile, /AS deps$/).join("\n");
    assert.match(deps, /^COPY Cargo\.toml Cargo\.lock \.\/$/m);
    assert.match(deps, /^COPY crates\/api\/Cargo\.toml crates\/api\/$/m);
    assert.match(deps, /^COPY crates\/core\/Cargo\.toml crates\/core\/$/m);
    assert.ok(deps.includes("for main in crates/api/src/api.rs crates/api/src/bin/admin.rs crates/core/gen.rs;"), deps);
    assert.ok(deps.includes("touch crates/core/src/lib.rs"), deps);
    assert.ok(!deps.includes("routes.rs") && !deps.includes("crates/api/src/main.rs"), "no stub for a file that is not a target root or does not exist");
    assert.ok(deps.includes("cargo build --release --locked"), deps);
    assert.ok(deps.includes("rm -rf target/release/.fingerprint/api-server-* target/release/.fingerprint/core-*"), deps);
    assert.ok(!deps.includes("COPY . ."), "the dependency stage sees the manifests only");
    const build = stageLines(result.dockerfile, /AS build$/).join("\n");
    assert.match(build, /--mount=type=cache,id=cargo-target-api,target=\/src\/target,sharing=locked/);
    assert.ok(build.includes("cp -a /cargo-deps-target/. target/"), build);
    assert.ok(build.includes("cp target/release/api /out/api"), build);
    assert.ok(runtimeStage(result.dockerfile).includes('CMD ["/usr/local/bin/api", "--port", "80"]'), result.dockerfile);
    assert.equal(runtimeStage(result.dockerfile)[1], "FROM gcr.io/distroless/cc-debian12:nonroot");
  });

  it("Java: Gradle image to the JRE of the same version, Gradle's cache mounted", () => {
    const files = { Dockerfile: "FROM gradle:8.10-jdk21\nWORKDIR /app\nCOPY . .\nRUN gradle bootJar --no-daemon\nCMD [\"java\", \"-jar\", \"build/libs/app.jar\"]\n", "build.gradle": 100, "settings.gradle": 10 };
    const result = mustPlan(planFiles(files));
    assert.equal(result.ecosystem, "java");
    assert.ok(result.dockerfile.includes("COPY build.gradle settings.gradle ./"));
    assert.ok(result.dockerfile.includes("--mount=type=cache,target=/home/gradle/.gradle"));
    assert.equal(runtimeStage(result.dockerfile)[1], "FROM eclipse-temurin:21-jre");
    assert.ok(runtimeStage(result.dockerfile).includes('CMD ["java", "-jar", "/app/app.jar"]'));
  });
});
