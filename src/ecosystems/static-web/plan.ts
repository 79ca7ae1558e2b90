// Static front ends (Vite, Create React App, Vue CLI, Parcel, Astro...) that the original image
// served with a dev or preview server: the bundle is built in a Node stage and served by nginx
// from the build output, as an unprivileged user, on the port the original exposed.
import { hasDirectory } from "../context.ts";
import type { ContextFiles } from "../context.ts";
import { scriptOf, STATIC_SERVERS } from "../node/detect.ts";
import { configuredOutputDirectory, normalizeDirectory } from "../node/manifests.ts";
import { dependencyStageLines, readNodeProject } from "../node/project.ts";
import type { NodeProject } from "../node/project.ts";
import type { PlannedStages, PlannerInput } from "../plan-types.ts";
import { applicationDirectory, checkCopies } from "../plan-types.ts";
import { buildArgumentLines } from "../original.ts";
import { copyFrom } from "../render.ts";
import { startupCommands } from "../../rules/support/runtime-image.ts";
import { metadataLines, startupLines, userLines } from "../runtime.ts";

/** The stable nginx line (even minor); the lab forges any `nginx:<tag>`. */
export const NGINX_IMAGE = "nginx:1.28";
const NGINX_ROOT = "/usr/share/nginx/html";
const UNPRIVILEGED_USER = "65532:65532";

interface Bundler {
  pattern: RegExp;
  outputDirectory: string;
  /** Config files whose text may move the output directory, and the key that does. */
  configs: string[];
  configKey?: string;
  devPort?: number;
}

/** Development servers (as opposed to static file servers such as `serve` or `vite preview`). */
const DEV_SERVERS = /^(vite(?!\s+(build|preview)\b)|react-scripts start|vue-cli-service serve|parcel(?!\s+build)|astro dev|webpack(-dev-server| serve)|next dev)\b/;

const BUNDLERS: Bundler[] = [
  { pattern: /\bvite build\b/, outputDirectory: "dist", configs: ["vite.config.js", "vite.config.mjs", "vite.config.ts", "vite.config.mts", "vite.config.cjs"], configKey: "outDir", devPort: 5173 },
  { pattern: /\breact-scripts build\b/, outputDirectory: "build", configs: [], devPort: 3000 },
  { pattern: /\bvue-cli-service build\b/, outputDirectory: "dist", configs: ["vue.config.js"], configKey: "outputDir", devPort: 8080 },
  { pattern: /\bparcel build\b/, outputDirectory: "dist", configs: [], devPort: 1234 },
  { pattern: /\bastro build\b/, outputDirectory: "dist", configs: ["astro.config.mjs", "astro.config.ts"], configKey: "outDir", devPort: 4321 },
  { pattern: /\bwebpack\b/, outputDirectory: "dist", configs: ["webpack.config.js", "webpack.config.ts", "webpack.config.cjs"], configKey: "path", devPort: 8080 },
];

/**
 * The startup commands after following npm scripts (`npm run dev` -> `vite`), one text per
 * simple command, also inside `sh -c "npm run build && npm run preview"`.
 */
function startupTexts(input: PlannerInput, project: NodeProject): string[] {
  const cmd = input.original.entrypoint ?? input.original.cmd;
  if (!cmd) return [];
  return startupCommands(cmd).map((command) => {
    const argv = command.argv;
    const script = scriptOf(argv);
    const body = script === undefined ? undefined : project.manifest.scripts?.[script];
    if (body === undefined) return argv.join(" ").replace(/^(npx|node_modules\/\.bin\/)\s*/, "");
    const separator = argv.indexOf("--");
    return `${body} ${separator < 0 ? "" : argv.slice(separator + 1).join(" ")}`.trim();
  });
}

function serverCommand(texts: readonly string[]): string | undefined {
  return texts.find((text) => STATIC_SERVERS.test(text));
}

/** A Node project whose image only serves a front end during development: a dev server plus a bundler build script. */
export function isStaticWebProject(input: PlannerInput, project: NodeProject): boolean {
  if (serverCommand(startupTexts(input, project)) === undefined) return false;
  const build = project.manifest.scripts?.build;
  return build !== undefined && BUNDLERS.some((bundler) => bundler.pattern.test(build));
}

function outputDirectory(files: ContextFiles, buildScript: string, messages: PlannerInput["messages"]): string | undefined {
  const flag = /--(?:outDir|out-dir|dist-dir)[=\s]+([^\s&;|]+)/.exec(buildScript)?.[1];
  if (flag !== undefined) return normalizeDirectory(flag);
  const bundler = BUNDLERS.find((candidate) => candidate.pattern.test(buildScript));
  if (!bundler) return undefined;
  for (const config of bundler.configs) {
    if (!files.has(config)) continue;
    const text = files.text(config);
    if (text === undefined) {
      messages.review.push(`${config} could not be read: the rewrite assumes the default output directory ${bundler.outputDirectory}/. Check it does not set ${bundler.configKey ?? "the output directory"}.`);
      return bundler.outputDirectory;
    }
    const configured = bundler.configKey === undefined ? undefined : configuredOutputDirectory(text, bundler.configKey);
    if (configured !== undefined && bundler.configKey !== "path") return configured;
    if (configured !== undefined) {
      messages.review.push(`${config} sets output.path; the rewrite assumes ${bundler.outputDirectory}/.`);
    }
  }
  if (bundler.configKey === "path") messages.review.push("webpack: the rewrite assumes the default output directory dist/.");
  return bundler.outputDirectory;
}

/** The port the dev server listened on: `--port N` in the command, else the first EXPOSE, else the tool's default. */
function listenPort(input: PlannerInput, startup: string | undefined): number {
  const flag = startup === undefined ? undefined : /(?:--port|-p|-l|--listen)[=\s]+(?:tcp:\/\/[^:]*:)?(\d+)/.exec(startup)?.[1];
  if (flag !== undefined) return Number(flag);
  const exposed = input.original.exposedPorts.map((port) => Number.parseInt(port, 10)).find((port) => Number.isInteger(port));
  if (exposed !== undefined) return exposed;
  const bundler = startup === undefined ? undefined : BUNDLERS.find((candidate) => candidate.devPort !== undefined && startup.includes(candidate.pattern.source.replace(/\\b/g, "").split(" ")[0] ?? ""));
  return bundler?.devPort ?? 80;
}

/** nginx.conf for an unprivileged nginx: pid and temp files in /tmp, logs to the container's stdout/stderr, SPA fallback. */
export function nginxConfigLines(port: number): string[] {
  const config = [
    "worker_processes auto;",
    "pid /tmp/nginx.pid;",
    "error_log /dev/stderr warn;",
    "events { worker_connections 1024; }",
    "http {",
    "  include /etc/nginx/mime.types;",
    "  default_type application/octet-stream;",
    "  access_log /dev/stdout;",
    "  client_body_temp_path /tmp/client_body;",
    "  proxy_temp_path /tmp/proxy;",
    "  fastcgi_temp_path /tmp/fastcgi;",
    "  uwsgi_temp_path /tmp/uwsgi;",
    "  scgi_temp_path /tmp/scgi;",
    "  server {",
    `    listen ${port};`,
    `    root ${NGINX_ROOT};`,
    "    location / { try_files $uri $uri/ /index.html; }",
    "  }",
    "}",
  ];
  return [`RUN printf '%s\\n' \\\n${config.map((line) => `    '${line}'`).join(" \\\n")} \\\n    > /etc/nginx/nginx.conf`];
}

export function planStaticWeb(input: PlannerInput, project = readNodeProject(input.original, input.files, input.messages)): PlannedStages | undefined {
  if (!project || !isStaticWebProject(input, project)) return undefined;
  const { original, files, options, messages } = input;
  const workdir = applicationDirectory(input);
  checkCopies(input, workdir);
  const buildScript = project.manifest.scripts?.build ?? "";
  let output = outputDirectory(files, buildScript, messages);
  if (output === undefined) {
    messages.review.push("Could not determine the build output directory; the rewrite assumes dist/.");
    output = "dist";
  }
  if (hasDirectory(files, output)) messages.review.push(`The build context already sends ${output}/: make sure the build stage regenerates it (add it to .dockerignore).`);
  const buildCommands = project.buildCommands.length > 0 ? project.buildCommands : [project.manager.runScript("build")];
  if (project.buildCommands.length === 0) messages.notes.push(`The original Dockerfile has no build step (the site was built at startup, or never); the build stage runs \`${buildCommands[0] ?? ""}\`.`);

  if (original.aptPackages.length > 0) messages.review.push(`The original installs ${original.aptPackages.join(", ")} with apt; the nginx runtime does not (a static site should not need them).`);
  const startup = serverCommand(startupTexts(input, project));
  const port = listenPort(input, startup);
  // A dev server answers with unbundled modules and a hot-reload client; nginx serves the
  // production bundle. That is the point of the rewrite: `fix --verify` with an HTTP probe checks
  // the built page and every asset it references. What the dev server does besides serving files
  // (proxying paths to an API) nginx does not do, and no probe of the page would notice.
  if (startup !== undefined && DEV_SERVERS.test(startup)) {
    messages.notes.push(`The original serves the site through a development server (${startup}); the rewrite serves the production build with nginx, so the HTML differs (no hot reload, bundled assets). \`fix --verify\` with an HTTP probe checks the page and every asset it references.`);
    for (const config of ["vite.config.js", "vite.config.mjs", "vite.config.ts", "vite.config.mts", "vite.config.cjs", "vue.config.js", "webpack.config.js", "package.json"]) {
      const text = files.text(config);
      if (text !== undefined && /["']?proxy["']?\s*:/.test(text)) messages.review.push(`${config} configures a dev-server proxy: the dev server forwards those paths to another server, nginx does not. Add matching \`location\` blocks with \`proxy_pass\` to the nginx config.`);
    }
  }
  const runtime = [...nginxConfigLines(port), copyFrom("build", `${workdir}/${output}`, NGINX_ROOT, options)];
  runtime.push(...userLines({ ...original, user: undefined, userSetup: [] }, UNPRIVILEGED_USER, messages, true));
  runtime.push(...metadataLines(original, messages, true, (keyword) => keyword === "EXPOSE"));
  runtime.push(`EXPOSE ${port}`);
  runtime.push(...startupLines(original, { hasShell: true, replacement: { cmd: ["nginx", "-g", "daemon off;"] } }, messages));

  messages.notes.push(`The Node dev or static server (${startup ?? "unknown"}) is replaced by ${NGINX_IMAGE} serving ${output}/ from ${NGINX_ROOT} on port ${port}, the port the original listened on, so compose port mappings keep working; unknown paths fall back to index.html (single-page app routing).`);
  messages.notes.push(`Stages: deps (${project.manager.install}), build (${buildCommands.join(" && ")}), runtime on ${NGINX_IMAGE} with no Node at all.`);
  if (original.env.size > 0) messages.notes.push("ENV values apply at build time only for a static bundle: variables the bundler inlines must be set before the build stage.");
  return {
    ecosystem: "static-web",
    stages: [
      { from: original.baseText, name: "deps", purpose: "Dependencies: manifests only, so this layer is rebuilt only when they change.", lines: dependencyStageLines(original, project, workdir, project.manager.install) },
      { from: "deps", name: "build", purpose: "Build: bundle the site.", lines: ["COPY . .", ...buildArgumentLines(original), ...bundleEnvironmentLines(input), ...buildCommands.map((command) => `RUN ${command}`)] },
      { from: NGINX_IMAGE, purpose: `Runtime: ${NGINX_IMAGE} serving the static files only.`, lines: runtime },
    ],
  };
}

/** Variables bundlers inline into the bundle (import.meta.env / process.env at build time), by prefix. */
const BUNDLE_ENVIRONMENT = /^(VITE_|REACT_APP_|VUE_APP_|PUBLIC_|GATSBY_|NEXT_PUBLIC_)/;

/**
 * A dev server reads VITE_API_URL and friends from the environment it runs in, so compose's
 * `environment:` shapes the site; a bundle inlines them when it is built, so they must be there in
 * the build stage. A literal value becomes an ARG default (ARG values are in the environment of
 * RUN, and `--build-arg` can still change it); an interpolated or conflicting one cannot be
 * carried over, and the rewrite asks for review.
 */
function bundleEnvironmentLines(input: PlannerInput): string[] {
  const values = new Map<string, Set<string | null>>();
  const sources = new Map<string, string[]>();
  for (const { service, environment } of input.composeServices ?? []) {
    for (const [key, value] of Object.entries(environment)) {
      if (!BUNDLE_ENVIRONMENT.test(key)) continue;
      values.set(key, (values.get(key) ?? new Set<string | null>()).add(value));
      sources.set(key, [...(sources.get(key) ?? []), service]);
    }
  }
  const lines: string[] = [];
  for (const [key, found] of [...values].sort(([a], [b]) => a.localeCompare(b))) {
    const [value] = [...found];
    const where = (sources.get(key) ?? []).join(", ");
    if (found.size > 1 || value === undefined || value === null || /[$"'\\\s]/.test(value) || value === "") {
      const shown = [...found].map((entry) => (entry === null ? "taken from the shell" : JSON.stringify(entry))).join(" / ");
      input.messages.review.push(`${where} set${(sources.get(key) ?? []).length === 1 ? "s" : ""} ${key} at run time, which the dev server read; the bundle inlines it at build time, and the value (${shown}) cannot be carried into the build stage as it is. Pass it as a build argument.`);
      continue;
    }
    lines.push(`ARG ${key}=${value}`);
    input.messages.notes.push(`${where} set${(sources.get(key) ?? []).length === 1 ? "s" : ""} ${key}=${value} at run time, which the dev server read; the bundle inlines it at build time, so the build stage has \`ARG ${key}=${value}\` (change it with --build-arg or compose build.args, not environment).`);
  }
  return lines;
}
