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
