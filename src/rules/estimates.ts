// The table every size estimate comes from. These are ESTIMATES (typical uncompressed sizes
// of official images and common package sets on amd64, rounded), never measurements: the
// audit labels them `estimatedSavingMB`, and `shipshape bench` / `layers` measure for real.
// docs/estimates.md explains each row; change both together.

export interface Estimate {
  mb: number;
  basis: string;
}

export const ESTIMATES = {
  buildToolsInRuntime: { mb: 250, basis: "build-essential / gcc / make / headers installed into a Debian image" },
  toolchainImageVsRuntime: { mb: 600, basis: "a language toolchain image (golang, rust, maven, gradle, JDK) against a slim or distroless runtime" },
  devDependencies: { mb: 150, basis: "devDependencies of a typical TypeScript service (typescript, test runner, linters, types)" },
  aptRecommends: { mb: 60, basis: "recommended packages pulled by a typical apt-get install without --no-install-recommends" },
  aptLists: { mb: 20, basis: "/var/lib/apt/lists after apt-get update on Debian bookworm" },
  pipCache: { mb: 30, basis: "pip's wheel cache for a small web service's requirements" },
  npmCache: { mb: 40, basis: "~/.npm cache left after npm install of a small service" },
  yarnCache: { mb: 60, basis: "yarn's cache directory after install of a small service" },
  apkCache: { mb: 3, basis: "/var/cache/apk index and packages" },
  rpmCache: { mb: 60, basis: "yum/dnf metadata and package cache" },
  goBuildCache: { mb: 150, basis: "Go module and build cache left in a layer" },
  cargoCache: { mb: 300, basis: "cargo registry and target directory left in a layer" },
  mavenCache: { mb: 150, basis: "~/.m2 repository of a small Spring service" },
  browserDownload: { mb: 280, basis: "a second Chromium downloaded by puppeteer/pyppeteer" },
  logShipper: { mb: 100, basis: "filebeat or fluentd with its runtime inside an application image" },
  upgradeLayer: { mb: 50, basis: "packages rewritten by apt-get upgrade in a fresh base image" },
} as const satisfies Record<string, Estimate>;

export type EstimateKey = keyof typeof ESTIMATES;

export function estimateMB(key: EstimateKey): number {
  return ESTIMATES[key].mb;
}

/**
 * Typical sizes (MB, uncompressed) of official image variants, by image short name and
 * variant. "full" is the default tag (`node:22`), "slim" the `-slim` tag.
 */
export const BASE_IMAGE_SIZES_MB: Record<string, Partial<Record<"full" | "slim" | "alpine" | "distroless", number>>> = {
  node: { full: 1100, slim: 240, alpine: 160, distroless: 130 },
  python: { full: 1000, slim: 150, alpine: 60, distroless: 55 },
  ruby: { full: 900, slim: 220, alpine: 90 },
  php: { full: 500, alpine: 100 },
  golang: { full: 820, alpine: 260 },
  rust: { full: 1450, slim: 800, alpine: 850 },
  openjdk: { full: 470, slim: 420 },
  "eclipse-temurin": { full: 450, alpine: 350 },
  maven: { full: 560 },
  gradle: { full: 720 },
  debian: { full: 117, slim: 74 },
  ubuntu: { full: 78 },
  "buildpack-deps": { full: 700 },
};

/** Runtime images a toolchain's output can run on, with their typical size. */
export const RUNTIME_IMAGE_SIZES_MB: Record<string, number> = {
  "distroless/static": 2,
  "distroless/base": 20,
  "distroless/cc": 23,
  "debian:slim": 74,
  "eclipse-temurin:jre": 260,
};

/** Estimated saving of moving from `from` variant to `to` variant of an image, when both are known. */
export function variantSavingMB(shortName: string, from: "full" | "slim" | "alpine" | "distroless", to: "full" | "slim" | "alpine" | "distroless"): number | undefined {
  const sizes = BASE_IMAGE_SIZES_MB[shortName];
  const fromSize = sizes?.[from];
  const toSize = sizes?.[to];
  if (fromSize === undefined || toSize === undefined || toSize >= fromSize) return undefined;
  return fromSize - toSize;
}

/** The runtime image a toolchain image's output runs on (a key of RUNTIME_IMAGE_SIZES_MB). */
export const TOOLCHAIN_RUNTIMES: Record<string, string> = {
  golang: "distroless/static",
  rust: "distroless/cc",
  gcc: "distroless/cc",
  maven: "eclipse-temurin:jre",
  gradle: "eclipse-temurin:jre",
  openjdk: "eclipse-temurin:jre",
  "eclipse-temurin": "eclipse-temurin:jre",
  "buildpack-deps": "debian:slim",
};

/**
 * Estimated saving of shipping a toolchain image's output on its runtime image instead: the
 * toolchain image's size (its tag's variant: `rust:1.90-slim` is the slim row) minus the
 * runtime's, when both are in the tables; the generic `toolchainImageVsRuntime` figure otherwise
 * (dotnet/sdk, swift).
 */
export function toolchainSavingMB(image: string, tag?: string): number {
  const sizes = BASE_IMAGE_SIZES_MB[image];
  const toolchain = sizes?.[tagVariant(tag)] ?? sizes?.full;
  const runtimeKey = TOOLCHAIN_RUNTIMES[image];
  const runtime = runtimeKey === undefined ? undefined : RUNTIME_IMAGE_SIZES_MB[runtimeKey];
  if (toolchain === undefined || runtime === undefined || runtime >= toolchain) return estimateMB("toolchainImageVsRuntime");
  return toolchain - runtime;
}

/** The variant row of BASE_IMAGE_SIZES_MB a tag is: `22-bookworm-slim` slim, `3.20-alpine3.20` alpine, anything else full. */
export function tagVariant(tag: string | undefined): "full" | "slim" | "alpine" {
  const parts = (tag ?? "").toLowerCase().split("-");
  if (parts.some((part) => part.startsWith("alpine"))) return "alpine";
  if (parts.includes("slim")) return "slim";
  return "full";
}

/**
 * Typical installed size (MB, node_modules with their own dependencies) of common development
 * packages, for the devDependencies estimate of a package.json. `@types/*` packages count
 * DEV_PACKAGE_TYPES_MB, anything else DEV_PACKAGE_DEFAULT_MB.
 */
export const DEV_PACKAGE_SIZES_MB: Record<string, number> = {
  typescript: 23,
  jest: 35,
  "ts-jest": 5,
  vitest: 25,
  mocha: 5,
  eslint: 15,
  "typescript-eslint": 10,
  "@typescript-eslint/parser": 8,
  "@typescript-eslint/eslint-plugin": 10,
  prettier: 8,
  vite: 20,
  "@vitejs/plugin-react": 8,
  webpack: 15,
  "webpack-cli": 5,
  "@babel/core": 10,
  esbuild: 10,
  "ts-node": 3,
  tsx: 12,
  nodemon: 3,
  "@nestjs/cli": 50,
  "@nestjs/testing": 2,
  "@nestjs/schematics": 10,
  supertest: 3,
  "@playwright/test": 10,
  cypress: 25,
  puppeteer: 20,
  tailwindcss: 10,
  postcss: 2,
  sass: 5,
};
export const DEV_PACKAGE_TYPES_MB = 1;
export const DEV_PACKAGE_DEFAULT_MB = 4;

/**
 * The devDependencies estimate of a project's package.json files (a workspace has several; npm
 * installs each package once): the sum of the typical sizes of the development packages they
 * name; `undefined` when none names any (callers fall back to the generic `devDependencies`).
 */
export function devDependenciesMB(packageJsons: readonly string[]): number | undefined {
  const names = new Set<string>();
  for (const text of packageJsons) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      continue;
    }
    const dev = typeof parsed === "object" && parsed !== null ? (parsed as { devDependencies?: unknown }).devDependencies : undefined;
    if (typeof dev === "object" && dev !== null) for (const name of Object.keys(dev)) names.add(name);
  }
  if (names.size === 0) return undefined;
  return [...names].reduce((sum, name) => sum + (DEV_PACKAGE_SIZES_MB[name] ?? (name.startsWith("@types/") ? DEV_PACKAGE_TYPES_MB : DEV_PACKAGE_DEFAULT_MB)), 0);
}
