// Node manifests: package.json (validated with zod), the lockfile that names the package
// manager, tsconfig.json's outDir and what the bundler configs say about the output directory.
import { z } from "zod";
import type { ContextFiles } from "../context.ts";

const stringRecord = z.record(z.string(), z.string());

const PackageJsonSchema = z.looseObject({
  name: z.string().optional(),
  main: z.string().optional(),
  type: z.string().optional(),
  packageManager: z.string().optional(),
  scripts: stringRecord.optional(),
  dependencies: stringRecord.optional(),
  devDependencies: stringRecord.optional(),
  optionalDependencies: stringRecord.optional(),
  workspaces: z.union([z.array(z.string()), z.looseObject({ packages: z.array(z.string()).optional() })]).optional(),
  files: z.array(z.string()).optional(),
});

export type PackageJson = z.infer<typeof PackageJsonSchema>;

export function parsePackageJson(text: string): PackageJson | undefined {
  try {
    const parsed = PackageJsonSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export type NodePackageManager = "npm" | "yarn" | "yarn-berry" | "pnpm";

export interface NodeManagerPlan {
  manager: NodePackageManager;
  /** Files the dependency stage copies before installing (manifest, lockfile, config). */
  manifestFiles: string[];
  lockfile?: string;
  /** Cache mount target of the manager's download cache (root user). */
  cacheTarget: string;
  install: string;
  productionInstall: string;
  /** `npm run build`, `yarn build`, `pnpm run build`. */
  runScript: (name: string) => string;
}

/** Lockfile first (it is what `ci`/`--frozen-lockfile` needs), then the `packageManager` field, then npm. */
export function nodePackageManager(files: ContextFiles, manifest: PackageJson): NodeManagerPlan {
  const declared = manifest.packageManager?.split("@")[0];
  const extra = (names: string[]): string[] => names.filter((name) => files.has(name));
  if (files.has("pnpm-lock.yaml") || declared === "pnpm") {
    const lockfile = files.has("pnpm-lock.yaml") ? "pnpm-lock.yaml" : undefined;
    const frozen = lockfile ? " --frozen-lockfile" : "";
    return {
      manager: "pnpm",
      manifestFiles: ["package.json", ...extra(["pnpm-lock.yaml", "pnpm-workspace.yaml", ".npmrc"])],
      ...(lockfile ? { lockfile } : {}),
      cacheTarget: "/root/.local/share/pnpm/store",
      install: `corepack enable && pnpm install${frozen}`,
      productionInstall: `corepack enable && pnpm install${frozen} --prod`,
      runScript: (name) => `pnpm run ${name}`,
    };
  }
  const berry = files.has(".yarnrc.yml") || (declared === "yarn" && !/^yarn@1\./.test(manifest.packageManager ?? ""));
  if (files.has("yarn.lock") || declared === "yarn") {
    const lockfile = files.has("yarn.lock") ? "yarn.lock" : undefined;
    if (berry) {
      return {
        manager: "yarn-berry",
        manifestFiles: ["package.json", ...extra(["yarn.lock", ".yarnrc.yml"]), ...files.paths.filter((file) => file.startsWith(".yarn/releases/") || file.startsWith(".yarn/plugins/"))],
        ...(lockfile ? { lockfile } : {}),
        cacheTarget: "/root/.yarn/berry/cache",
        install: `corepack enable && yarn install${lockfile ? " --immutable" : ""}`,
        productionInstall: "corepack enable && yarn workspaces focus --all --production",
        runScript: (name) => `yarn run ${name}`,
      };
    }
    const frozen = lockfile ? " --frozen-lockfile" : "";
    return {
      manager: "yarn",
      manifestFiles: ["package.json", ...extra(["yarn.lock", ".yarnrc", ".npmrc"])],
      ...(lockfile ? { lockfile } : {}),
      cacheTarget: "/usr/local/share/.cache/yarn",
      install: `yarn install${frozen}`,
      productionInstall: `yarn install${frozen} --production`,
      runScript: (name) => `yarn run ${name}`,
    };
  }
  const lockfile = files.has("package-lock.json") ? "package-lock.json" : files.has("npm-shrinkwrap.json") ? "npm-shrinkwrap.json" : undefined;
  return {
    manager: "npm",
    manifestFiles: ["package.json", ...extra(["package-lock.json", "npm-shrinkwrap.json", ".npmrc"])],
    ...(lockfile ? { lockfile } : {}),
    cacheTarget: "/root/.npm",
    install: lockfile ? "npm ci" : "npm install",
    productionInstall: lockfile ? "npm ci --omit=dev" : "npm install --omit=dev",
    runScript: (name) => `npm run ${name}`,
  };
}

// Read by the .dockerignore generator too (below this layer), so they live in src/repo/build-config.ts.
export { configuredOutputDirectory, normalizeDirectory, parseJsonc, tsconfigOutDir } from "../../repo/build-config.ts";

/** Dependencies whose install compiles native code or runs download scripts. */
export const NATIVE_MODULES = ["bcrypt", "sharp", "canvas", "sqlite3", "better-sqlite3", "node-sass", "argon2", "re2", "grpc", "@node-rs/bcrypt", "node-gyp", "puppeteer", "playwright", "cpu-features", "ssh2", "libxmljs", "zeromq"];
