// Deterministic generator of the audit benchmark corpus: N small, realistic projects, each a
// directory with one Dockerfile and the sibling files the rules look at (manifests, lockfiles,
// sources, .dockerignore, .gitignore), grouped under directories that sometimes hold a compose
// file. Everything is derived from a seeded PRNG (never Math.random), so the same seed gives
// the same bytes; project i depends only on (seed, i), so a larger corpus extends a smaller one.
//
//   node bench/corpus.ts [--count N] [--seed S] [--dir D]
//
// The Dockerfiles stay within what BuildKit's dockerfile frontend 1.2 accepts (RUN --mount,
// no heredocs) and their RUN bodies are valid bash.
import fs from "node:fs";
import path from "node:path";

export const CORPUS_ECOSYSTEMS = ["node", "python", "go", "rust", "java", "ruby", "php", "static", "tools"] as const;
export type CorpusEcosystem = (typeof CORPUS_ECOSYSTEMS)[number];

export const DEFAULT_CORPUS_COUNT = 2400;
export const DEFAULT_CORPUS_SEED = 20_240_611;
export const DEFAULT_CORPUS_DIR = path.join(import.meta.dirname, ".corpus");
/** Written at the corpus root; its presence marks a directory the generator may delete and rewrite. */
export const CORPUS_MARKER = ".shipshape-corpus.json";
/** Bump when the generator's output changes, so stale corpora are regenerated. */
export const CORPUS_GENERATOR_VERSION = 1;

const MIN_LINES = 5;
const MAX_LINES = 120;

// ------------------------------------------------------------------------------------------
// Seeded randomness

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max]. */
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  weighted<T>(items: readonly (readonly [T, number])[]): T;
  /** Between min and max distinct items, in their original order. */
  subset<T>(items: readonly T[], min: number, max: number): T[];
  hex(length: number): string;
  base64(length: number): string;
}

/** mulberry32: tiny, fast, good enough for test data, and identical on every platform. */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => {
    if (items.length === 0) throw new Error("pick from an empty list");
    return items[int(0, items.length - 1)] as T;
  };
  const characters = (alphabet: string, length: number): string => {
    let out = "";
    for (let index = 0; index < length; index++) out += alphabet[int(0, alphabet.length - 1)];
    return out;
  };
  return {
    next,
    int,
    chance: (probability) => next() < probability,
    pick,
    weighted<T>(items: readonly (readonly [T, number])[]): T {
      const total = items.reduce((sum, [, weight]) => sum + weight, 0);
      let roll = next() * total;
      for (const [item, weight] of items) {
        roll -= weight;
        if (roll < 0) return item;
      }
      return (items.at(-1) as readonly [T, number])[0];
    },
    subset<T>(items: readonly T[], min: number, max: number): T[] {
      const wanted = Math.min(items.length, int(min, max));
      const chosen = new Set<number>();
      while (chosen.size < wanted) chosen.add(int(0, items.length - 1));
      return items.filter((_, index) => chosen.has(index));
    },
    hex: (length) => characters("0123456789abcdef", length),
    base64: (length) => characters("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", length),
  };
}

/** Seed of the i-th item of a stream, independent of every other item. */
function deriveSeed(seed: number, stream: number, index: number): number {
  let hash = (seed ^ Math.imul(stream + 1, 0x27d4eb2d) ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}

// ------------------------------------------------------------------------------------------
// Dockerfile writer

/** A shell command: a plain string, or a head followed by one wrapped argument group per line (package lists). */
type Cmd = string | { head: string; items: string[] };
type RunStyle = "leading" | "trailing" | "set" | "oneline";

interface RunOptions {
  mounts?: string[];
  style?: RunStyle;
  /** `# hadolint ignore=` line written above the instruction. */
  ignore?: string;
}

class DockerfileWriter {
  readonly header: string[] = [];
  readonly body: string[] = [];
  readonly stageNames: string[] = [];
  /** Blank line before each comment (long, commented files). */
  airy = false;
  /** Added to the probability of every optional comment. */
  chatty = 0;
  private readonly rng: Random;
  private readonly lowerAs: boolean;

  constructor(rng: Random) {
    this.rng = rng;
    this.lowerAs = rng.chance(0.12);
  }

  add(...lines: string[]): void {
    this.body.push(...lines);
  }

  blank(): void {
    if (this.body.length > 0 && this.body.at(-1) !== "") this.body.push("");
  }

  comment(text: string, probability = 0.5): void {
    if (!this.rng.chance(probability + this.chatty)) return;
    if (this.airy) this.blank();
    this.body.push(`# ${text}`);
  }

  /** An ARG before the first FROM (usable in FROM lines). */
  globalArg(name: string, value?: string): void {
    this.header.push(value === undefined ? `ARG ${name}` : `ARG ${name}=${value}`);
  }

  from(image: string, name?: string, platform?: string): void {
    // A blank line before the stage, above the comments that introduce it.
    let at = this.body.length;
    while (at > 0 && (this.body[at - 1] as string).startsWith("#")) at--;
    if (at > 0 && this.body[at - 1] !== "") this.body.splice(at, 0, "");
    const as = name === undefined ? "" : ` ${this.lowerAs ? "as" : "AS"} ${name}`;
    this.body.push(`FROM ${platform === undefined ? "" : `--platform=${platform} `}${image}${as}`);
    this.stageNames.push(name ?? "");
  }

  run(commands: Cmd[], options: RunOptions = {}): void {
    if (options.ignore !== undefined) this.body.push(`# hadolint ignore=${options.ignore}`);
    const mounts = options.mounts ?? [];
    const flat = commands.map((command) => (typeof command === "string" ? command : [command.head, ...command.items].join(" ")));
    let style = options.style ?? this.rng.weighted<RunStyle>([["leading", 4], ["trailing", 4], ["set", 1], ["oneline", 3]]);
    if (style === "oneline" || (commands.length === 1 && typeof commands[0] === "string")) {
      const line = `RUN ${mounts.map((mount) => `${mount} `).join("")}${flat.join(" && ")}`;
      if (line.length <= 120 || (commands.length === 1 && typeof commands[0] === "string" && mounts.length <= 1)) {
        this.body.push(line);
        return;
      }
      if (style === "oneline") style = "leading";
    }
    const rows: { text: string; indent: number }[] = [];
    if (mounts.length > 0) {
      if (mounts.length === 1 || this.rng.chance(0.4)) rows.push({ text: mounts.join(" "), indent: 4 });
      else for (const mount of mounts) rows.push({ text: mount, indent: 4 });
    }
    const steps: Cmd[] = style === "set" ? ["set -eux", ...commands] : commands;
    steps.forEach((command, index) => {
      const segments = typeof command === "string" ? [command] : [command.head, ...command.items];
      const last = index === steps.length - 1;
      segments.forEach((segment, segmentIndex) => {
        let text = segment;
        if (segmentIndex === 0 && style === "leading" && index > 0) text = `&& ${text}`;
        if (segmentIndex === segments.length - 1 && !last) {
          if (style === "trailing") text = `${text} &&`;
          if (style === "set") text = `${text};`;
        }
        rows.push({ text, indent: segmentIndex === 0 ? 4 : 8 });
      });
    });
    rows.forEach((row, index) => {
      const prefix = index === 0 ? "RUN " : " ".repeat(row.indent);
      this.body.push(`${prefix}${row.text}${index < rows.length - 1 ? " \\" : ""}`);
    });
  }

  /** Text with a trailing newline; the header (directives, global ARGs) comes first. */
  text(): string {
    const body = [...this.body];
    while (body[0] === "") body.shift();
    while (body.at(-1) === "") body.pop();
    return `${[...this.header, ...(this.header.length > 0 ? [""] : []), ...body].join("\n")}\n`;
  }
}

// ------------------------------------------------------------------------------------------
// Projects

type FileContent = string | { sparseBytes: number };

interface Project {
  rng: Random;
  index: number;
  dir: string;
  name: string;
  org: string;
  port: number;
  /** Probability of following each good practice. */
  quality: number;
  tiny: boolean;
  verbose: boolean;
  /** Very long files: one package per line, long package lists, comments everywhere. */
  huge: boolean;
  dockerfileName: string;
  files: Map<string, FileContent>;
  df: DockerfileWriter;
  ecosystem: CorpusEcosystem;
  variant: string;
}

const ORGS = ["acme", "northwind", "contoso", "initech", "globex", "umbrella", "hooli", "wayne", "stark", "tyrell", "cyberdyne", "soylent"];
const DOMAINS = ["billing", "orders", "auth", "gateway", "catalog", "search", "notify", "payments", "reports", "inventory", "users", "media", "ingest", "scheduler", "analytics", "checkout", "webhooks", "ledger", "profile", "feeds", "pricing", "shipping", "audit", "export"];
const SUFFIXES = ["api", "service", "worker", "web", "svc", "app", "cron", "bot", "proxy", "admin", "backend", "frontend"];

function good(project: Project, bias = 0): boolean {
  return project.rng.chance(Math.min(1, Math.max(0, project.quality + bias)));
}

function digest(rng: Random): string {
  return `@sha256:${rng.hex(64)}`;
}

/** Sometimes a registry mirror prefix or a digest pin. */
function decorateImage(project: Project, image: string): string {
  const { rng } = project;
  let result = image;
  const roll = rng.next();
  if (roll < 0.04) result = `docker.io/library/${result}`;
  else if (roll < 0.07 && !result.includes("/")) result = `public.ecr.aws/docker/library/${result}`;
  if (rng.chance(0.07)) result += digest(rng);
  return result;
}

/** A base image, sometimes written through a global ARG (`FROM node:${NODE_VERSION}-alpine`). */
function baseImage(project: Project, argName: string, version: string, render: (version: string) => string, probability = 0.3): string {
  const { rng, df } = project;
  if (!df.header.some((line) => line.startsWith(`ARG ${argName}`)) && !rng.chance(probability)) return decorateImage(project, render(version));
  if (!df.header.some((line) => line.startsWith(`ARG ${argName}`))) df.globalArg(argName, version);
  return render(rng.chance(0.75) ? `\${${argName}}` : `$${argName}`);
}

function chunk(items: string[], size: number): string[] {
  const rows: string[] = [];
  for (let index = 0; index < items.length; index += size) rows.push(items.slice(index, index + size).join(" "));
  return rows;
}

function packageRows(project: Project, packages: string[]): string[] {
  if (project.verbose || packages.length > 6) return chunk(packages, project.verbose ? 1 : project.rng.int(3, 5));
  return [packages.join(" ")];
}

const APT_PACKAGES = [
  "ca-certificates", "curl", "git", "gnupg", "build-essential", "libpq-dev", "libssl-dev", "pkg-config", "tini", "dumb-init", "unzip", "wget", "jq",
  "procps", "netcat-openbsd", "libffi-dev", "zlib1g-dev", "libxml2-dev", "libjpeg62-turbo-dev", "tzdata", "locales", "openssh-client", "rsync", "less",
  "make", "gcc", "g++", "libvips-dev", "imagemagick", "ffmpeg", "fonts-liberation", "postgresql-client", "default-mysql-client", "gettext-base", "xz-utils",
  "libgeos-dev", "libproj-dev", "gdal-bin", "libmagic1", "libcurl4-openssl-dev", "libsqlite3-dev", "sqlite3", "libyaml-dev", "libreadline-dev", "libbz2-dev",
  "liblzma-dev", "libncurses5-dev", "libgdbm-dev", "uuid-dev", "poppler-utils", "ghostscript", "fontconfig", "file", "patch", "bzip2",
];
const UBUNTU_EXTRA = ["software-properties-common", "apt-transport-https", "lsb-release", "sudo", "vim-tiny", "iputils-ping", "dnsutils"];
const APK_PACKAGES = ["ca-certificates", "curl", "git", "bash", "tini", "tzdata", "openssl", "libc6-compat", "jq", "postgresql16-client", "su-exec", "coreutils", "gettext", "openssh-client", "rsync", "zstd"];

/** apt-get / apk install in one of the ways real Dockerfiles do it, good and bad. */
function systemPackages(project: Project, distro: "debian" | "ubuntu" | "alpine", packages: string[]): void {
  const { rng, df } = project;
  if (packages.length === 0) return;
  df.comment(rng.pick(["Install system dependencies", "OS packages", "System packages needed at runtime", "Build tooling"]), 0.4);
  if (distro === "alpine") {
    const ignore = rng.chance(0.2) ? "DL3018" : undefined;
    const opts: RunOptions = ignore === undefined ? {} : { ignore };
    const roll = rng.next();
    if (good(project) || roll < 0.3) df.run([{ head: "apk add --no-cache", items: packageRows(project, packages) }], opts);
    else if (roll < 0.55) df.run(["apk update", { head: "apk add", items: packageRows(project, packages) }], opts);
    else if (roll < 0.75) df.run([{ head: "apk add --update", items: packageRows(project, packages) }, "rm -rf /var/cache/apk/*"], opts);
    else df.run([{ head: "apk add", items: packageRows(project, packages) }], { ...opts, mounts: ["--mount=type=cache,target=/var/cache/apk"] });
    return;
  }
  const ignore = rng.chance(0.25) ? rng.pick(["DL3008", "DL3008,DL3015", "DL3009"]) : undefined;
  const quiet = rng.pick(["", "", "-qq ", "-q "]);
  const yes = rng.pick(["-y", "-y", "--yes", "-yq"]);
  const recommends = good(project, 0.1) ? (rng.chance(0.8) ? " --no-install-recommends" : "") : "";
  const install = rng.chance(0.5) ? `apt-get install ${yes}${recommends}` : `apt-get install${recommends} ${yes}`;
  const prefix = rng.chance(0.2) ? "DEBIAN_FRONTEND=noninteractive " : "";
  const items = packageRows(project, packages);
  const base: RunOptions = ignore === undefined ? {} : { ignore };
  const mode = rng.weighted([["clean", 5], ["no-clean", 2], ["split", 1], ["cache", 2]] as const);
  if (mode === "split") {
    df.run([`apt-get ${quiet}update`], base);
    df.run([{ head: `${prefix}${install}`, items }, "rm -rf /var/lib/apt/lists/*"]);
  } else if (mode === "cache") {
    const locked = good(project, 0.1);
    const sharing = locked ? ",sharing=locked" : "";
    const mounts = [`--mount=type=cache,target=/var/cache/apt${sharing}`, `--mount=type=cache,target=/var/lib/apt${sharing}`];
    if (rng.chance(0.6)) {
      df.run(["rm -f /etc/apt/apt.conf.d/docker-clean", `echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' > /etc/apt/apt.conf.d/keep-cache`]);
    }
    df.run([`apt-get ${quiet}update`, { head: `${prefix}${install}`, items }], { ...base, mounts });
  } else {
    const cleanup = mode === "clean" ? [rng.chance(0.3) ? "apt-get clean && rm -rf /var/lib/apt/lists/*" : "rm -rf /var/lib/apt/lists/*"] : [];
    df.run([`apt-get ${quiet}update`, { head: `${prefix}${install}`, items }, ...cleanup], base);
  }
}

function aptPool(project: Project, distro: "debian" | "ubuntu", min: number, max: number, must: string[] = []): string[] {
  const pool = distro === "ubuntu" ? [...APT_PACKAGES, ...UBUNTU_EXTRA] : APT_PACKAGES;
  const count = project.huge ? max + project.rng.int(10, 24) : project.verbose ? max + project.rng.int(2, 10) : project.rng.int(min, max);
  return [...new Set([...must, ...project.rng.subset(pool, Math.min(count, min), count)])].sort();
}

function apkPool(project: Project, min: number, max: number, must: string[] = []): string[] {
  return [...new Set([...must, ...project.rng.subset(APK_PACKAGES, min, max)])].sort();
}

function labels(project: Project): string[] {
  const { rng, org, name } = project;
  const all = [
    `org.opencontainers.image.title="${name}"`,
    `org.opencontainers.image.source="https://github.com/${org}/${name}"`,
    `org.opencontainers.image.vendor="${org[0]?.toUpperCase()}${org.slice(1)} Inc."`,
    `org.opencontainers.image.licenses="${rng.pick(["MIT", "Apache-2.0", "Proprietary"])}"`,
    `org.opencontainers.image.description="${rng.pick(["HTTP API", "Background worker", "Internal service", "Command line tools"])} for ${name}"`,
    `maintainer="platform@${org}.example"`,
    `com.${org}.team="${rng.pick(["platform", "payments", "growth", "data", "core"])}"`,
  ];
  const chosen = rng.subset(all, 1, project.verbose ? 7 : 3);
  if (chosen.length === 1 || rng.chance(0.3)) return chosen.map((label) => `LABEL ${label}`);
  return [`LABEL ${chosen[0]} \\`, ...chosen.slice(1).map((label, index) => `      ${label}${index < chosen.length - 2 ? " \\" : ""}`)];
}

function env(project: Project, pairs: [string, string][]): void {
  const { rng, df } = project;
  if (pairs.length === 0) return;
  const style = rng.weighted([["block", 4], ["lines", 3], ["legacy", 1]] as const);
  if (style === "legacy" && pairs.length === 1) {
    const [key, value] = pairs[0] as [string, string];
    df.add(`ENV ${key} ${value}`);
  } else if (style === "block" && pairs.length > 1) {
    df.add(...pairs.map(([key, value], index) => `${index === 0 ? "ENV " : "    "}${key}=${value}${index < pairs.length - 1 ? " \\" : ""}`));
  } else {
    for (const [key, value] of pairs) df.add(`ENV ${key}=${value}`);
  }
}

function exposeAndHealth(project: Project, tool: "curl" | "wget" | "none", path = "/healthz"): void {
  const { rng, df, port } = project;
  df.add(`EXPOSE ${port}`);
  if (tool === "none" || !rng.chance(project.verbose ? 0.8 : 0.3)) return;
  const interval = rng.pick(["10s", "15s", "30s", "1m"]);
  const probe = tool === "curl" ? `curl -fsS http://localhost:${port}${path}` : `wget -qO- http://127.0.0.1:${port}${path}`;
  if (rng.chance(0.3)) {
    const argv = (tool === "curl" ? ["curl", "-fsS", `http://localhost:${port}${path}`] : ["wget", "-q", "--spider", `http://127.0.0.1:${port}${path}`]).map((word) => `"${word}"`).join(", ");
    df.add(`HEALTHCHECK --interval=${interval} --timeout=3s CMD [${argv}]`);
  } else if (rng.chance(0.5)) {
    df.add(`HEALTHCHECK --interval=${interval} --timeout=5s --start-period=20s --retries=3 \\`, `    CMD ${probe} || exit 1`);
  } else {
    df.add(`HEALTHCHECK CMD ${probe} || exit 1`);
  }
}

/** CMD (and sometimes ENTRYPOINT) in exec or shell form. */
function command(project: Project, argv: string[], options: { entrypoint?: string[]; preferExec?: number } = {}): void {
  const { rng, df } = project;
  const exec = rng.chance(options.preferExec ?? project.quality * 0.5 + 0.45);
  if (options.entrypoint) df.add(`ENTRYPOINT [${options.entrypoint.map((word) => JSON.stringify(word)).join(", ")}]`);
  if (exec) df.add(`CMD [${argv.map((word) => JSON.stringify(word)).join(", ")}]`);
  else if (rng.chance(0.15)) df.add(`CMD ["sh", "-c", ${JSON.stringify(`exec ${argv.join(" ")}`)}]`);
  else df.add(`CMD ${argv.join(" ")}`);
}

function createUser(project: Project, distro: "debian" | "alpine", user = "app", uid = 10001): void {
  const { rng, df } = project;
  df.comment("Run as an unprivileged user", 0.4);
  if (distro === "alpine") {
    df.run([`addgroup -S -g ${uid} ${user}`, `adduser -S -D -H -u ${uid} -G ${user} ${user}`], { style: rng.pick(["oneline", "trailing", "leading"] as const) });
  } else {
    df.run([`groupadd --system --gid ${uid} ${user}`, `useradd --system --uid ${uid} --gid ${user} --no-create-home --shell /usr/sbin/nologin ${user}`], { style: rng.pick(["oneline", "trailing", "leading"] as const) });
  }
}

function volatileArgs(project: Project): string[] {
  const { rng, df } = project;
  if (!rng.chance(0.15)) return [];
  const args = rng.subset(["GIT_SHA", "BUILD_DATE", "VERSION", "BUILD_NUMBER"], 1, 2);
  for (const arg of args) df.add(rng.chance(0.3) ? `ARG ${arg}=unknown` : `ARG ${arg}`);
  return args;
}

function revisionLabel(project: Project, args: string[]): void {
  if (args.includes("GIT_SHA")) project.df.add('LABEL org.opencontainers.image.revision="${GIT_SHA}"');
  else if (args.includes("VERSION")) project.df.add("LABEL org.opencontainers.image.version=$VERSION");
}

// ------------------------------------------------------------------------------------------
// Sibling files

interface Dependency {
  name: string;
  version: string;
}

const NODE_DEPS: Dependency[] = [
  { name: "express", version: "4.19.2" }, { name: "fastify", version: "4.28.1" }, { name: "koa", version: "2.15.3" }, { name: "pg", version: "8.12.0" },
  { name: "ioredis", version: "5.4.1" }, { name: "zod", version: "3.23.8" }, { name: "pino", version: "9.2.0" }, { name: "dotenv", version: "16.4.5" },
  { name: "axios", version: "1.7.2" }, { name: "@prisma/client", version: "5.16.1" }, { name: "mongoose", version: "8.4.4" }, { name: "jsonwebtoken", version: "9.0.2" },
  { name: "bullmq", version: "5.8.3" }, { name: "uuid", version: "10.0.0" }, { name: "lodash", version: "4.17.21" }, { name: "cors", version: "2.8.5" },
  { name: "helmet", version: "7.1.0" }, { name: "winston", version: "3.13.0" }, { name: "knex", version: "3.1.0" }, { name: "sharp", version: "0.33.4" },
];
const NODE_DEV_DEPS: Dependency[] = [
  { name: "typescript", version: "5.5.3" }, { name: "@types/node", version: "20.14.9" }, { name: "vitest", version: "1.6.0" }, { name: "jest", version: "29.7.0" },
  { name: "eslint", version: "8.57.0" }, { name: "prettier", version: "3.3.2" }, { name: "tsx", version: "4.16.0" }, { name: "nodemon", version: "3.1.4" },
  { name: "ts-node", version: "10.9.2" }, { name: "@types/express", version: "4.17.21" },
];
const FRONTEND_DEPS: Dependency[] = [{ name: "react", version: "18.3.1" }, { name: "react-dom", version: "18.3.1" }, { name: "react-router-dom", version: "6.24.0" }, { name: "@tanstack/react-query", version: "5.49.2" }, { name: "clsx", version: "2.1.1" }];
const FRONTEND_DEV_DEPS: Dependency[] = [{ name: "vite", version: "5.3.3" }, { name: "@vitejs/plugin-react", version: "4.3.1" }, { name: "typescript", version: "5.5.3" }, { name: "tailwindcss", version: "3.4.4" }, { name: "postcss", version: "8.4.39" }, { name: "autoprefixer", version: "10.4.19" }];
const PY_DEPS: Dependency[] = [
  { name: "fastapi", version: "0.111.0" }, { name: "uvicorn", version: "0.30.1" }, { name: "gunicorn", version: "22.0.0" }, { name: "flask", version: "3.0.3" },
  { name: "django", version: "5.0.6" }, { name: "psycopg2-binary", version: "2.9.9" }, { name: "sqlalchemy", version: "2.0.31" }, { name: "pydantic", version: "2.8.2" },
  { name: "redis", version: "5.0.7" }, { name: "celery", version: "5.4.0" }, { name: "requests", version: "2.32.3" }, { name: "boto3", version: "1.34.140" },
  { name: "pandas", version: "2.2.2" }, { name: "numpy", version: "2.0.0" }, { name: "httpx", version: "0.27.0" }, { name: "structlog", version: "24.2.0" },
];
const PY_DEV_DEPS: Dependency[] = [{ name: "pytest", version: "8.2.2" }, { name: "ruff", version: "0.5.1" }, { name: "mypy", version: "1.10.1" }, { name: "black", version: "24.4.2" }, { name: "pytest-cov", version: "5.0.0" }];
const GO_DEPS: Dependency[] = [
  { name: "github.com/go-chi/chi/v5", version: "v5.0.12" }, { name: "github.com/gin-gonic/gin", version: "v1.10.0" }, { name: "github.com/jackc/pgx/v5", version: "v5.6.0" },
  { name: "github.com/redis/go-redis/v9", version: "v9.5.3" }, { name: "github.com/rs/zerolog", version: "v1.33.0" }, { name: "github.com/spf13/cobra", version: "v1.8.1" },
  { name: "github.com/prometheus/client_golang", version: "v1.19.1" }, { name: "go.uber.org/zap", version: "v1.27.0" }, { name: "github.com/google/uuid", version: "v1.6.0" },
  { name: "golang.org/x/sync", version: "v0.7.0" }, { name: "google.golang.org/grpc", version: "v1.64.0" },
];
const RUST_DEPS: Dependency[] = [
  { name: "tokio", version: "1.38.0" }, { name: "axum", version: "0.7.5" }, { name: "serde", version: "1.0.204" }, { name: "serde_json", version: "1.0.120" },
  { name: "tracing", version: "0.1.40" }, { name: "tracing-subscriber", version: "0.3.18" }, { name: "sqlx", version: "0.7.4" }, { name: "anyhow", version: "1.0.86" },
  { name: "reqwest", version: "0.12.5" }, { name: "clap", version: "4.5.9" }, { name: "thiserror", version: "1.0.61" },
];
const RUBY_GEMS: Dependency[] = [
  { name: "rails", version: "7.1.3.4" }, { name: "pg", version: "1.5.6" }, { name: "puma", version: "6.4.2" }, { name: "redis", version: "5.2.0" },
  { name: "sidekiq", version: "7.2.4" }, { name: "bootsnap", version: "1.18.3" }, { name: "sinatra", version: "4.0.0" }, { name: "rack", version: "3.1.7" },
  { name: "jbuilder", version: "2.12.0" }, { name: "devise", version: "4.9.4" },
];
const PHP_DEPS: Dependency[] = [
  { name: "laravel/framework", version: "v11.14.0" }, { name: "symfony/console", version: "v7.1.2" }, { name: "guzzlehttp/guzzle", version: "7.8.1" },
  { name: "monolog/monolog", version: "3.7.0" }, { name: "doctrine/orm", version: "3.2.1" }, { name: "predis/predis", version: "v2.2.2" }, { name: "vlucas/phpdotenv", version: "v5.6.0" },
];

function caret(version: string): string {
  return `^${version}`;
}

function packageJson(project: Project, deps: Dependency[], devDeps: Dependency[], scripts: Record<string, string>, packageManager?: string): string {
  const manifest: Record<string, unknown> = { name: `@${project.org}/${project.name}`, version: `${project.rng.int(0, 3)}.${project.rng.int(0, 20)}.${project.rng.int(0, 9)}`, private: true };
  if (project.rng.chance(0.5)) manifest.type = "module";
  manifest.scripts = scripts;
  if (project.rng.chance(0.4)) manifest.engines = { node: `>=${project.rng.pick(["18", "20"])}` };
  if (packageManager !== undefined) manifest.packageManager = packageManager;
  manifest.dependencies = Object.fromEntries(deps.map((dep) => [dep.name, caret(dep.version)]));
  if (devDeps.length > 0) manifest.devDependencies = Object.fromEntries(devDeps.map((dep) => [dep.name, caret(dep.version)]));
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

function tarball(name: string, version: string): string {
  const bare = name.includes("/") ? name.split("/")[1] : name;
  return `https://registry.npmjs.org/${name}/-/${bare}-${version}.tgz`;
}

function packageLock(project: Project, deps: Dependency[], devDeps: Dependency[]): string {
  const { rng } = project;
  const packages: Record<string, unknown> = {
    "": { name: `@${project.org}/${project.name}`, dependencies: Object.fromEntries(deps.map((dep) => [dep.name, caret(dep.version)])), devDependencies: Object.fromEntries(devDeps.map((dep) => [dep.name, caret(dep.version)])) },
  };
  for (const [dep, dev] of [...deps.map((dep) => [dep, false] as const), ...devDeps.map((dep) => [dep, true] as const)]) {
    const entry: Record<string, unknown> = { version: dep.version, resolved: tarball(dep.name, dep.version), integrity: `sha512-${rng.base64(86)}==` };
    if (dev) entry.dev = true;
    entry.license = rng.pick(["MIT", "MIT", "ISC", "Apache-2.0", "BSD-3-Clause"]);
    packages[`node_modules/${dep.name}`] = entry;
  }
  return `${JSON.stringify({ name: `@${project.org}/${project.name}`, lockfileVersion: 3, requires: true, packages }, null, 2)}\n`;
}

function yarnLock(project: Project, deps: Dependency[]): string {
  const { rng } = project;
  const entries = [...deps].sort((a, b) => (a.name < b.name ? -1 : 1)).map((dep) => {
    const quoted = dep.name.startsWith("@") ? `"${dep.name}@${caret(dep.version)}"` : `${dep.name}@${caret(dep.version)}`;
    return `${quoted}:\n  version "${dep.version}"\n  resolved "${tarball(dep.name, dep.version).replace("registry.npmjs.org", "registry.yarnpkg.com")}#${rng.hex(40)}"\n  integrity sha512-${rng.base64(86)}==\n`;
  });
  return `# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n\n${entries.join("\n")}`;
}

function pnpmLock(project: Project, deps: Dependency[], devDeps: Dependency[]): string {
  const { rng } = project;
  const section = (list: Dependency[]): string => list.map((dep) => `  '${dep.name}':\n    specifier: ${caret(dep.version)}\n    version: ${dep.version}\n`).join("");
  const packages = [...deps, ...devDeps].map((dep) => `  /${dep.name}@${dep.version}:\n    resolution: {integrity: sha512-${rng.base64(86)}==}\n    engines: {node: '>=14'}\n    dev: ${devDeps.includes(dep)}\n`);
  return `lockfileVersion: '6.0'\n\nsettings:\n  autoInstallPeers: true\n  excludeLinksFromLockfile: false\n\ndependencies:\n${section(deps)}\n${devDeps.length > 0 ? `devDependencies:\n${section(devDeps)}\n` : ""}packages:\n\n${packages.join("\n")}`;
}

function nodeSources(project: Project, typescript: boolean, entry: string): void {
  const extension = typescript ? "ts" : "js";
  project.files.set(`src/${entry}.${extension}`, `import { createServer } from "node:http";\n\nconst port = Number(process.env.PORT ?? ${project.port});\n\ncreateServer((req, res) => {\n  res.writeHead(200, { "content-type": "application/json" });\n  res.end(JSON.stringify({ service: "${project.name}", path: req.url }));\n}).listen(port, () => console.log(\`${project.name} listening on \${port}\`));\n`);
  project.files.set(`src/routes.${extension}`, `export const routes = ["/healthz", "/api/v1/${project.name.split("-")[0]}"];\n`);
  if (project.rng.chance(0.5)) project.files.set(`test/${entry}.test.${extension}`, `import { test } from "node:test";\n\ntest("${project.name} starts", () => {});\n`);
  if (typescript) project.files.set("tsconfig.json", `${JSON.stringify({ compilerOptions: { target: "ES2022", module: "NodeNext", outDir: "dist", rootDir: "src", strict: true }, include: ["src"] }, null, 2)}\n`);
  if (project.rng.chance(0.06)) {
    // A local install left in the working copy (sent with the context unless ignored).
    for (const dep of ["express", "debug", "ms"]) {
      project.files.set(`node_modules/${dep}/package.json`, `{\n  "name": "${dep}",\n  "version": "1.0.0",\n  "main": "index.js"\n}\n`);
      project.files.set(`node_modules/${dep}/index.js`, `module.exports = require("./lib/${dep}");\n`);
    }
  }
  if (project.rng.chance(0.05)) project.files.set(`dist/${entry}.js`, `"use strict";\n// compiled output\n`);
}

function requirementsTxt(project: Project, deps: Dependency[]): string {
  const header = project.rng.chance(0.3) ? `# Runtime dependencies for ${project.name}\n` : "";
  return `${header}${deps.map((dep) => `${dep.name}==${dep.version}`).join("\n")}\n`;
}

function pythonSources(project: Project, module: string): void {
  project.files.set(`${module}/__init__.py`, "");
  project.files.set(`${module}/main.py`, `import os\n\nfrom fastapi import FastAPI\n\napp = FastAPI(title="${project.name}")\n\n\n@app.get("/healthz")\ndef health() -> dict[str, str]:\n    return {"status": "ok", "service": os.environ.get("SERVICE_NAME", "${project.name}")}\n`);
  if (project.rng.chance(0.5)) project.files.set("tests/test_main.py", `from ${module}.main import health\n\n\ndef test_health():\n    assert health()["status"] == "ok"\n`);
  if (project.rng.chance(0.04)) project.files.set(".venv/pyvenv.cfg", "home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.12.4\n");
}

function tomlList(items: string[]): string {
  return `[\n${items.map((item) => `    "${item}",`).join("\n")}\n]`;
}

// ------------------------------------------------------------------------------------------
// Ecosystems

function nodeProject(project: Project, pm: "npm" | "yarn" | "pnpm"): void {
  const { rng, df } = project;
  const version = rng.pick(["18", "20", "22", "20.14.0", "18.20.3", "22.4.1", "lts"]);
  const flavor = rng.pick(["-alpine", "-alpine", "-alpine3.19", "-slim", "-bookworm-slim", "-bullseye-slim", "", "-bookworm"]);
  const alpine = flavor.includes("alpine");
  const image = baseImage(project, "NODE_VERSION", version, (v) => `node:${v}${flavor}`);
  const typescript = rng.chance(0.55);
  const hasBuild = typescript || rng.chance(0.3);
  const stageCount = project.tiny ? 1 : rng.weighted([[1, 3], [2, 4], [3, 3], [4, 1]] as const);
  const lockfile = { npm: "package-lock.json", yarn: "yarn.lock", pnpm: "pnpm-lock.yaml" }[pm];
  const deps = rng.subset(NODE_DEPS, 2, 8);
  const devDeps = [...(typescript ? NODE_DEV_DEPS.slice(0, 2) : []), ...rng.subset(NODE_DEV_DEPS.slice(2), 0, 4)];
  const entry = rng.pick(["server", "index", "main", "app"]);
  const out = typescript ? `dist/${entry}.js` : `src/${entry}.js`;
  const scripts: Record<string, string> = { start: `node ${out}` };
  if (hasBuild) scripts.build = typescript ? "tsc -p tsconfig.json" : "node scripts/build.js";
  scripts.test = rng.pick(["vitest run", "jest", "node --test"]);
  const packageManager = pm === "pnpm" ? "pnpm@8.15.8" : pm === "yarn" && rng.chance(0.5) ? "yarn@1.22.22" : undefined;
  project.files.set("package.json", packageJson(project, deps, devDeps, scripts, packageManager));
  if (!rng.chance(0.04)) project.files.set(lockfile, pm === "npm" ? packageLock(project, deps, devDeps) : pm === "yarn" ? yarnLock(project, [...deps, ...devDeps]) : pnpmLock(project, deps, devDeps));
  if (pm === "npm" && rng.chance(0.15)) project.files.set(".npmrc", `@${project.org}:registry=https://npm.pkg.github.com\nfund=false\n`);
  nodeSources(project, typescript, entry);
  if (hasBuild && !typescript) project.files.set("scripts/build.js", `import { cpSync } from "node:fs";\ncpSync("src", "dist", { recursive: true });\n`);

  const workdir = rng.pick(["/app", "/app", "/usr/src/app", "/home/node/app", "/srv"]);
  const run = { npm: "npm run", yarn: "yarn", pnpm: "pnpm run" }[pm];
  const cacheTarget = { npm: "/root/.npm", yarn: "/usr/local/share/.cache/yarn", pnpm: "/pnpm/store" }[pm];
  const useCache = !project.tiny && rng.chance(0.3);
  const installCmd = (production: boolean): string => {
    if (pm === "npm") {
      if (good(project, 0.1)) return production ? rng.pick(["npm ci --omit=dev", "npm ci --only=production", "npm ci --omit=dev --ignore-scripts"]) : "npm ci";
      return production ? "npm install --production" : "npm install";
    }
    if (pm === "yarn") return `yarn install ${rng.pick(["--frozen-lockfile", "--frozen-lockfile", "--immutable", "--pure-lockfile"])}${production ? " --production" : ""}`;
    return `pnpm install --frozen-lockfile${production ? " --prod" : ""}`;
  };
  const install = (production: boolean): void => {
    const commands: string[] = [installCmd(production)];
    if (!useCache && good(project, -0.3)) commands.push(pm === "npm" ? "npm cache clean --force" : pm === "yarn" ? "yarn cache clean" : "pnpm store prune");
    const mounts = useCache ? [pm === "pnpm" ? `--mount=type=cache,id=pnpm,target=${cacheTarget}` : `--mount=type=cache,target=${cacheTarget}`] : [];
    df.comment(rng.pick(["Install dependencies", "Install dependencies first to leverage layer caching", "deps"]), 0.5);
    df.run(commands, { mounts });
  };
  const pnpmSetup = (): void => {
    if (pm !== "pnpm") return;
    if (rng.chance(0.6)) {
      env(project, [["PNPM_HOME", '"/pnpm"'], ["PATH", '"$PNPM_HOME:$PATH"']]);
      df.add("RUN corepack enable");
    } else {
      df.add(`RUN npm install -g pnpm@${rng.pick(["8", "8.15.8", "9"])}`);
    }
  };
  const copyManifests = (): "all" | "manifests" => {
    if (!good(project, 0.2) && rng.chance(0.5)) {
      df.add("COPY . .");
      return "all";
    }
    if (!good(project, 0.3) && rng.chance(0.5)) df.add("COPY package.json ./");
    else if (pm === "npm" && rng.chance(0.5)) df.add("COPY package*.json ./");
    else df.add(`COPY package.json ${lockfile}${pm === "yarn" && rng.chance(0.2) ? " .yarnrc.yml" : ""} ./`);
    if (pm === "npm" && project.files.has(".npmrc")) df.add("COPY .npmrc ./");
    return "manifests";
  };
  const system = (): void => {
    if (project.tiny || !rng.chance(project.verbose ? 0.9 : 0.35)) return;
    if (alpine) systemPackages(project, "alpine", apkPool(project, 1, 4, rng.chance(0.5) ? ["libc6-compat"] : []));
    else systemPackages(project, "debian", aptPool(project, "debian", 1, 5, rng.chance(0.4) ? ["python3", "make", "g++"] : []));
  };
  const finalCmd = (): void => {
    const argv = rng.chance(0.5) ? ["node", out] : pm === "npm" ? ["npm", "start"] : pm === "yarn" ? ["yarn", "start"] : ["pnpm", "start"];
    const tini = alpine && df.body.some((line) => line.includes("tini"));
    command(project, argv, tini ? { entrypoint: ["/sbin/tini", "--"] } : {});
  };
  const runtimeTail = (): void => {
    if (good(project)) df.add(rng.chance(0.7) ? "USER node" : "USER 1000:1000");
    exposeAndHealth(project, alpine ? "wget" : rng.pick(["curl", "none"] as const));
    finalCmd();
  };

  if (stageCount === 1) {
    df.from(image);
    if (rng.chance(0.6)) env(project, [["NODE_ENV", "production"], ...(rng.chance(0.4) ? [["PORT", String(project.port)] as [string, string]] : [])]);
    df.add(`WORKDIR ${workdir}`);
    system();
    pnpmSetup();
    revisionLabel(project, project.tiny ? [] : volatileArgs(project));
    const copied = copyManifests();
    install(!hasBuild && rng.chance(0.7));
    if (copied === "manifests") df.add(rng.chance(0.2) ? "COPY --chown=node:node . ." : "COPY . .");
    if (hasBuild) df.run([`${run} build`]);
    if (hasBuild && rng.chance(0.3)) df.run([pm === "npm" ? "npm prune --omit=dev" : pm === "yarn" ? "yarn install --production --ignore-scripts --prefer-offline" : "pnpm prune --prod"]);
    runtimeTail();
    return;
  }

  const baseName = stageCount === 4 ? "base" : undefined;
  if (baseName !== undefined) {
    df.from(image, baseName);
    df.add(`WORKDIR ${workdir}`);
    system();
    pnpmSetup();
  }
  const stageBase = baseName ?? image;
  const depsName = rng.pick(["deps", "dependencies", "install"]);
  const buildName = rng.pick(["build", "builder", "build"]);
  if (stageCount >= 3) {
    df.comment("Dependencies", 0.3);
    df.from(stageBase, depsName);
    if (baseName === undefined) {
      df.add(`WORKDIR ${workdir}`);
      system();
      pnpmSetup();
    }
    copyManifests();
    install(false);
  }
  df.from(stageBase, buildName);
  if (baseName === undefined) {
    df.add(`WORKDIR ${workdir}`);
    if (stageCount === 2) system();
    if (stageCount === 2) pnpmSetup();
  }
  revisionLabel(project, volatileArgs(project));
  if (stageCount >= 3) {
    df.add(`COPY --from=${depsName} ${workdir}/node_modules ./node_modules`);
    df.add("COPY . .");
  } else {
    if (copyManifests() === "manifests") {
      install(false);
      df.add("COPY . .");
    } else {
      install(false);
    }
  }
  if (hasBuild) df.run([`${run} build`]);
  if (rng.chance(0.5)) df.run([pm === "npm" ? "npm prune --omit=dev" : pm === "yarn" ? "yarn install --production --ignore-scripts --prefer-offline" : "pnpm prune --prod"]);

  df.comment(rng.pick(["Runtime image", "Production image", "Final stage"]), 0.5);
  if (baseName !== undefined) df.from(baseName, rng.pick(["runtime", "release", "production"]));
  else df.from(rng.chance(0.2) ? decorateImage(project, `node:${version.replace("lts", "20")}-alpine`) : image, rng.chance(0.5) ? rng.pick(["runtime", "release", "production"]) : undefined);
  if (baseName === undefined) df.add(`WORKDIR ${workdir}`);
  env(project, [["NODE_ENV", "production"]]);
  const chown = rng.chance(0.3) ? "--chown=node:node " : "";
  df.add(`COPY ${chown}--from=${buildName} ${workdir}/node_modules ./node_modules`);
  df.add(`COPY ${chown}--from=${buildName} ${workdir}/package.json ./package.json`);
  df.add(hasBuild ? `COPY ${chown}--from=${buildName} ${workdir}/dist ./dist` : `COPY ${chown}--from=${buildName} ${workdir}/src ./src`);
  runtimeTail();
}

function pythonProject(project: Project, pm: "pip" | "poetry" | "uv"): void {
  const { rng, df } = project;
  const version = rng.pick(["3.9", "3.10", "3.11", "3.12", "3.12", "3.13", "3.11.9", "3.12.4"]);
  const flavor = rng.pick(["-slim", "-slim", "-slim-bookworm", "-bookworm", "", "-alpine"]);
  const alpine = flavor === "-alpine";
  const image = baseImage(project, "PYTHON_VERSION", version, (v) => `python:${v}${flavor}`);
  const framework = rng.pick(["fastapi", "flask", "django", "worker"] as const);
  const module = framework === "django" ? "config" : rng.pick(["app", "src", project.name.replace(/-/g, "_")]);
  const deps = [
    ...(framework === "fastapi" ? PY_DEPS.slice(0, 2) : framework === "flask" ? [PY_DEPS[3] as Dependency, PY_DEPS[2] as Dependency] : framework === "django" ? [PY_DEPS[4] as Dependency, PY_DEPS[2] as Dependency] : [PY_DEPS[9] as Dependency]),
    ...rng.subset(PY_DEPS.slice(5), 1, 6),
  ].filter((dep, index, all) => all.findIndex((other) => other.name === dep.name) === index);
  const devDeps = rng.subset(PY_DEV_DEPS, 1, 3);
  pythonSources(project, module);
  if (framework === "django") project.files.set("manage.py", `#!/usr/bin/env python\nimport os\nimport sys\n\nif __name__ == "__main__":\n    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")\n    from django.core.management import execute_from_command_line\n\n    execute_from_command_line(sys.argv)\n`);
  const pyproject = (body: string): void => {
    project.files.set("pyproject.toml", body);
  };
  if (pm === "pip") {
    project.files.set("requirements.txt", requirementsTxt(project, deps));
    if (rng.chance(0.4)) project.files.set("requirements-dev.txt", `-r requirements.txt\n${devDeps.map((dep) => `${dep.name}==${dep.version}`).join("\n")}\n`);
  } else if (pm === "poetry") {
    pyproject(`[tool.poetry]\nname = "${project.name}"\nversion = "0.1.0"\ndescription = ""\nauthors = ["${project.org} engineering <eng@${project.org}.example>"]\n\n[tool.poetry.dependencies]\npython = "^${version.split(".").slice(0, 2).join(".")}"\n${deps.map((dep) => `${dep.name} = "^${dep.version}"`).join("\n")}\n\n[tool.poetry.group.dev.dependencies]\n${devDeps.map((dep) => `${dep.name} = "^${dep.version}"`).join("\n")}\n\n[build-system]\nrequires = ["poetry-core"]\nbuild-backend = "poetry.core.masonry.api"\n`);
    project.files.set("poetry.lock", `# This file is automatically @generated by Poetry 1.8.3 and should not be changed by hand.\n\n${[...deps, ...devDeps].map((dep) => `[[package]]\nname = "${dep.name}"\nversion = "${dep.version}"\ndescription = ""\noptional = false\npython-versions = ">=3.8"\nfiles = [\n    {file = "${dep.name.replace(/-/g, "_")}-${dep.version}-py3-none-any.whl", hash = "sha256:${rng.hex(64)}"},\n]\n`).join("\n")}\n[metadata]\nlock-version = "2.0"\npython-versions = "^${version.split(".").slice(0, 2).join(".")}"\ncontent-hash = "${rng.hex(64)}"\n`);
  } else {
    pyproject(`[project]\nname = "${project.name}"\nversion = "0.1.0"\nrequires-python = ">=${version.split(".").slice(0, 2).join(".")}"\ndependencies = ${tomlList(deps.map((dep) => `${dep.name}>=${dep.version}`))}\n\n[tool.uv]\ndev-dependencies = ${tomlList(devDeps.map((dep) => `${dep.name}>=${dep.version}`))}\n`);
    project.files.set("uv.lock", `version = 1\nrequires-python = ">=${version.split(".").slice(0, 2).join(".")}"\n\n${[...deps, ...devDeps].map((dep) => `[[package]]\nname = "${dep.name}"\nversion = "${dep.version}"\nsource = { registry = "https://pypi.org/simple" }\nwheels = [\n    { url = "https://files.pythonhosted.org/packages/${rng.hex(2)}/${rng.hex(2)}/${rng.hex(60)}/${dep.name.replace(/-/g, "_")}-${dep.version}-py3-none-any.whl", hash = "sha256:${rng.hex(64)}", size = ${rng.int(20_000, 900_000)} },\n]\n`).join("\n")}`);
  }

  const stageCount = project.tiny ? 1 : pm === "uv" ? rng.weighted([[1, 2], [2, 5]] as const) : rng.weighted([[1, 5], [2, 4], [3, 1]] as const);
  const workdir = rng.pick(["/app", "/app", "/srv/app", "/code", "/usr/src/app"]);
  const appEnv: [string, string][] = [["PYTHONDONTWRITEBYTECODE", "1"], ["PYTHONUNBUFFERED", "1"]];
  if (pm === "pip" && good(project, -0.3)) appEnv.push(["PIP_NO_CACHE_DIR", "1"]);
  if (rng.chance(0.3)) appEnv.push(["PIP_DISABLE_PIP_VERSION_CHECK", "1"]);
  const pipFlags = (): string => (good(project) ? " --no-cache-dir" : "");
  const pipCache = !project.tiny && rng.chance(0.25);
  const buildPackages = (): void => {
    if (project.tiny || !rng.chance(project.verbose ? 0.9 : 0.4)) return;
    if (alpine) {
      const build = apkPool(project, 0, 2, ["gcc", "musl-dev", "libffi-dev"]);
      systemPackages(project, "alpine", [...build, ...(deps.some((dep) => dep.name.startsWith("psycopg")) ? ["postgresql-dev"] : [])]);
    } else systemPackages(project, "debian", aptPool(project, "debian", 1, 4, ["build-essential", "libpq-dev"]));
  };
  const installDeps = (target?: string): void => {
    df.comment("Install Python dependencies", 0.5);
    const mounts = pipCache ? [`--mount=type=cache,target=/root/.cache/${pm === "poetry" ? "pypoetry" : pm === "uv" ? "uv" : "pip"}`] : [];
    if (pm === "pip") {
      const copyAll = !good(project, 0.2) && rng.chance(0.35);
      df.add(copyAll ? "COPY . ." : rng.chance(0.8) ? "COPY requirements.txt ." : `COPY requirements.txt ${workdir}/requirements.txt`);
      const upgrade = rng.chance(0.35) ? [`pip install${pipFlags()} --upgrade pip`] : [];
      if (target !== undefined) df.run([...upgrade, `pip install${pipFlags()} --prefix=${target} -r requirements.txt`], { mounts });
      else df.run([...upgrade, `pip install${pipFlags()} -r requirements.txt`], { mounts, ...(rng.chance(0.15) ? { ignore: "DL3013,DL3042" } : {}) });
      if (!copyAll) df.add("COPY . .");
    } else if (pm === "poetry") {
      env(project, [["POETRY_VERSION", rng.pick(["1.8.3", "1.7.1"])], ["POETRY_NO_INTERACTION", "1"], ["POETRY_VIRTUALENVS_CREATE", rng.pick(["false", "true"])], ...(rng.chance(0.5) ? [["POETRY_VIRTUALENVS_IN_PROJECT", "1"] as [string, string]] : [])]);
      if (rng.chance(0.6)) df.run([`pip install${pipFlags()} "poetry==$POETRY_VERSION"`]);
      else df.run(["curl -sSL https://install.python-poetry.org | python3 -"], { style: "oneline" });
      df.add("COPY pyproject.toml poetry.lock ./");
      df.run([`poetry install ${rng.pick(["--no-root --only main", "--no-root --without dev", "--no-dev --no-root", "--no-interaction --no-ansi --no-root"])}`], { mounts });
      df.add("COPY . .");
      if (rng.chance(0.4)) df.run(["poetry install --only-root"]);
    } else {
      df.add(`COPY --from=ghcr.io/astral-sh/uv:${rng.pick(["0.4.18", "0.2.24", "latest"])} /uv /uvx /bin/`);
      env(project, [["UV_COMPILE_BYTECODE", "1"], ["UV_LINK_MODE", "copy"]]);
      if (rng.chance(0.6)) {
        df.run(["uv sync --frozen --no-install-project --no-dev"], { mounts: ["--mount=type=cache,target=/root/.cache/uv", "--mount=type=bind,source=uv.lock,target=uv.lock", "--mount=type=bind,source=pyproject.toml,target=pyproject.toml"], style: "leading" });
        df.add("COPY . .");
        df.run(["uv sync --frozen --no-dev"], { mounts: ["--mount=type=cache,target=/root/.cache/uv"] });
      } else {
        df.add("COPY pyproject.toml uv.lock ./");
        df.run(["uv sync --frozen --no-dev --no-install-project"], { mounts });
        df.add("COPY . .");
      }
    }
  };
  const argv = framework === "fastapi"
    ? ["uvicorn", `${module}.main:app`, "--host", "0.0.0.0", "--port", String(project.port)]
    : framework === "flask"
      ? ["gunicorn", "-b", `0.0.0.0:${project.port}`, "-w", String(rng.int(2, 4)), `${module}.main:app`]
      : framework === "django"
        ? ["gunicorn", "config.wsgi:application", "--bind", `0.0.0.0:${project.port}`]
        : ["celery", "-A", module, "worker", "--loglevel=info"];
  const finish = (): void => {
    if (framework === "django" && rng.chance(0.6)) df.run(["python manage.py collectstatic --noinput"]);
    if (good(project)) {
      if (rng.chance(0.5)) {
        createUser(project, alpine ? "alpine" : "debian");
        df.add(rng.chance(0.5) ? "USER app" : "USER 10001");
      } else df.add(rng.pick(["USER nobody", "USER 65534"]));
    }
    if (framework !== "worker") exposeAndHealth(project, alpine ? "wget" : rng.pick(["curl", "none"] as const));
    command(project, argv);
  };

  if (stageCount === 1) {
    df.from(image);
    env(project, appEnv);
    df.add(`WORKDIR ${workdir}`);
    buildPackages();
    installDeps();
    finish();
    return;
  }
  const builder = rng.pick(["builder", "build", "deps"]);
  if (stageCount === 3) {
    df.from(image, "base");
    env(project, appEnv);
    df.add(`WORKDIR ${workdir}`);
  }
  df.from(stageCount === 3 ? "base" : image, builder);
  if (stageCount === 2) df.add(`WORKDIR ${workdir}`);
  buildPackages();
  const venv = pm === "pip" && rng.chance(0.6);
  if (venv) {
    df.run(["python -m venv /opt/venv"]);
    env(project, [["PATH", '"/opt/venv/bin:$PATH"']]);
  }
  installDeps(pm === "pip" && !venv ? "/install" : undefined);
  df.comment("Runtime", 0.4);
  df.from(stageCount === 3 ? "base" : image, rng.chance(0.4) ? "runtime" : undefined);
  if (stageCount === 2) {
    env(project, appEnv);
    df.add(`WORKDIR ${workdir}`);
  }
  if (!project.tiny && rng.chance(0.4)) {
    if (alpine) systemPackages(project, "alpine", apkPool(project, 1, 2, ["libpq"]));
    else systemPackages(project, "debian", aptPool(project, "debian", 1, 2, ["libpq5"]));
  }
  if (pm === "pip") {
    if (venv) {
      df.add(`COPY --from=${builder} /opt/venv /opt/venv`);
      env(project, [["PATH", '"/opt/venv/bin:$PATH"']]);
    } else df.add(`COPY --from=${builder} /install /usr/local`);
    df.add("COPY . .");
  } else if (pm === "uv") {
    df.add(`COPY --from=${builder} ${workdir} ${workdir}`);
    env(project, [["PATH", `"${workdir}/.venv/bin:$PATH"`]]);
  } else {
    df.add(`COPY --from=${builder} ${workdir} ${workdir}`);
    if (rng.chance(0.5)) df.add(`COPY --from=${builder} /usr/local/lib/python${version.split(".").slice(0, 2).join(".")}/site-packages /usr/local/lib/python${version.split(".").slice(0, 2).join(".")}/site-packages`);
  }
  finish();
}

function goProject(project: Project): void {
  const { rng, df } = project;
  const version = rng.pick(["1.21", "1.22", "1.22.5", "1.23", "1.23.0"]);
  const flavor = rng.pick(["-alpine", "-alpine", "-bookworm", "", "-alpine3.20"]);
  const image = baseImage(project, "GO_VERSION", version, (v) => `golang:${v}${flavor}`, 0.4);
  const modulePath = `github.com/${project.org}/${project.name}`;
  const deps = rng.subset(GO_DEPS, 1, 6);
  project.files.set("go.mod", `module ${modulePath}\n\ngo ${version.split(".").slice(0, 2).join(".")}\n\nrequire (\n${deps.map((dep) => `\t${dep.name} ${dep.version}`).join("\n")}\n)\n`);
  if (rng.chance(0.95)) project.files.set("go.sum", deps.map((dep) => `${dep.name} ${dep.version} h1:${rng.base64(43)}=\n${dep.name} ${dep.version}/go.mod h1:${rng.base64(43)}=\n`).join(""));
  const layout = rng.pick(["cmd", "root", "multi"] as const);
  const commands = layout === "multi" ? rng.subset(["api", "worker", "migrate", "cli"], 2, 3) : ["server"];
  if (layout === "root") project.files.set("main.go", `package main\n\nimport (\n\t"log"\n\t"net/http"\n)\n\nfunc main() {\n\thttp.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })\n\tlog.Fatal(http.ListenAndServe(":${project.port}", nil))\n}\n`);
  else for (const cmd of commands) project.files.set(`cmd/${cmd}/main.go`, `package main\n\nimport "${modulePath}/internal/app"\n\nfunc main() { app.Run("${cmd}") }\n`);
  project.files.set("internal/app/app.go", `package app\n\nimport "log"\n\n// Run starts the named component.\nfunc Run(name string) { log.Printf("starting %s", name) }\n`);
  if (rng.chance(0.5)) project.files.set("internal/app/app_test.go", `package app\n\nimport "testing"\n\nfunc TestRun(t *testing.T) { Run("test") }\n`);
  if (rng.chance(0.3)) project.files.set("Makefile", `build:\n\tgo build ./...\n\ntest:\n\tgo test ./...\n`);

  const single = project.tiny || rng.chance(0.15);
  const target = layout === "root" ? "." : `./cmd/${commands[0]}`;
  const binary = layout === "root" ? project.name : (commands[0] as string);
  const useCache = !project.tiny && rng.chance(0.45);
  const cacheMounts = (build: boolean): string[] => (useCache ? ["--mount=type=cache,target=/go/pkg/mod", ...(build ? ["--mount=type=cache,target=/root/.cache/go-build"] : [])] : []);
  const cross = !single && rng.chance(0.3);
  const goEnv = cross ? "CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH" : rng.pick(["CGO_ENABLED=0", "CGO_ENABLED=0 GOOS=linux", "CGO_ENABLED=0 GOOS=linux GOARCH=amd64"]);
  const ldflags = rng.pick(['-ldflags="-s -w"', "-trimpath -ldflags='-s -w'", "", '-trimpath -ldflags "-s -w -X main.version=${VERSION}"']);

  if (single) {
    df.from(image);
    df.add(`WORKDIR ${rng.pick(["/app", "/go/src/app", "/src"])}`);
    if (!project.tiny && rng.chance(0.5)) df.add("COPY go.mod go.sum ./", "RUN go mod download");
    df.add("COPY . .");
    df.run([`go build -o /usr/local/bin/${binary} ${target}`]);
    df.add(`EXPOSE ${project.port}`);
    command(project, [binary], { preferExec: 0.8 });
    return;
  }
  if (cross) df.from(image, "build", "$BUILDPLATFORM");
  else df.from(image, rng.pick(["build", "builder", "build-env"]));
  const buildStage = df.stageNames.at(-1) as string;
  if (cross) df.add("ARG TARGETOS", "ARG TARGETARCH");
  df.add(`WORKDIR ${rng.pick(["/src", "/app", "/workspace", `/go/src/${modulePath}`])}`);
  if (flavor.includes("alpine") && rng.chance(0.5)) systemPackages(project, "alpine", apkPool(project, 1, 2, ["git", "ca-certificates"]));
  if (ldflags.includes("VERSION")) df.add(`ARG VERSION=${rng.pick(["dev", "0.0.0"])}`);
  const copyAll = !good(project, 0.2) && rng.chance(0.4);
  if (copyAll) {
    df.add("COPY . .");
    df.run(["go mod download"], { mounts: cacheMounts(false) });
  } else {
    df.add(rng.chance(0.8) ? "COPY go.mod go.sum ./" : "COPY go.* ./");
    df.run([rng.chance(0.8) ? "go mod download" : "go mod download && go mod verify"], { mounts: cacheMounts(false) });
    df.add("COPY . .");
  }
  if (layout === "multi") {
    df.run([`for cmd in ${commands.join(" ")}; do ${goEnv} go build ${ldflags} -o /out/$cmd ./cmd/$cmd; done`], { mounts: cacheMounts(true), style: "leading" });
  } else {
    df.run([`${goEnv} go build ${ldflags} -o /out/${binary} ${target}`.replace(/ {2,}/g, " ")], { mounts: cacheMounts(true) });
  }
  if (rng.chance(0.2)) df.run(["go test ./..."], { mounts: cacheMounts(true) });

  const runtime = rng.weighted([["distroless", 4], ["scratch", 2], ["alpine", 3], ["debian", 2]] as const);
  df.comment(rng.pick(["Minimal runtime image", "Final image", "Runtime"]), 0.5);
  if (runtime === "distroless") df.from(decorateImage(project, `gcr.io/distroless/${rng.pick(["static-debian12", "static-debian12:nonroot", "base-debian12", "static:nonroot"])}`));
  else if (runtime === "scratch") df.from("scratch");
  else if (runtime === "alpine") df.from(decorateImage(project, `alpine:${rng.pick(["3.19", "3.20", "3.18", "latest"])}`));
  else df.from(decorateImage(project, "debian:bookworm-slim"));
  if (runtime === "alpine") systemPackages(project, "alpine", ["ca-certificates", ...(rng.chance(0.4) ? ["tzdata"] : [])]);
  if (runtime === "debian" && rng.chance(0.6)) systemPackages(project, "debian", ["ca-certificates"]);
  if (runtime === "scratch") df.add(`COPY --from=${buildStage} /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/`);
  if (layout === "multi") df.add(`COPY --from=${buildStage} /out/ /usr/local/bin/`);
  else df.add(`COPY --from=${buildStage} /out/${binary} /${binary}`);
  if (runtime === "distroless") df.add("USER nonroot:nonroot");
  else if (good(project)) df.add(rng.pick(["USER 65532:65532", "USER nobody", "USER 10001"]));
  df.add(`EXPOSE ${project.port}`);
  const entry = layout === "multi" ? `/usr/local/bin/${commands[0]}` : `/${binary}`;
  df.add(`ENTRYPOINT ["${entry}"]`);
  if (rng.chance(0.3)) df.add(`CMD ["--addr", ":${project.port}"]`);
}

function rustProject(project: Project): void {
  const { rng, df } = project;
  const version = rng.pick(["1.75", "1.78", "1.79", "1.80", "1.81", "1.82", "1"]);
  const musl = rng.chance(0.25);
  const image = baseImage(project, "RUST_VERSION", version, (v) => `rust:${v}${musl ? "-alpine" : rng.pick(["-slim", "-slim-bookworm", "", "-bookworm"])}`);
  const deps = rng.subset(RUST_DEPS, 2, 7);
  const binary = project.name;
  project.files.set("Cargo.toml", `[package]\nname = "${binary}"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n${deps.map((dep) => (dep.name === "tokio" ? `tokio = { version = "1", features = ["full"] }` : dep.name === "serde" ? `serde = { version = "1", features = ["derive"] }` : `${dep.name} = "${dep.version}"`)).join("\n")}\n${rng.chance(0.4) ? '\n[profile.release]\nlto = true\ncodegen-units = 1\nstrip = true\n' : ""}`);
  project.files.set("Cargo.lock", `# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = 3\n\n${deps.map((dep) => `[[package]]\nname = "${dep.name}"\nversion = "${dep.version}"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\nchecksum = "${rng.hex(64)}"\n`).join("\n")}`);
  project.files.set("src/main.rs", `use std::net::TcpListener;\n\nfn main() -> std::io::Result<()> {\n    let listener = TcpListener::bind("0.0.0.0:${project.port}")?;\n    for stream in listener.incoming() {\n        drop(stream?);\n    }\n    Ok(())\n}\n`);
  if (rng.chance(0.05)) project.files.set(`target/release/${binary}`, { sparseBytes: rng.int(8, 60) * 1_000_000 });

  const pattern = project.tiny ? "single" : rng.weighted([["single", 1], ["dummy", 3], ["chef", 2], ["cache", 3]] as const);
  const workdir = rng.pick(["/app", "/usr/src/app", "/build"]);
  const triple = musl ? "x86_64-unknown-linux-musl" : undefined;
  const releaseDir = triple === undefined ? "target/release" : `target/${triple}/release`;
  const targetFlag = triple === undefined ? "" : ` --target ${triple}`;
  if (pattern === "single") {
    df.from(image);
    df.add(`WORKDIR ${workdir}`);
    df.add("COPY . .");
    df.run([`cargo install --path .${rng.chance(0.5) ? " --locked" : ""}`]);
    df.add(`EXPOSE ${project.port}`);
    command(project, [binary]);
    return;
  }
  const system = (): void => {
    if (musl) systemPackages(project, "alpine", ["musl-dev", ...(rng.chance(0.5) ? ["openssl-dev", "pkgconfig"] : [])]);
    else if (rng.chance(0.6)) systemPackages(project, "debian", aptPool(project, "debian", 0, 1, ["pkg-config", "libssl-dev"]));
  };
  let builder = "builder";
  if (pattern === "chef") {
    df.from(`lukemathwalker/cargo-chef:latest-rust-${version === "1" ? "1" : version}${musl ? "-alpine" : ""}`, "chef");
    df.add(`WORKDIR ${workdir}`);
    df.from("chef", "planner");
    df.add("COPY . .");
    df.run(["cargo chef prepare --recipe-path recipe.json"]);
    df.from("chef", "builder");
    system();
    df.add(`COPY --from=planner ${workdir}/recipe.json recipe.json`);
    df.comment("Build dependencies - this is the caching Docker layer!", 0.6);
    df.run([`cargo chef cook --release${targetFlag} --recipe-path recipe.json`]);
    df.add("COPY . .");
    df.run([`cargo build --release${targetFlag} --bin ${binary}`]);
  } else {
    builder = rng.pick(["builder", "build"]);
    df.from(image, builder);
    df.add(`WORKDIR ${workdir}`);
    system();
    if (musl && rng.chance(0.5)) df.run([`rustup target add ${triple}`]);
    if (pattern === "dummy") {
      df.add("COPY Cargo.toml Cargo.lock ./");
      df.comment("Cache dependencies with a placeholder main", 0.6);
      df.run(["mkdir src", 'echo "fn main() {}" > src/main.rs', `cargo build --release${targetFlag}`, `rm -rf src ${releaseDir}/deps/${binary.replace(/-/g, "_")}*`]);
      df.add("COPY src ./src");
      df.run([`cargo build --release --locked${targetFlag}`]);
    } else {
      df.add("COPY . .");
      df.run([`cargo build --release${targetFlag}`, `cp ${releaseDir}/${binary} /usr/local/bin/${binary}`], {
        mounts: ["--mount=type=cache,target=/usr/local/cargo/registry", ...(rng.chance(0.7) ? [`--mount=type=cache,target=${workdir}/target`] : [])],
      });
    }
  }
  const source = pattern === "cache" ? `/usr/local/bin/${binary}` : `${workdir}/${releaseDir}/${binary}`;
  df.comment("Runtime image", 0.4);
  const runtime = musl ? rng.pick(["scratch", "alpine:3.20"]) : rng.pick(["debian:bookworm-slim", "debian:bookworm-slim", "gcr.io/distroless/cc-debian12", "ubuntu:24.04"]);
  df.from(runtime === "scratch" ? "scratch" : decorateImage(project, runtime), rng.chance(0.4) ? "runtime" : undefined);
  if (runtime.startsWith("debian") || runtime.startsWith("ubuntu")) systemPackages(project, runtime.startsWith("ubuntu") ? "ubuntu" : "debian", aptPool(project, "debian", 0, 2, ["ca-certificates"]));
  if (runtime.startsWith("alpine")) systemPackages(project, "alpine", ["ca-certificates"]);
  df.add(`COPY --from=${builder} ${source} /usr/local/bin/${binary}`);
  if (good(project) && !runtime.startsWith("gcr")) {
    if (runtime.startsWith("debian") || runtime.startsWith("ubuntu")) createUser(project, "debian");
    df.add(runtime.startsWith("debian") || runtime.startsWith("ubuntu") ? "USER app" : "USER 10001:10001");
  }
  exposeAndHealth(project, "none");
  if (rng.chance(0.5)) env(project, [["RUST_LOG", rng.pick(["info", "warn", `${binary.replace(/-/g, "_")}=debug,info`])]]);
  if (rng.chance(0.5)) df.add(`ENTRYPOINT ["/usr/local/bin/${binary}"]`);
  else command(project, [`/usr/local/bin/${binary}`]);
}

function javaProject(project: Project, tool: "maven" | "gradle"): void {
  const { rng, df } = project;
  const jdk = rng.pick(["17", "21", "21", "11"]);
  const group = `com.${project.org}`;
  const artifact = project.name;
  const packagePath = `${group.replace(/\./g, "/")}/${project.name.replace(/-/g, "")}`;
  project.files.set(`src/main/java/${packagePath}/Application.java`, `package ${group}.${project.name.replace(/-/g, "")};\n\nimport org.springframework.boot.SpringApplication;\nimport org.springframework.boot.autoconfigure.SpringBootApplication;\n\n@SpringBootApplication\npublic class Application {\n    public static void main(String[] args) {\n        SpringApplication.run(Application.class, args);\n    }\n}\n`);
  project.files.set("src/main/resources/application.yml", `server:\n  port: ${project.port}\nspring:\n  application:\n    name: ${project.name}\n`);
  if (rng.chance(0.5)) project.files.set(`src/test/java/${packagePath}/ApplicationTests.java`, `package ${group}.${project.name.replace(/-/g, "")};\n\nclass ApplicationTests {}\n`);
  const wrapper = rng.chance(0.4);
  if (tool === "maven") {
    project.files.set("pom.xml", `<?xml version="1.0" encoding="UTF-8"?>\n<project xmlns="http://maven.apache.org/POM/4.0.0">\n  <modelVersion>4.0.0</modelVersion>\n  <parent>\n    <groupId>org.springframework.boot</groupId>\n    <artifactId>spring-boot-starter-parent</artifactId>\n    <version>3.3.1</version>\n  </parent>\n  <groupId>${group}</groupId>\n  <artifactId>${artifact}</artifactId>\n  <version>0.0.1-SNAPSHOT</version>\n  <properties>\n    <java.version>${jdk}</java.version>\n  </properties>\n  <dependencies>\n    <dependency>\n      <groupId>org.springframework.boot</groupId>\n      <artifactId>spring-boot-starter-web</artifactId>\n    </dependency>\n  </dependencies>\n</project>\n`);
    if (wrapper) {
      project.files.set("mvnw", "#!/bin/sh\n# Maven wrapper\nexec java -jar .mvn/wrapper/maven-wrapper.jar \"$@\"\n");
      project.files.set(".mvn/wrapper/maven-wrapper.properties", "distributionUrl=https://repo.maven.apache.org/maven2/org/apache/maven/apache-maven/3.9.8/apache-maven-3.9.8-bin.zip\n");
    }
  } else {
    const kotlin = rng.chance(0.4);
    project.files.set(kotlin ? "build.gradle.kts" : "build.gradle", kotlin ? `plugins {\n    java\n    id("org.springframework.boot") version "3.3.1"\n}\n\njava { toolchain { languageVersion = JavaLanguageVersion.of(${jdk}) } }\n\ndependencies {\n    implementation("org.springframework.boot:spring-boot-starter-web")\n}\n` : `plugins {\n    id 'java'\n    id 'org.springframework.boot' version '3.3.1'\n}\n\ngroup = '${group}'\n\ndependencies {\n    implementation 'org.springframework.boot:spring-boot-starter-web'\n}\n`);
    project.files.set(kotlin ? "settings.gradle.kts" : "settings.gradle", `rootProject.name = "${artifact}"\n`);
    if (wrapper) {
      project.files.set("gradlew", "#!/bin/sh\n# Gradle start up script\nexec java -classpath gradle/wrapper/gradle-wrapper.jar org.gradle.wrapper.GradleWrapperMain \"$@\"\n");
      project.files.set("gradle/wrapper/gradle-wrapper.properties", "distributionUrl=https\\://services.gradle.org/distributions/gradle-8.8-bin.zip\n");
    }
  }
  const runtimeImage = decorateImage(project, rng.pick([`eclipse-temurin:${jdk}-jre`, `eclipse-temurin:${jdk}-jre-alpine`, `amazoncorretto:${jdk}-alpine`, `gcr.io/distroless/java${jdk === "11" ? "17" : jdk}-debian12`, `eclipse-temurin:${jdk}-jre-jammy`]));
  const jar = tool === "maven" ? "target/*.jar" : "build/libs/*.jar";
  const javaArgs = ["java", ...(rng.chance(0.5) ? ["-XX:MaxRAMPercentage=75.0"] : []), "-jar", "/app/app.jar"];
  if (project.tiny || rng.chance(0.12)) {
    // Jar built outside Docker.
    df.from(runtimeImage);
    df.add("WORKDIR /app");
    df.add(`${rng.chance(0.2) ? "ADD" : "COPY"} ${jar.replace("*", `${artifact}-0.0.1-SNAPSHOT`)} app.jar`);
    df.add(`EXPOSE ${project.port}`);
    df.add(`ENTRYPOINT [${javaArgs.map((word) => JSON.stringify(word)).join(", ")}]`);
    return;
  }
  const builder = rng.pick(["build", "builder"]);
  const cacheTarget = tool === "maven" ? "/root/.m2" : rng.pick(["/root/.gradle", "/home/gradle/.gradle"]);
  const mounts = rng.chance(0.35) ? [`--mount=type=cache,target=${cacheTarget}`] : [];
  if (tool === "maven") {
    df.from(wrapper ? decorateImage(project, `eclipse-temurin:${jdk}-jdk`) : decorateImage(project, `maven:${rng.pick(["3.9", "3.9.8", "3.8.7"])}-eclipse-temurin-${jdk}`), builder);
    df.add(`WORKDIR ${rng.pick(["/workspace", "/app", "/build"])}`);
    const mvn = wrapper ? "./mvnw" : "mvn";
    if (wrapper) df.add("COPY mvnw .", "COPY .mvn .mvn");
    const copyAll = !good(project, 0.2) && rng.chance(0.4);
    if (copyAll) {
      df.add("COPY . .");
    } else {
      df.add("COPY pom.xml .");
      df.run([`${mvn} -B ${rng.pick(["dependency:go-offline", "dependency:resolve dependency:resolve-plugins", "-q dependency:go-offline"])}`], { mounts });
      df.add("COPY src ./src");
    }
    df.run([`${mvn} -B ${rng.pick(["package", "clean package", "-q package"])} -DskipTests`], { mounts });
  } else {
    df.from(wrapper ? decorateImage(project, `eclipse-temurin:${jdk}-jdk`) : decorateImage(project, `gradle:${rng.pick(["8.8", "8.7", "8.5"])}-jdk${jdk}`), builder);
    df.add(`WORKDIR ${rng.pick(["/workspace", "/app", "/home/gradle/src"])}`);
    const gradle = wrapper ? "./gradlew" : "gradle";
    const files = [...project.files.keys()].filter((file) => /^(build|settings)\.gradle(\.kts)?$/.test(file));
    if (wrapper) df.add("COPY gradlew .", "COPY gradle gradle");
    df.add(`COPY ${files.join(" ")} ./`);
    df.run([`${gradle} dependencies --no-daemon`], { mounts });
    df.add("COPY src ./src");
    df.run([`${gradle} ${rng.pick(["bootJar", "build -x test", "assemble"])} --no-daemon`], { mounts });
  }
  const workspace = df.body.find((line) => line.startsWith("WORKDIR"))?.slice("WORKDIR ".length) ?? "/app";
  if (rng.chance(0.3)) {
    // Spring Boot layered jar: dependencies change less often than the application.
    df.run([`cp ${jar} application.jar`, "java -Djarmode=layertools -jar application.jar extract --destination extracted"]);
    df.from(runtimeImage);
    df.add("WORKDIR /app");
    for (const layer of ["dependencies", "spring-boot-loader", "snapshot-dependencies", "application"]) df.add(`COPY --from=${builder} ${workspace}/extracted/${layer}/ ./`);
    if (good(project)) df.add("USER 1000");
    df.add(`EXPOSE ${project.port}`);
    df.add('ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]');
    return;
  }
  df.comment("Runtime", 0.4);
  df.from(runtimeImage);
  df.add("WORKDIR /app");
  if (rng.chance(0.4) && !runtimeImage.includes("distroless")) env(project, [["JAVA_OPTS", '"-XX:+UseContainerSupport -XX:MaxRAMPercentage=75.0"'], ...(project.verbose ? [["TZ", "UTC"] as [string, string]] : [])]);
  df.add(`COPY --from=${builder} ${workspace}/${jar} /app/app.jar`);
  if (good(project) && !runtimeImage.includes("distroless")) {
    if (runtimeImage.includes("alpine")) createUser(project, "alpine", "spring", 1001);
    df.add(runtimeImage.includes("alpine") ? "USER spring:spring" : "USER 1001");
  }
  exposeAndHealth(project, runtimeImage.includes("alpine") ? "wget" : "none", "/actuator/health");
  if (df.body.some((line) => line.startsWith("ENV JAVA_OPTS") || line.includes("JAVA_OPTS="))) df.add('ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /app/app.jar"]');
  else df.add(`ENTRYPOINT [${javaArgs.map((word) => JSON.stringify(word)).join(", ")}]`);
}

function rubyProject(project: Project): void {
  const { rng, df } = project;
  const version = rng.pick(["3.1", "3.2", "3.3", "3.3.4", "3.2.4"]);
  const rails = rng.chance(0.6);
  const alpine = !rails && rng.chance(0.5);
  const gems = rails ? [RUBY_GEMS[0] as Dependency, RUBY_GEMS[1] as Dependency, RUBY_GEMS[2] as Dependency, ...rng.subset(RUBY_GEMS.slice(3), 1, 4)] : [RUBY_GEMS[6] as Dependency, RUBY_GEMS[7] as Dependency, RUBY_GEMS[2] as Dependency];
  project.files.set("Gemfile", `source "https://rubygems.org"\n\nruby "${version.length > 3 ? version : `${version}.0`}"\n\n${gems.map((gem) => `gem "${gem.name}", "~> ${gem.version.split(".").slice(0, 2).join(".")}"`).join("\n")}\n\ngroup :development, :test do\n  gem "rspec-rails"\n  gem "rubocop", require: false\nend\n`);
  project.files.set("Gemfile.lock", `GEM\n  remote: https://rubygems.org/\n  specs:\n${gems.map((gem) => `    ${gem.name} (${gem.version})`).join("\n")}\n\nPLATFORMS\n  x86_64-linux\n\nDEPENDENCIES\n${gems.map((gem) => `  ${gem.name} (~> ${gem.version.split(".").slice(0, 2).join(".")})`).join("\n")}\n\nBUNDLED WITH\n   2.5.${rng.int(3, 16)}\n`);
  if (rails) {
    project.files.set("config.ru", 'require_relative "config/environment"\n\nrun Rails.application\n');
    project.files.set("bin/rails", '#!/usr/bin/env ruby\nAPP_PATH = File.expand_path("../config/application", __dir__)\nrequire_relative "../config/boot"\nrequire "rails/commands"\n');
    project.files.set("bin/docker-entrypoint", '#!/bin/bash -e\n\nif [ "${1}" == "./bin/rails" ] && [ "${2}" == "server" ]; then\n  ./bin/rails db:prepare\nfi\n\nexec "${@}"\n');
    project.files.set("app/controllers/application_controller.rb", "class ApplicationController < ActionController::API\nend\n");
    if (rng.chance(0.5)) project.files.set("spec/requests/health_spec.rb", 'require "rails_helper"\n\nRSpec.describe "health" do\nend\n');
  } else {
    project.files.set("config.ru", 'require "./app"\n\nrun Sinatra::Application\n');
    project.files.set("app.rb", `require "sinatra"\n\nget "/healthz" do\n  "ok"\nend\n`);
  }
  const image = baseImage(project, "RUBY_VERSION", version, (v) => `ruby:${v}${alpine ? "-alpine" : rng.pick(["-slim", "-slim", "-slim-bookworm", ""])}`, 0.5);
  if (!rails || project.tiny) {
    df.from(image);
    df.add(`WORKDIR ${rng.pick(["/app", "/usr/src/app"])}`);
    if (!project.tiny) {
      if (alpine) systemPackages(project, "alpine", ["build-base", ...rng.subset(["git", "tzdata"], 0, 2)]);
      else systemPackages(project, "debian", aptPool(project, "debian", 1, 3, ["build-essential"]));
    }
    if (good(project)) {
      df.add("COPY Gemfile Gemfile.lock ./");
      df.run([`bundle config set --local without '${rng.pick(["development test", "development:test"])}'`, `bundle install --jobs ${rng.int(2, 4)}`]);
      df.add("COPY . .");
    } else {
      df.add("COPY . .");
      df.run(["bundle install"]);
    }
    df.add(`EXPOSE ${project.port}`);
    command(project, rails ? ["bundle", "exec", "rails", "server", "-b", "0.0.0.0"] : ["bundle", "exec", "rackup", "--host", "0.0.0.0", "-p", String(project.port)]);
    return;
  }
  df.from(image, "base");
  df.add("WORKDIR /rails");
  systemPackages(project, "debian", ["curl", ...rng.subset(["libjemalloc2", "libvips", "postgresql-client", "tzdata"], 1, 3)]);
  env(project, [["RAILS_ENV", '"production"'], ["BUNDLE_DEPLOYMENT", '"1"'], ["BUNDLE_PATH", '"/usr/local/bundle"'], ["BUNDLE_WITHOUT", '"development"']]);
  df.comment("Throw-away build stage to reduce size of final image", 0.6);
  df.from("base", "build");
  systemPackages(project, "debian", aptPool(project, "debian", 1, 3, ["build-essential", "git", "libpq-dev", "pkg-config"]));
  df.add("COPY Gemfile Gemfile.lock ./");
  if (rng.chance(0.3)) df.run(["bundle install"], { mounts: ["--mount=type=cache,target=/usr/local/bundle/cache"] });
  else df.run(["bundle install", 'rm -rf ~/.bundle/ "${BUNDLE_PATH}"/ruby/*/cache "${BUNDLE_PATH}"/ruby/*/bundler/gems/*/.git', "bundle exec bootsnap precompile --gemfile"]);
  df.add("COPY . .");
  if (rng.chance(0.7)) df.run(["bundle exec bootsnap precompile app/ lib/"]);
  if (rng.chance(0.6)) df.run(["SECRET_KEY_BASE_DUMMY=1 ./bin/rails assets:precompile"]);
  df.comment("Final stage for app image", 0.6);
  df.from("base");
  df.add('COPY --from=build "${BUNDLE_PATH}" "${BUNDLE_PATH}"', "COPY --from=build /rails /rails");
  df.run(["groupadd --system --gid 1000 rails", "useradd rails --uid 1000 --gid 1000 --create-home --shell /bin/bash", "chown -R rails:rails db log storage tmp"]);
  df.add("USER 1000:1000");
  df.add('ENTRYPOINT ["/rails/bin/docker-entrypoint"]');
  df.add(`EXPOSE ${project.port}`);
  command(project, ["./bin/rails", "server"], { preferExec: 0.9 });
}

function phpProject(project: Project): void {
  const { rng, df } = project;
  const version = rng.pick(["8.1", "8.2", "8.3", "8.3"]);
  const variant = rng.pick(["fpm-alpine", "fpm", "apache"] as const);
  const laravel = rng.chance(0.6);
  const deps = laravel ? [PHP_DEPS[0] as Dependency, ...rng.subset(PHP_DEPS.slice(2), 1, 3)] : rng.subset(PHP_DEPS.slice(1), 2, 4);
  project.files.set("composer.json", `${JSON.stringify({ name: `${project.org}/${project.name}`, type: "project", require: { php: `^${version}`, ...Object.fromEntries(deps.map((dep) => [dep.name, `^${dep.version.replace(/^v/, "")}`])) }, "require-dev": { "phpunit/phpunit": "^11.2" }, autoload: { "psr-4": { "App\\": laravel ? "app/" : "src/" } } }, null, 4)}\n`);
  project.files.set("composer.lock", `${JSON.stringify({ _readme: ["This file locks the dependencies of your project to a known state"], "content-hash": rng.hex(32), packages: deps.map((dep) => ({ name: dep.name, version: dep.version, dist: { type: "zip", url: `https://api.github.com/repos/${dep.name}/zipball/${rng.hex(40)}`, reference: rng.hex(40) } })), "packages-dev": [], "minimum-stability": "stable" }, null, 4)}\n`);
  project.files.set("public/index.php", `<?php\n\nrequire __DIR__ . '/../vendor/autoload.php';\n\necho json_encode(['service' => '${project.name}']);\n`);
  project.files.set(laravel ? "app/Http/Controllers/Controller.php" : "src/Kernel.php", `<?php\n\nnamespace App;\n\nclass ${laravel ? "Controller" : "Kernel"}\n{\n}\n`);
  if (laravel) project.files.set("artisan", "#!/usr/bin/env php\n<?php\n\nrequire __DIR__.'/vendor/autoload.php';\n");
  const image = decorateImage(project, `php:${version}-${variant}`);
  const alpine = variant.endsWith("alpine");
  const extensions = rng.subset(["pdo_mysql", "pdo_pgsql", "intl", "zip", "opcache", "bcmath", "gd", "pcntl"], 2, 5);
  const multi = !project.tiny && rng.chance(0.55);
  const webroot = "/var/www/html";
  if (multi) {
    df.from(decorateImage(project, `composer:${rng.pick(["2", "2.7", "latest"])}`), "vendor");
    df.add("WORKDIR /app");
    df.add("COPY composer.json composer.lock ./");
    df.run([`composer install --no-dev --no-scripts --prefer-dist --no-interaction${rng.chance(0.6) ? " --optimize-autoloader" : ""}${rng.chance(0.4) ? " --ignore-platform-reqs" : ""}`], rng.chance(0.3) ? { mounts: ["--mount=type=cache,target=/tmp/cache"] } : {});
  }
  df.from(image);
  if (!project.tiny) {
    const libraries = alpine ? ["icu-dev", "libzip-dev", ...(extensions.includes("gd") ? ["libpng-dev", "freetype-dev", "libjpeg-turbo-dev"] : []), ...(extensions.includes("pdo_pgsql") ? ["postgresql-dev"] : [])] : ["libicu-dev", "libzip-dev", "unzip", ...(extensions.includes("gd") ? ["libpng-dev", "libfreetype6-dev", "libjpeg62-turbo-dev"] : []), ...(extensions.includes("pdo_pgsql") ? ["libpq-dev"] : [])];
    const install: Cmd[] = [];
    if (alpine) install.push({ head: good(project) ? "apk add --no-cache" : "apk add", items: packageRows(project, libraries) });
    else install.push("apt-get update", { head: `apt-get install -y${good(project) ? " --no-install-recommends" : ""}`, items: packageRows(project, libraries) });
    if (extensions.includes("gd")) install.push("docker-php-ext-configure gd --with-freetype --with-jpeg");
    install.push(`docker-php-ext-install -j"$(nproc)" ${extensions.join(" ")}`);
    if (rng.chance(0.3)) install.push("pecl install redis", "docker-php-ext-enable redis");
    if (!alpine && good(project)) install.push("rm -rf /var/lib/apt/lists/*");
    df.run(install, alpine ? {} : rng.chance(0.2) ? { ignore: "DL3008" } : {});
  }
  if (variant === "apache") df.run(["a2enmod rewrite headers"]);
  if (rng.chance(0.4)) {
    df.add(`COPY docker/php.ini ${rng.pick(["/usr/local/etc/php/conf.d/app.ini", "$PHP_INI_DIR/conf.d/app.ini"])}`);
    project.files.set("docker/php.ini", "memory_limit = 256M\nopcache.enable = 1\nopcache.validate_timestamps = 0\n");
  }
  df.add(`WORKDIR ${webroot}`);
  if (multi) {
    df.add(`COPY --from=vendor /app/vendor ${webroot}/vendor`);
    df.add(`COPY ${rng.chance(0.4) ? "--chown=www-data:www-data " : ""}. ${webroot}`);
  } else {
    df.add("COPY --from=composer:2 /usr/bin/composer /usr/bin/composer");
    if (good(project, 0.1)) {
      df.add("COPY composer.json composer.lock ./");
      df.run(["composer install --no-dev --no-scripts --no-autoloader --prefer-dist"]);
      df.add("COPY . .");
      df.run(["composer dump-autoload --optimize"]);
    } else {
      df.add("COPY . .");
      df.run(["composer install"]);
    }
  }
  if (laravel) df.run([`chown -R www-data:www-data ${webroot}/storage ${webroot}/bootstrap/cache`]);
  if (good(project)) df.add("USER www-data");
  if (variant === "apache") {
    df.add("EXPOSE 80");
    if (rng.chance(0.3)) df.add("HEALTHCHECK --interval=30s CMD curl -fsS http://localhost/ || exit 1");
  } else {
    df.add("EXPOSE 9000");
    df.add('CMD ["php-fpm"]');
  }
}

function staticProject(project: Project): void {
  const { rng, df } = project;
  const nginx = decorateImage(project, rng.pick(["nginx:1.27-alpine", "nginx:alpine", "nginx:stable-alpine", "nginx:1.25", "nginxinc/nginx-unprivileged:1.27-alpine"]));
  const unprivileged = nginx.includes("unprivileged");
  project.files.set("nginx.conf", `server {\n    listen ${unprivileged ? 8080 : 80};\n    root /usr/share/nginx/html;\n    index index.html;\n\n    location / {\n        try_files $uri $uri/ /index.html;\n    }\n\n    location ~* \\.(js|css|png|svg|woff2)$ {\n        expires 30d;\n    }\n}\n`);
  const kind = project.tiny ? "plain" : rng.weighted([["plain", 2], ["spa", 5], ["hugo", 1]] as const);
  if (kind === "plain") {
    project.files.set("public/index.html", `<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>${project.name}</title><link rel="stylesheet" href="/css/site.css"></head>\n<body><h1>${project.name}</h1></body>\n</html>\n`);
    project.files.set("public/css/site.css", "body { font-family: system-ui, sans-serif; margin: 2rem; }\n");
    df.from(nginx);
    df.add("COPY nginx.conf /etc/nginx/conf.d/default.conf");
    df.add(`COPY ${rng.pick(["public/", "public"])} /usr/share/nginx/html${rng.chance(0.5) ? "/" : ""}`);
    df.add(`EXPOSE ${unprivileged ? 8080 : 80}`);
    if (rng.chance(0.3)) df.add('CMD ["nginx", "-g", "daemon off;"]');
    return;
  }
  if (kind === "hugo") {
    project.files.set("config.toml", `baseURL = "https://${project.name}.${project.org}.example/"\nlanguageCode = "en-us"\ntitle = "${project.name}"\n`);
    project.files.set("content/_index.md", `---\ntitle: "${project.name}"\n---\n\nDocumentation for ${project.name}.\n`);
    df.from(decorateImage(project, rng.pick(["hugomods/hugo:exts-0.128.0", "klakegg/hugo:0.111.3-ext-alpine"])), "build");
    df.add("WORKDIR /src", "COPY . .");
    df.run([`hugo --minify${rng.chance(0.5) ? " --gc" : ""}`]);
    df.from(nginx);
    df.add("COPY nginx.conf /etc/nginx/conf.d/default.conf", "COPY --from=build /src/public /usr/share/nginx/html");
    df.add(`EXPOSE ${unprivileged ? 8080 : 80}`);
    return;
  }
  const pm = rng.pick(["npm", "npm", "yarn", "pnpm"] as const);
  const deps = rng.subset(FRONTEND_DEPS, 2, 5);
  const devDeps = [FRONTEND_DEV_DEPS[0] as Dependency, FRONTEND_DEV_DEPS[1] as Dependency, ...rng.subset(FRONTEND_DEV_DEPS.slice(2), 0, 4)];
  project.files.set("package.json", packageJson(project, deps, devDeps, { dev: "vite", build: "vite build", preview: "vite preview" }, pm === "pnpm" ? "pnpm@9.4.0" : undefined));
  const lockfile = { npm: "package-lock.json", yarn: "yarn.lock", pnpm: "pnpm-lock.yaml" }[pm];
  project.files.set(lockfile, pm === "npm" ? packageLock(project, deps, devDeps) : pm === "yarn" ? yarnLock(project, [...deps, ...devDeps]) : pnpmLock(project, deps, devDeps));
  project.files.set("index.html", `<!doctype html>\n<html lang="en">\n<head><meta charset="UTF-8" /><title>${project.name}</title></head>\n<body><div id="root"></div><script type="module" src="/src/main.tsx"></script></body>\n</html>\n`);
  project.files.set("src/main.tsx", `import React from "react";\nimport { createRoot } from "react-dom/client";\n\ncreateRoot(document.getElementById("root")!).render(<h1>${project.name}</h1>);\n`);
  project.files.set("vite.config.ts", `import { defineConfig } from "vite";\nimport react from "@vitejs/plugin-react";\n\nexport default defineConfig({ plugins: [react()] });\n`);
  const node = baseImage(project, "NODE_VERSION", rng.pick(["20", "22", "18"]), (v) => `node:${v}-alpine`);
  df.from(node, rng.pick(["build", "builder", "build-stage"]));
  const build = df.stageNames.at(-1) as string;
  df.add("WORKDIR /app");
  if (pm === "pnpm") df.add("RUN corepack enable");
  const installs = { npm: good(project, 0.2) ? "npm ci" : "npm install", yarn: "yarn install --frozen-lockfile", pnpm: "pnpm install --frozen-lockfile" }[pm];
  const mounts = rng.chance(0.25) ? [`--mount=type=cache,target=${{ npm: "/root/.npm", yarn: "/usr/local/share/.cache/yarn", pnpm: "/root/.local/share/pnpm/store" }[pm]}`] : [];
  if (good(project, 0.1)) {
    df.add(`COPY package.json ${lockfile} ./`);
    df.run([installs], { mounts });
    df.add("COPY . .");
  } else {
    df.add("COPY . .");
    df.run([installs], { mounts });
  }
  if (rng.chance(0.4)) {
    df.add("ARG VITE_API_URL", "ENV VITE_API_URL=$VITE_API_URL");
  }
  df.run([{ npm: "npm run build", yarn: "yarn build", pnpm: "pnpm build" }[pm]]);
  df.comment("Serve the static bundle", 0.5);
  df.from(nginx);
  if (rng.chance(0.5)) df.run(["rm -rf /usr/share/nginx/html/*"]);
  df.add("COPY nginx.conf /etc/nginx/conf.d/default.conf");
  df.add(`COPY --from=${build} /app/dist /usr/share/nginx/html`);
  df.add(`EXPOSE ${unprivileged ? 8080 : 80}`);
  if (rng.chance(0.3)) df.add(`HEALTHCHECK --interval=30s --timeout=3s CMD wget -qO- http://127.0.0.1:${unprivileged ? 8080 : 80}/ > /dev/null || exit 1`);
  if (rng.chance(0.5)) df.add('CMD ["nginx", "-g", "daemon off;"]');
}

function toolsProject(project: Project, distro: "debian" | "ubuntu" | "alpine"): void {
  const { rng, df } = project;
  const image = distro === "alpine"
    ? baseImage(project, "ALPINE_VERSION", rng.pick(["3.18", "3.19", "3.20"]), (v) => `alpine:${v}`, 0.25)
    : distro === "ubuntu"
      ? decorateImage(project, `ubuntu:${rng.pick(["20.04", "22.04", "24.04", "jammy", "noble"])}`)
      : decorateImage(project, `debian:${rng.pick(["bookworm-slim", "bookworm", "bullseye-slim", "12-slim", "stable-slim"])}`);
  const purpose = rng.pick(["ci", "backup", "deploy", "debug"] as const);
  const script = purpose === "backup" ? "backup.sh" : purpose === "deploy" ? "deploy.sh" : "entrypoint.sh";
  project.files.set(`scripts/${script}`, `#!/bin/sh\nset -eu\n\n${purpose === "backup" ? 'pg_dump "$DATABASE_URL" | gzip > "/backups/$(date +%F).sql.gz"' : purpose === "deploy" ? 'kubectl apply -f "${MANIFESTS:-/manifests}"' : 'exec "$@"'}\n`);
  if (rng.chance(0.012)) project.files.set("data/fixtures.sql", { sparseBytes: rng.int(110, 190) * 1_000_000 });
  const kubectl = rng.pick(["1.29.6", "1.30.2", "1.28.11"]);
  const helm = rng.pick(["3.14.4", "3.15.2"]);
  const downloader = !project.tiny && rng.chance(0.25);
  const downloads: Cmd[] = [
    `curl -fsSLo /usr/local/bin/kubectl "https://dl.k8s.io/release/v\${KUBECTL_VERSION}/bin/linux/\${TARGETARCH:-amd64}/kubectl"`,
    "chmod +x /usr/local/bin/kubectl",
    `curl -fsSL "https://get.helm.sh/helm-v\${HELM_VERSION}-linux-\${TARGETARCH:-amd64}.tar.gz" | tar -xz --strip-components=1 -C /usr/local/bin "linux-\${TARGETARCH:-amd64}/helm"`,
  ];
  if (downloader) {
    df.from(decorateImage(project, "alpine:3.20"), "download");
    df.add("ARG TARGETARCH", `ARG KUBECTL_VERSION=${kubectl}`, `ARG HELM_VERSION=${helm}`);
    df.run(["apk add --no-cache curl tar"]);
    df.run([...downloads, "kubectl version --client"], { style: "leading" });
  }
  df.from(image);
  if (project.tiny) {
    if (distro === "alpine") df.add(`RUN apk add --no-cache ${apkPool(project, 2, 4).join(" ")}`);
    else df.add(`RUN apt-get update && apt-get install -y ${aptPool(project, distro, 2, 4).join(" ")}`);
    df.add(`COPY scripts/${script} /usr/local/bin/${script.replace(".sh", "")}`);
    command(project, [script.replace(".sh", "")]);
    return;
  }
  if (distro === "ubuntu") env(project, [["DEBIAN_FRONTEND", "noninteractive"], ...(rng.chance(0.5) ? [["TZ", "Etc/UTC"] as [string, string]] : [])]);
  if (!downloader && rng.chance(0.4)) df.add(`ARG KUBECTL_VERSION=${kubectl}`, `ARG HELM_VERSION=${helm}`);
  if (purpose !== "deploy" && distro !== "alpine" && rng.chance(0.3)) df.add('SHELL ["/bin/bash", "-o", "pipefail", "-c"]');
  const packages = distro === "alpine" ? apkPool(project, 3, 8, purpose === "backup" ? ["postgresql16-client", "gzip"] : ["curl"]) : aptPool(project, distro, 3, 9, purpose === "backup" ? ["postgresql-client", "gzip"] : ["curl", "ca-certificates"]);
  systemPackages(project, distro === "alpine" ? "alpine" : distro, packages);
  if (distro === "ubuntu" && rng.chance(0.4)) {
    df.run(["add-apt-repository -y ppa:deadsnakes/ppa", "apt-get update", "apt-get install -y --no-install-recommends python3.12 python3.12-venv", "rm -rf /var/lib/apt/lists/*"]);
  }
  if (downloader) df.add("COPY --from=download /usr/local/bin/kubectl /usr/local/bin/helm /usr/local/bin/");
  else if (df.body.some((line) => line.startsWith("ARG KUBECTL_VERSION"))) df.run(downloads);
  if (rng.chance(0.3)) {
    df.run([
      `curl -fsSL "https://awscli.amazonaws.com/awscli-exe-linux-$(uname -m).zip" -o /tmp/awscliv2.zip`,
      "unzip -q /tmp/awscliv2.zip -d /tmp",
      "/tmp/aws/install",
      "rm -rf /tmp/aws /tmp/awscliv2.zip",
    ]);
  }
  if (rng.chance(0.25)) df.add(`ADD https://github.com/krallin/tini/releases/download/v0.19.0/tini${distro === "alpine" ? "-static" : ""} /tini`, "RUN chmod +x /tini");
  if (rng.chance(0.3)) {
    df.run([`for tool in ${rng.subset(["jq", "yq", "git", "curl", "psql", "kubectl"], 2, 4).join(" ")}; do command -v "$tool" > /dev/null || { echo "missing $tool" >&2; exit 1; }; done`]);
  }
  if (distro !== "alpine" && rng.chance(0.25)) df.run(['if [ "$(uname -m)" = "aarch64" ]; then echo "arm64 build"; else echo "amd64 build"; fi', "ln -fs /usr/share/zoneinfo/UTC /etc/localtime"]);
  if (rng.chance(0.2)) df.run([`sh -c 'echo "${project.name} tools image" > /etc/motd'`]);
  df.add(`COPY ${rng.chance(0.15) ? "--chmod=0755 " : ""}scripts/${script} /usr/local/bin/${script.replace(".sh", "")}`);
  if (good(project, -0.2)) {
    createUser(project, distro === "alpine" ? "alpine" : "debian", "runner", rng.pick([1000, 10001]));
    df.add("USER runner");
  }
  if (purpose === "debug") df.add(rng.chance(0.5) ? 'CMD ["bash"]' : "CMD sleep infinity");
  else if (df.body.some((line) => line.includes("/tini"))) command(project, [script.replace(".sh", "")], { entrypoint: ["/tini", "--"] });
  else command(project, [script.replace(".sh", "")]);
}

// ------------------------------------------------------------------------------------------
// Variants, sibling files, groups

interface Variant {
  id: string;
  ecosystem: CorpusEcosystem;
  weight: number;
  build(project: Project): void;
}

const VARIANTS: Variant[] = [
  { id: "node-npm", ecosystem: "node", weight: 12, build: (project) => nodeProject(project, "npm") },
  { id: "node-yarn", ecosystem: "node", weight: 5, build: (project) => nodeProject(project, "yarn") },
  { id: "node-pnpm", ecosystem: "node", weight: 4, build: (project) => nodeProject(project, "pnpm") },
  { id: "python-pip", ecosystem: "python", weight: 10, build: (project) => pythonProject(project, "pip") },
  { id: "python-poetry", ecosystem: "python", weight: 4, build: (project) => pythonProject(project, "poetry") },
  { id: "python-uv", ecosystem: "python", weight: 3, build: (project) => pythonProject(project, "uv") },
  { id: "go", ecosystem: "go", weight: 10, build: goProject },
  { id: "rust", ecosystem: "rust", weight: 5, build: rustProject },
  { id: "java-maven", ecosystem: "java", weight: 5, build: (project) => javaProject(project, "maven") },
  { id: "java-gradle", ecosystem: "java", weight: 4, build: (project) => javaProject(project, "gradle") },
  { id: "ruby", ecosystem: "ruby", weight: 5, build: rubyProject },
  { id: "php", ecosystem: "php", weight: 5, build: phpProject },
  { id: "static-nginx", ecosystem: "static", weight: 7, build: staticProject },
  { id: "tools-debian", ecosystem: "tools", weight: 3, build: (project) => toolsProject(project, "debian") },
  { id: "tools-ubuntu", ecosystem: "tools", weight: 3, build: (project) => toolsProject(project, "ubuntu") },
  { id: "tools-alpine", ecosystem: "tools", weight: 3, build: (project) => toolsProject(project, "alpine") },
];

const DOCKERIGNORE_BY_ECOSYSTEM: Record<CorpusEcosystem, string[]> = {
  node: ["node_modules", "npm-debug.log*", "dist", "coverage", ".env", "*.md", "test"],
  static: ["node_modules", "dist", ".cache", "*.log"],
  python: ["__pycache__", "*.pyc", ".venv", ".pytest_cache", ".mypy_cache", "tests", ".env"],
  go: ["bin/", "*.test", "coverage.out", "vendor/"],
  rust: ["target/", "**/*.rs.bk"],
  java: ["target/", "build/", ".gradle/", "*.iml", ".idea/"],
  ruby: ["log/*", "tmp/*", "storage/*", ".bundle", "spec/", "node_modules/"],
  php: ["vendor/", "storage/logs/*", "node_modules/", ".phpunit.result.cache", "tests/"],
  tools: ["*.md", "docs/"],
};

function dockerignore(project: Project): string {
  const { rng } = project;
  const common = rng.subset([".git", ".gitignore", "Dockerfile*", "docker-compose*.yml", ".dockerignore", "README.md", ".vscode", ".idea", "**/.DS_Store"], 1, 5);
  const specific = rng.subset(DOCKERIGNORE_BY_ECOSYSTEM[project.ecosystem], 1, 6);
  const lines = [...(rng.chance(0.3) ? ["# Keep the build context small"] : []), ...common, ...(rng.chance(0.5) ? [""] : []), ...specific];
  if (rng.chance(0.08)) lines.push("!README.md");
  return `${lines.join("\n")}\n`;
}

const GITIGNORE_BY_ECOSYSTEM: Record<CorpusEcosystem, string[]> = {
  node: ["node_modules/", "dist/", ".env", "*.log"],
  static: ["node_modules/", "dist/", ".env.local"],
  python: ["__pycache__/", "*.py[cod]", ".venv/", ".env", ".pytest_cache/"],
  go: ["/bin/", "*.out", ".env"],
  rust: ["/target", "**/*.rs.bk"],
  java: ["target/", "build/", ".gradle/", "*.class"],
  ruby: ["/log/*", "/tmp/*", "/.bundle", ".env"],
  php: ["/vendor/", "/storage/*.key", ".env"],
  tools: [".env", "*.tmp"],
};

function siblingFiles(project: Project): void {
  const { rng } = project;
  if (rng.chance(0.55)) {
    const ignoreName = project.dockerfileName !== "Dockerfile" && rng.chance(0.3) ? `${project.dockerfileName}.dockerignore` : ".dockerignore";
    project.files.set(ignoreName, dockerignore(project));
  }
  if (rng.chance(0.4)) project.files.set(".gitignore", `${GITIGNORE_BY_ECOSYSTEM[project.ecosystem].join("\n")}\n`);
  if (rng.chance(0.5)) project.files.set("README.md", `# ${project.name}\n\nOwned by the ${project.org} ${rng.pick(["platform", "payments", "growth", "data"])} team.\n\n## Build\n\n    docker build -t ${project.org}/${project.name} .\n`);
  if (rng.chance(0.08)) project.files.set("docs/architecture.md", `# ${project.name} architecture\n\nTODO\n`);
  if (rng.chance(0.05)) project.files.set(".env", `DATABASE_URL=postgres://app:${rng.hex(16)}@db:5432/app\nAPI_KEY=${rng.hex(32)}\n`);
  if (rng.chance(0.15)) project.files.set(".env.example", "DATABASE_URL=postgres://app:app@db:5432/app\nAPI_KEY=\n");
  if (rng.chance(0.04)) {
    project.files.set(".git/HEAD", "ref: refs/heads/main\n");
    project.files.set(".git/config", `[core]\n\trepositoryformatversion = 0\n\tbare = false\n[remote "origin"]\n\turl = git@github.com:${project.org}/${project.name}.git\n`);
  }
  if (rng.chance(0.05)) project.files.set(".github/workflows/ci.yml", `name: ci\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: docker build .\n`);
}

function dockerfileNameFor(rng: Random, name: string): string {
  const roll = rng.next();
  if (roll < 0.84) return "Dockerfile";
  if (roll < 0.92) return "Dockerfile.prod";
  if (roll < 0.95) return "Containerfile";
  return `${name.split("-").at(-1) ?? "app"}.Dockerfile`;
}

interface GeneratedProject {
  dir: string;
  name: string;
  org: string;
  dockerfile: string;
  ecosystem: CorpusEcosystem;
  variant: string;
  stageNames: string[];
  lines: number;
  files: Map<string, FileContent>;
  port: number;
}

function generateProject(seed: number, index: number, groupDir: string, takenNames: Set<string>): GeneratedProject {
  for (let attempt = 0; ; attempt++) {
    const rng = createRandom(deriveSeed(seed, 1 + attempt, index));
    // The first projects walk through every variant, so even a small corpus covers them all.
    const variant = index < VARIANTS.length ? (VARIANTS[index] as Variant) : rng.weighted(VARIANTS.map((item) => [item, item.weight] as const));
    let name = `${rng.pick(DOMAINS)}-${rng.pick(SUFFIXES)}`;
    while (takenNames.has(name)) name = `${name}-${rng.int(2, 9)}`;
    const size = rng.weighted([["tiny", 12], ["normal", 60], ["verbose", 21], ["huge", 7]] as const);
    const project: Project = {
      rng,
      index,
      dir: `${groupDir}/p${String(index + 1).padStart(4, "0")}`,
      name,
      org: rng.pick(ORGS),
      port: rng.pick([3000, 8000, 8080, 8081, 5000, 4000, 9090, 3001, 8443, 4567]),
      quality: rng.pick([0.15, 0.4, 0.65, 0.85, 0.95]),
      tiny: size === "tiny",
      verbose: size === "verbose" || size === "huge",
      huge: size === "huge",
      dockerfileName: "Dockerfile",
      files: new Map(),
      df: new DockerfileWriter(rng),
      ecosystem: variant.ecosystem,
      variant: variant.id,
    };
    project.dockerfileName = dockerfileNameFor(rng, name);
    project.df.airy = project.verbose && rng.chance(0.7);
    project.df.chatty = project.huge ? 0.6 : project.verbose ? 0.3 : 0;
    if (!project.tiny && rng.chance(project.verbose ? 0.5 : 0.2)) project.df.header.push(`# syntax=docker/dockerfile:${rng.pick(["1", "1.2", "1.2"])}`);
    if (rng.chance(project.verbose ? 0.5 : 0.1)) project.df.header.push(`# ${project.name}: ${rng.pick(["production image", "built by CI on every merge to main", "see README.md for build arguments", "keep in sync with the compose file"])}`);
    if (rng.chance(0.04)) project.df.header.push("# hadolint global ignore=DL3059");
    if (project.huge && rng.chance(0.7)) {
      const rule = `# ${"-".repeat(rng.int(40, 76))}`;
      project.df.header.push(rule, `# ${name}`, "#", `# Build:  docker build -t ${project.org}/${name} -f ${project.dockerfileName} .`, `# Run:    docker run --rm -p ${project.port}:${project.port} ${project.org}/${name}`);
      if (rng.chance(0.5)) project.df.header.push(`# Owners: ${rng.pick(["platform", "payments", "growth", "data"])} team (#${rng.pick(["platform", "eng", "ops"])} on Slack)`);
      project.df.header.push(rule);
    }
    variant.build(project);
    if (project.verbose || rng.chance(0.15)) {
      // Labels belong to the image: right after the final FROM.
      const body = project.df.body;
      let lastFrom = -1;
      body.forEach((line, lineIndex) => {
        if (line.startsWith("FROM ")) lastFrom = lineIndex;
      });
      const extra = labels(project);
      if (project.huge) {
        const pairs = rng.subset(["APP_ENV=production", "LOG_LEVEL=info", "TZ=UTC", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", `APP_NAME=${project.name}`, `APP_PORT=${project.port}`, "OTEL_SERVICE_NAME=$APP_NAME"], 3, 8);
        extra.push(...pairs.map((pair, pairIndex) => `${pairIndex === 0 ? "ENV " : "    "}${pair}${pairIndex < pairs.length - 1 ? " \\" : ""}`));
      }
      const tail = body.splice(lastFrom + 1);
      body.push(...extra);
      if (project.huge) {
        // Long Dockerfiles usually owe their length to long package lists in the final image.
        const image = /^FROM\s+(?:--platform=\S+\s+)?(\S+)/.exec(body[lastFrom] ?? "")?.[1] ?? "";
        if (image.includes("alpine")) systemPackages(project, "alpine", apkPool(project, 8, 14));
        else if (/ubuntu|jammy|noble/.test(image)) systemPackages(project, "ubuntu", aptPool(project, "ubuntu", 6, 10));
        else if (/debian|slim|bookworm|bullseye|python|node|ruby|php|temurin|nginx/.test(image)) systemPackages(project, "debian", aptPool(project, "debian", 6, 10));
      }
      body.push(...tail);
    }
    const text = project.df.text();
    const lines = text.split("\n").length - 1;
    if ((lines < MIN_LINES || lines > MAX_LINES) && attempt < 20) continue;
    siblingFiles(project);
    project.files.set(project.dockerfileName, text);
    takenNames.add(name);
    return { dir: project.dir, name, org: project.org, dockerfile: `${project.dir}/${project.dockerfileName}`, ecosystem: variant.ecosystem, variant: variant.id, stageNames: project.df.stageNames, lines, files: project.files, port: project.port };
  }
}

function composeFile(rng: Random, projects: GeneratedProject[]): string {
  const services = rng.subset(projects, 2, Math.min(6, projects.length));
  const database = rng.weighted([["postgres", 5], ["mysql", 2], ["mongo", 1], ["none", 2]] as const);
  const redis = rng.chance(0.5);
  const dbHealthcheck = rng.chance(0.5);
  const lines: string[] = [];
  if (rng.chance(0.3)) lines.push(`version: "${rng.pick(["3.8", "3.9", "3"])}"`, "");
  lines.push("services:");
  const infra = [...(database === "none" ? [] : ["db"]), ...(redis ? ["redis"] : [])];
  for (const project of services) {
    const dockerfile = project.dockerfile.slice(project.dir.length + 1);
    const context = `./${project.dir.split("/").at(-1)}`;
    lines.push(`  ${project.name}:`);
    const target = project.stageNames.filter((name) => name !== "").at(-1);
    if (dockerfile === "Dockerfile" && (target === undefined || rng.chance(0.5)) && rng.chance(0.6)) {
      lines.push(`    build: ${context}`);
    } else {
      lines.push("    build:", `      context: ${context}`);
      if (dockerfile !== "Dockerfile") lines.push(`      dockerfile: ${dockerfile}`);
      if (target !== undefined && rng.chance(0.6)) lines.push(`      target: ${target}`);
      if (rng.chance(0.2)) lines.push("      args:", "        - GIT_SHA=${GIT_SHA:-dev}");
    }
    if (rng.chance(0.3)) lines.push(`    image: ghcr.io/${project.org}/${project.name}:latest`);
    if (rng.chance(0.7)) lines.push("    ports:", `      - "${project.port}:${project.port}"`);
    if (rng.chance(0.6)) {
      lines.push("    environment:");
      if (database === "postgres") lines.push("      DATABASE_URL: postgres://app:app@db:5432/app");
      if (database === "mysql") lines.push("      DATABASE_URL: mysql://app:app@db:3306/app");
      if (database === "mongo") lines.push("      MONGO_URL: mongodb://db:27017/app");
      if (redis) lines.push("      REDIS_URL: redis://redis:6379/0");
      lines.push(`      PORT: "${project.port}"`);
    }
    const dependsOn = rng.subset(infra, 0, infra.length);
    if (dependsOn.length > 0) {
      if (dbHealthcheck && dependsOn.includes("db") && rng.chance(0.7)) {
        lines.push("    depends_on:", "      db:", "        condition: service_healthy", ...dependsOn.filter((name) => name !== "db").flatMap((name) => [`      ${name}:`, "        condition: service_started"]));
      } else if (rng.chance(0.5)) {
        lines.push(`    depends_on: [${dependsOn.join(", ")}]`);
      } else {
        lines.push("    depends_on:", ...dependsOn.map((name) => `      - ${name}`));
      }
    }
    if (rng.chance(0.2)) lines.push("    volumes:", `      - ${context}/src:/app/src`);
    if (rng.chance(0.08) && database !== "none") lines.push(`    command: sh -c "until nc -z db ${database === "mysql" ? 3306 : database === "mongo" ? 27017 : 5432}; do sleep 1; done; exec ./start.sh"`);
    if (rng.chance(0.3)) lines.push("    deploy:", "      resources:", "        limits:", `          cpus: "${rng.pick(["0.5", "1", "2"])}"`, `          memory: ${rng.pick(["256M", "512M", "1G"])}`);
    if (rng.chance(0.3)) lines.push("    restart: unless-stopped");
    lines.push("");
  }
  if (database === "postgres") {
    lines.push("  db:", "    image: postgres:16-alpine", "    environment:", "      POSTGRES_USER: app", "      POSTGRES_PASSWORD: app", "      POSTGRES_DB: app", "    volumes:", "      - db-data:/var/lib/postgresql/data");
    if (dbHealthcheck) lines.push("    healthcheck:", '      test: ["CMD-SHELL", "pg_isready -U app"]', "      interval: 5s", "      retries: 10");
  } else if (database === "mysql") {
    lines.push("  db:", "    image: mysql:8.0", "    environment:", "      MYSQL_DATABASE: app", "      MYSQL_USER: app", "      MYSQL_PASSWORD: app", "      MYSQL_ROOT_PASSWORD: root", "    volumes:", "      - db-data:/var/lib/mysql");
    if (dbHealthcheck) lines.push("    healthcheck:", '      test: ["CMD", "mysqladmin", "ping", "-h", "localhost"]', "      interval: 10s");
  } else if (database === "mongo") {
    lines.push("  db:", "    image: mongo:7", "    volumes:", "      - db-data:/data/db");
    if (dbHealthcheck) lines.push("    healthcheck:", '      test: ["CMD", "mongosh", "--eval", "db.adminCommand(\'ping\')"]');
  }
  if (database !== "none") lines.push("");
  if (redis) lines.push("  redis:", `    image: redis:${rng.pick(["7", "7-alpine", "7.2-alpine"])}`, "");
  if (database !== "none") lines.push("volumes:", "  db-data:");
  while (lines.at(-1) === "") lines.pop();
  return `${lines.join("\n")}\n`;
}

// ------------------------------------------------------------------------------------------
// Public API

export interface CorpusOptions {
  /** Number of Dockerfiles (one project each). Default 2,400. */
  count?: number;
  seed?: number;
}

export interface CorpusStats {
  dir: string;
  count: number;
  seed: number;
  generatorVersion: number;
  /** Files written (all kinds) and their total size in bytes (sparse files at their apparent size). */
  files: number;
  bytes: number;
  dockerfileBytes: number;
  groups: number;
  composeFiles: number;
  dockerignoreFiles: number;
  byEcosystem: Record<CorpusEcosystem, number>;
  byVariant: Record<string, number>;
  /** Dockerfiles by file name kind: `Dockerfile`, `Dockerfile.prod`, `Containerfile`, `<name>.Dockerfile`. */
  byFileName: Record<string, number>;
  singleStage: number;
  multiStage: number;
  /** Dockerfiles by stage count. */
  byStageCount: Record<string, number>;
  lines: { min: number; median: number; max: number; total: number };
  dockerfiles: { path: string; ecosystem: CorpusEcosystem; variant: string; stages: number; lines: number }[];
}

/** Deletes `dir` only when it is absent, empty or a corpus this generator wrote. */
function prepareDirectory(dir: string): void {
  if (!fs.existsSync(dir)) return;
  const entries = fs.readdirSync(dir);
  if (entries.length === 0) return;
  if (!entries.includes(CORPUS_MARKER)) throw new Error(`${dir} exists and is not a generated corpus (no ${CORPUS_MARKER}); refusing to overwrite it`);
  fs.rmSync(dir, { recursive: true, force: true });
}

function writeFile(absolute: string, content: FileContent): number {
  fs.mkdirSync(path.dirname(absolute), { recursive: true });
  if (typeof content === "string") {
    fs.writeFileSync(absolute, content);
    return Buffer.byteLength(content);
  }
  // Large data files are sparse: their size counts towards the build context, not the disk.
  const fd = fs.openSync(absolute, "w");
  try {
    fs.ftruncateSync(fd, content.sparseBytes);
  } finally {
    fs.closeSync(fd);
  }
  return content.sparseBytes;
}

/** Writes `count` projects under `dir` (replacing an earlier corpus there) and returns what was written. */
export function generateCorpus(dir: string, options: CorpusOptions = {}): CorpusStats {
  const count = options.count ?? DEFAULT_CORPUS_COUNT;
  const seed = options.seed ?? DEFAULT_CORPUS_SEED;
  if (!Number.isInteger(count) || count < 1) throw new Error(`count must be a positive integer, got ${count}`);
  const root = path.resolve(dir);
  prepareDirectory(root);
  fs.mkdirSync(root, { recursive: true });

  const stats: CorpusStats = {
    dir: root,
    count,
    seed,
    generatorVersion: CORPUS_GENERATOR_VERSION,
    files: 0,
    bytes: 0,
    dockerfileBytes: 0,
    groups: 0,
    composeFiles: 0,
    dockerignoreFiles: 0,
    byEcosystem: Object.fromEntries(CORPUS_ECOSYSTEMS.map((ecosystem) => [ecosystem, 0])) as Record<CorpusEcosystem, number>,
    byVariant: Object.fromEntries(VARIANTS.map((variant) => [variant.id, 0])),
    byFileName: {},
    singleStage: 0,
    multiStage: 0,
    byStageCount: {},
    lines: { min: Infinity, median: 0, max: 0, total: 0 },
    dockerfiles: [],
  };
  const write = (relative: string, content: FileContent): void => {
    stats.bytes += writeFile(path.join(root, relative), content);
    stats.files++;
  };

  const lineCounts: number[] = [];
  let index = 0;
  for (let group = 0; index < count; group++) {
    const groupRng = createRandom(deriveSeed(seed, 0, group));
    const groupDir = `g${String(group + 1).padStart(3, "0")}`;
    const size = Math.min(groupRng.int(4, 16), count - index);
    const takenNames = new Set<string>();
    const projects: GeneratedProject[] = [];
    for (let member = 0; member < size; member++, index++) projects.push(generateProject(seed, index, groupDir, takenNames));
    stats.groups++;
    for (const project of projects) {
      for (const [relative, content] of project.files) write(`${project.dir}/${relative}`, content);
      const text = project.files.get(project.dockerfile.slice(project.dir.length + 1)) as string;
      const stages = project.stageNames.length;
      stats.dockerfileBytes += Buffer.byteLength(text);
      stats.byEcosystem[project.ecosystem]++;
      stats.byVariant[project.variant] = (stats.byVariant[project.variant] ?? 0) + 1;
      const fileName = path.posix.basename(project.dockerfile);
      const nameKind = fileName.endsWith(".Dockerfile") ? "<name>.Dockerfile" : fileName;
      stats.byFileName[nameKind] = (stats.byFileName[nameKind] ?? 0) + 1;
      if (stages > 1) stats.multiStage++;
      else stats.singleStage++;
      stats.byStageCount[String(stages)] = (stats.byStageCount[String(stages)] ?? 0) + 1;
      stats.dockerignoreFiles += [...project.files.keys()].filter((file) => file.endsWith(".dockerignore")).length;
      lineCounts.push(project.lines);
      stats.dockerfiles.push({ path: project.dockerfile, ecosystem: project.ecosystem, variant: project.variant, stages, lines: project.lines });
    }
    if (projects.length >= 2 && groupRng.chance(0.35)) {
      write(`${groupDir}/${groupRng.pick(["docker-compose.yml", "docker-compose.yml", "compose.yaml", "docker-compose.yaml", "compose.yml"])}`, composeFile(groupRng, projects));
      stats.composeFiles++;
    }
    if (groupRng.chance(0.3)) write(`${groupDir}/README.md`, `# Group ${groupDir}\n\nServices: ${projects.map((project) => project.name).join(", ")}.\n`);
  }
  lineCounts.sort((a, b) => a - b);
  stats.lines = { min: lineCounts[0] ?? 0, median: lineCounts[Math.floor(lineCounts.length / 2)] ?? 0, max: lineCounts.at(-1) ?? 0, total: lineCounts.reduce((sum, lines) => sum + lines, 0) };
  fs.writeFileSync(path.join(root, CORPUS_MARKER), `${JSON.stringify({ count, seed, generatorVersion: CORPUS_GENERATOR_VERSION }, null, 2)}\n`);
  return stats;
}

/** The marker of the corpus in `dir`, or undefined when there is none. */
export function readCorpusMarker(dir: string): { count: number; seed: number; generatorVersion: number } | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, CORPUS_MARKER), "utf8")) as { count: number; seed: number; generatorVersion: number };
  } catch {
    return undefined;
  }
}

// `node bench/corpus.ts [--count N] [--seed S] [--dir D]`: generate and print the stats.
if (import.meta.filename === path.resolve(process.argv[1] ?? "")) {
  const argument = (name: string): string | undefined => {
    const index = process.argv.indexOf(name);
    return index >= 0 ? process.argv[index + 1] : undefined;
  };
  const dir = argument("--dir") ?? DEFAULT_CORPUS_DIR;
  const started = performance.now();
  const stats = generateCorpus(dir, { count: Number(argument("--count") ?? DEFAULT_CORPUS_COUNT), seed: Number(argument("--seed") ?? DEFAULT_CORPUS_SEED) });
  const { dockerfiles: _dockerfiles, ...summary } = stats;
  console.log(JSON.stringify({ ...summary, seconds: Number(((performance.now() - started) / 1000).toFixed(2)) }, null, 2));
}
