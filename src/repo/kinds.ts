// Which files the audit reads, by name.
import type { DependencyFile } from "./snapshot.ts";
import { isComposeFileName } from "./compose.ts";

export function isDockerfileName(name: string): boolean {
  // `Dockerfile.prod.dockerignore` is the ignore file that goes with `Dockerfile.prod`.
  if (isDockerignoreName(name)) return false;
  return /^(Dockerfile|Containerfile)(\.[^/]+)?$/.test(name) || /\.(Dockerfile|dockerfile|Containerfile)$/.test(name);
}

export function isDockerignoreName(name: string): boolean {
  return name === ".dockerignore" || name.endsWith(".dockerignore");
}

/** Directories that never hold a project's own Dockerfiles. */
export const VENDOR_DIRECTORIES = new Set([".git", "node_modules", "vendor", ".venv", "venv", "__pycache__", "target", ".tox", ".gradle", ".next", "bower_components"]);

export function isVendoredPath(path: string): boolean {
  return path.split("/").some((part) => VENDOR_DIRECTORIES.has(part));
}

const DEPENDENCY_FILES: Record<string, Omit<DependencyFile, "path">> = {
  "package.json": { ecosystem: "node", packageManager: "npm", kind: "manifest" },
  "package-lock.json": { ecosystem: "node", packageManager: "npm", kind: "lockfile" },
  "npm-shrinkwrap.json": { ecosystem: "node", packageManager: "npm", kind: "lockfile" },
  "yarn.lock": { ecosystem: "node", packageManager: "yarn", kind: "lockfile" },
  "pnpm-lock.yaml": { ecosystem: "node", packageManager: "pnpm", kind: "lockfile" },
  "pyproject.toml": { ecosystem: "python", packageManager: "pip", kind: "manifest" },
  "setup.py": { ecosystem: "python", packageManager: "pip", kind: "manifest" },
  "poetry.lock": { ecosystem: "python", packageManager: "poetry", kind: "lockfile" },
  "uv.lock": { ecosystem: "python", packageManager: "uv", kind: "lockfile" },
  Pipfile: { ecosystem: "python", packageManager: "pipenv", kind: "manifest" },
  "Pipfile.lock": { ecosystem: "python", packageManager: "pipenv", kind: "lockfile" },
  "go.mod": { ecosystem: "go", packageManager: "go", kind: "manifest" },
  "go.sum": { ecosystem: "go", packageManager: "go", kind: "lockfile" },
  "Cargo.toml": { ecosystem: "rust", packageManager: "cargo", kind: "manifest" },
  "Cargo.lock": { ecosystem: "rust", packageManager: "cargo", kind: "lockfile" },
  "pom.xml": { ecosystem: "java", packageManager: "maven", kind: "manifest" },
  "build.gradle": { ecosystem: "java", packageManager: "gradle", kind: "manifest" },
  "build.gradle.kts": { ecosystem: "java", packageManager: "gradle", kind: "manifest" },
  "gradle.lockfile": { ecosystem: "java", packageManager: "gradle", kind: "lockfile" },
  Gemfile: { ecosystem: "ruby", packageManager: "bundler", kind: "manifest" },
  "Gemfile.lock": { ecosystem: "ruby", packageManager: "bundler", kind: "lockfile" },
  "composer.json": { ecosystem: "php", packageManager: "composer", kind: "manifest" },
  "composer.lock": { ecosystem: "php", packageManager: "composer", kind: "lockfile" },
};

export function dependencyFileKind(name: string): Omit<DependencyFile, "path"> | undefined {
  if (/^requirements([-_.][\w.-]+)?\.(txt|in)$/.test(name)) return { ecosystem: "python", packageManager: "pip", kind: "manifest" };
  return DEPENDENCY_FILES[name];
}

/**
 * Files whose text the audit reads (besides Dockerfiles, compose and ignore files): dependency
 * manifests, and the small build configuration files the rewrite planner uses to find a
 * project's build output (tsconfig*.json, next.config.*, vite.config.*, pom.xml, build.gradle*).
 */
export function isReadManifest(name: string): boolean {
  return (
    name === "package.json" ||
    name === "pyproject.toml" ||
    name === "go.mod" ||
    name === "Cargo.toml" ||
    /^requirements([-_.][\w.-]+)?\.txt$/.test(name) ||
    isBuildConfigName(name)
  );
}

/** Build tool configuration the rewrite planner reads. */
export function isBuildConfigName(name: string): boolean {
  return /^tsconfig(\.[\w.-]+)?\.json$/.test(name) || /^(next|vite)\.config\.(js|cjs|mjs|ts|cts|mts)$/.test(name) || name === "pom.xml" || /^build\.gradle(\.kts)?$/.test(name);
}

export function isAuditedTextFile(name: string): boolean {
  // .gitignore: the .dockerignore generator carries its entries over.
  return isDockerfileName(name) || isComposeFileName(name) || isDockerignoreName(name) || isReadManifest(name) || name === ".gitignore";
}
