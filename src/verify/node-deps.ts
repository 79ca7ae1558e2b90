// The Node packages an app needs at run time: the production dependency closure of the app's
// package.json (dependencies, optionalDependencies and peerDependencies, then theirs, and so on),
// each found the way Node's require() finds it: `node_modules/NAME` in the requiring package's
// directory, then in each parent directory up to the image root. Symlinked packages (pnpm,
// workspaces) are followed to their real directory, and their own dependencies are looked up
// from there, as Node does.
import { z } from "zod";
import type { MergedFilesystem } from "./filesystem.ts";
import { baseName, isWithin, joinPath, parentOf } from "./filesystem.ts";
import type { Difference } from "./result.ts";

const dependencyMap = z.record(z.string(), z.unknown()).optional().catch(undefined);

const packageJsonSchema = z.object({
  name: z.string().optional().catch(undefined),
  version: z.string().optional().catch(undefined),
  dependencies: dependencyMap,
  optionalDependencies: dependencyMap,
  peerDependencies: dependencyMap,
  peerDependenciesMeta: z.record(z.string(), z.object({ optional: z.boolean().optional().catch(undefined) }).catch({})).optional().catch(undefined),
  devDependencies: dependencyMap,
});

export interface PackageJson {
  name?: string;
  version?: string;
  dependencies: Record<string, string>;
  optionalDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  optionalPeers: Set<string>;
  devDependencies: Record<string, string>;
}

function strings(record: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(record ?? {})) if (typeof value === "string") out[key] = value;
  return out;
}

/** A package.json's dependency fields; undefined when the text is not a JSON object. */
export function parsePackageJson(text: string): PackageJson | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = packageJsonSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const value = parsed.data;
  const optionalPeers = new Set(Object.entries(value.peerDependenciesMeta ?? {}).filter(([, meta]) => meta.optional === true).map(([name]) => name));
  const result: PackageJson = {
    dependencies: strings(value.dependencies),
    optionalDependencies: strings(value.optionalDependencies),
    peerDependencies: strings(value.peerDependencies),
    optionalPeers,
    devDependencies: strings(value.devDependencies),
  };
  if (value.name !== undefined) result.name = value.name;
  if (value.version !== undefined) result.version = value.version;
  return result;
}

export function readPackageJson(filesystem: MergedFilesystem, directory: string): PackageJson | undefined {
  const file = filesystem.resolve(joinPath(directory, "package.json"));
  const text = file?.node.content?.text;
  return text === undefined ? undefined : parsePackageJson(text);
}

export interface ResolvedPackage {
  name: string;
  version?: string;
  /** The package's real directory (symlinks followed). */
  dir: string;
}

export type DependencyKind = "production" | "optional" | "peer";

export interface DependencyEdge {
  /** "the app" or `name@version` of the requiring package. */
  from: string;
  name: string;
  range: string;
  kind: DependencyKind;
  resolved?: ResolvedPackage;
}

export interface Closure {
  edges: DependencyEdge[];
  /** Every package reached, by real directory. */
  packages: Map<string, ResolvedPackage>;
}

export const APP = "the app";

/** A workspace package of the app (npm, yarn or pnpm workspaces), with BEFORE's manifest. */
export interface WorkspaceMember {
  /** Its directory relative to the app's ("packages/api"). */
  relativeDir: string;
  manifest: PackageJson;
}

/**
 * The app's workspace packages: the entries of its node_modules (scoped ones too) that link to a
 * directory of the app outside any node_modules, which is how npm, yarn and pnpm install
 * workspaces. Their dependencies and devDependencies belong to the app as much as the root's.
 */
export function workspaceMembers(filesystem: MergedFilesystem, appDir: string): WorkspaceMember[] {
  const nodeModules = joinPath(appDir, "node_modules");
  const names: string[] = [];
  for (const name of filesystem.list(nodeModules)) {
    if (name.startsWith("@")) for (const scoped of filesystem.list(joinPath(nodeModules, name))) names.push(`${name}/${scoped}`);
    else if (!name.startsWith(".")) names.push(name);
  }
  const members = new Map<string, WorkspaceMember>();
  for (const name of names) {
    const link = joinPath(nodeModules, name);
    if (filesystem.resolve(link, false)?.node.type !== "symlink") continue;
    const target = filesystem.resolve(link);
    if (!target || target.node.type !== "directory" || !isWithin(target.path, appDir) || target.path === appDir) continue;
    const relativeDir = target.path.slice(appDir === "/" ? 1 : appDir.length + 1);
    if (relativeDir.split("/").includes("node_modules")) continue;
    const manifest = readPackageJson(filesystem, target.path);
    if (manifest) members.set(relativeDir, { relativeDir, manifest });
  }
  return [...members.values()].sort((a, b) => a.relativeDir.localeCompare(b.relativeDir));
}

/** Where require(name) from `fromDir` finds the package, or undefined. */
export function resolvePackage(filesystem: MergedFilesystem, fromDir: string, name: string): ResolvedPackage | undefined {
  let directory = fromDir;
  for (;;) {
    if (baseName(directory) !== "node_modules") {
      const found = filesystem.resolve(joinPath(directory, `node_modules/${name}`));
      if (found && found.node.type === "directory") {
        const manifest = readPackageJson(filesystem, found.path);
        const resolved: ResolvedPackage = { name, dir: found.path };
        if (manifest?.version !== undefined) resolved.version = manifest.version;
        return resolved;
      }
    }
    if (directory === "/") return undefined;
    directory = parentOf(directory);
  }
}

function label(pkg: ResolvedPackage): string {
  return pkg.version === undefined ? pkg.name : `${pkg.name}@${pkg.version}`;
}

/** Dependencies of a manifest, in the order npm installs them. */
function dependenciesOf(manifest: PackageJson, include: { dev: boolean; production: boolean }): { name: string; range: string; kind: DependencyKind }[] {
  const list: { name: string; range: string; kind: DependencyKind }[] = [];
  if (include.production) {
    for (const [name, range] of Object.entries(manifest.dependencies)) list.push({ name, range, kind: "production" });
    for (const [name, range] of Object.entries(manifest.optionalDependencies)) list.push({ name, range, kind: "optional" });
    for (const [name, range] of Object.entries(manifest.peerDependencies)) list.push({ name, range, kind: manifest.optionalPeers.has(name) ? "optional" : "peer" });
  }
  if (include.dev) for (const [name, range] of Object.entries(manifest.devDependencies)) list.push({ name, range, kind: "production" });
  return list;
}

/**
 * Walks from the app's roots through every reached package's dependencies. `roots` are the
 * app's declared dependencies (taken from BEFORE's package.json even when walking AFTER: the
 * question is whether AFTER still has what BEFORE's app needs).
 */
export function dependencyClosure(filesystem: MergedFilesystem, appDir: string, roots: PackageJson, which: "production" | "development", workspaces: readonly WorkspaceMember[] = []): Closure {
  const edges: DependencyEdge[] = [];
  const packages = new Map<string, ResolvedPackage>();
  const include = which === "production" ? { dev: false, production: true } : { dev: true, production: false };
  const queue: { dir: string; from: string; manifest: PackageJson; include: { dev: boolean; production: boolean } }[] = [
    { dir: appDir, from: APP, manifest: roots, include },
    // Each workspace package's own dependencies are resolved from its directory, as Node does.
    ...workspaces.map((member) => ({ dir: joinPath(appDir, member.relativeDir), from: `workspace ${member.relativeDir}`, manifest: member.manifest, include })),
  ];
  while (queue.length > 0) {
    const item = queue.shift() as (typeof queue)[number];
    for (const dependency of dependenciesOf(item.manifest, item.include)) {
      const resolved = resolvePackage(filesystem, item.dir, dependency.name);
      const edge: DependencyEdge = { from: item.from, ...dependency };
      if (resolved) edge.resolved = resolved;
      edges.push(edge);
      if (!resolved || packages.has(resolved.dir)) continue;
      packages.set(resolved.dir, resolved);
      const manifest = readPackageJson(filesystem, resolved.dir);
      if (manifest) queue.push({ dir: resolved.dir, from: label(resolved), manifest, include: { dev: false, production: true } });
    }
  }
  return { edges, packages };
}

/** Package directories that only development dependencies reach (their files are not needed at run time). */
export function devOnlyPackageDirs(filesystem: MergedFilesystem, appDir: string, manifest: PackageJson, production: Closure, workspaces: readonly WorkspaceMember[] = []): Set<string> {
  const development = dependencyClosure(filesystem, appDir, manifest, "development", workspaces);
  return new Set([...development.packages.keys()].filter((dir) => !production.packages.has(dir)));
}

function edgeKey(edge: DependencyEdge): string {
  return `${edge.from}\u0000${edge.name}`;
}

/**
 * Every production dependency BEFORE's app reaches must be reachable in AFTER, at the same
 * version. A dependency whose requiring package is itself missing or different in AFTER is not
 * reported again (the requiring package's difference says it). Optional and peer dependencies
 * BEFORE does not have are not needed.
 */
export function compareClosures(before: Closure, after: Closure): Difference[] {
  const afterEdges = new Map(after.edges.map((edge) => [edgeKey(edge), edge]));
  const missing = new Map<string, { edge: DependencyEdge; from: string[] }>();
  const changed = new Map<string, { before: ResolvedPackage; after: ResolvedPackage; from: string[] }>();
  const brokenBefore = new Map<string, string[]>();
  for (const edge of before.edges) {
    if (!edge.resolved) {
      if (edge.kind === "production") brokenBefore.set(edge.name, [...(brokenBefore.get(edge.name) ?? []), edge.from]);
      continue;
    }
    const afterEdge = afterEdges.get(edgeKey(edge));
    if (!afterEdge) continue;
    if (!afterEdge.resolved) {
      const key = label(edge.resolved);
      const entry = missing.get(key) ?? { edge, from: [] };
      entry.from.push(edge.from);
      missing.set(key, entry);
    } else if (afterEdge.resolved.version !== edge.resolved.version) {
      const key = `${label(edge.resolved)} -> ${label(afterEdge.resolved)}`;
      const entry = changed.get(key) ?? { before: edge.resolved, after: afterEdge.resolved, from: [] };
      entry.from.push(edge.from);
      changed.set(key, entry);
    }
  }
  const neededBy = (from: string[]): string => {
    const unique = [...new Set(from)];
    return unique.length <= 3 ? unique.join(", ") : `${unique.slice(0, 3).join(", ")} and ${unique.length - 3} more`;
  };
  const differences: Difference[] = [];
  for (const [key, { edge, from }] of [...missing].sort(([a], [b]) => a.localeCompare(b))) {
    differences.push({
      kind: "node-dependency",
      severity: "difference",
      subject: edge.name,
      before: key,
      after: "(missing)",
      message: `require("${edge.name}") fails in AFTER: needed by ${neededBy(from)}${edge.kind === "production" ? "" : ` as ${edge.kind === "peer" ? "a peer" : "an optional"} dependency that BEFORE has`}.`,
    });
  }
  for (const [, entry] of [...changed].sort(([a], [b]) => a.localeCompare(b))) {
    differences.push({
      kind: "node-dependency",
      severity: "difference",
      subject: entry.before.name,
      before: entry.before.version ?? "(no version)",
      after: entry.after.version ?? "(no version)",
      message: `A different version is installed (needed by ${neededBy(entry.from)}).`,
    });
  }
  for (const [name, from] of [...brokenBefore].sort(([a], [b]) => a.localeCompare(b))) {
    differences.push({ kind: "node-dependency", severity: "note", subject: name, message: `BEFORE does not have ${name} either (needed by ${neededBy(from)}); not a difference.` });
  }
  return differences;
}
