// Where a compose service's build resolves in the repository, and which YAML features its
// block uses: shared by the compose rules, the rewrite planner and the fix command.
import path from "node:path";
import type { ComposeModel, ComposeService } from "./compose.ts";
import type { RepositoryView } from "./snapshot.ts";

/** `a/./b/` -> `a/b`, `.` -> "" (repository-relative POSIX paths). */
export function normalizeRepoPath(posixPath: string): string {
  const normalized = path.posix.normalize(posixPath).replace(/(?<!\/)\/+$/, "");
  return normalized === "." ? "" : normalized;
}

/** The directory of a compose file, "" at the repository root. */
export function composeDirectory(compose: ComposeModel): string {
  return normalizeRepoPath(path.posix.dirname(compose.path));
}

/** Repository path of the Dockerfile a compose service builds, resolved like Compose does; undefined for remote contexts. */
export function composeBuildDockerfile(compose: ComposeModel, service: ComposeService): string | undefined {
  const build = service.build;
  if (!build) return undefined;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(build.context) || build.context.startsWith("git@") || path.posix.isAbsolute(build.context)) return undefined;
  const root = normalizeRepoPath(path.posix.join(composeDirectory(compose), build.context));
  if (build.dockerfile !== undefined && path.posix.isAbsolute(build.dockerfile)) return undefined;
  if (root.startsWith("..")) return undefined;
  return normalizeRepoPath(path.posix.join(root, build.dockerfile ?? "Dockerfile"));
}

/**
 * Whether the service's block in the compose text uses a YAML merge key (`<<: *defaults`).
 * The compose model does not apply merges, so what the anchor adds (limits, healthchecks) is
 * unknown: rules about missing keys stay silent rather than guess.
 */
export function serviceUsesMergeKey(composeText: string | undefined, compose: ComposeModel, service: ComposeService): boolean {
  if (composeText === undefined) return false;
  let cached = mergeKeyServices.get(compose);
  if (cached?.text !== composeText) {
    cached = { text: composeText, services: servicesWithMergeKeys(composeText, compose) };
    mergeKeyServices.set(compose, cached);
  }
  return cached.services.has(service);
}

/** Per compose model (and the text it was asked with): the services whose block has a merge key. */
const mergeKeyServices = new WeakMap<ComposeModel, { text: string; services: Set<ComposeService> }>();

/**
 * The services whose block (the lines after the service's own line, up to the next service's)
 * holds a `<<:` line, in one pass over the text: asking each service on its own re-split the
 * text every time, quadratic in a compose file of thousands of services.
 */
function servicesWithMergeKeys(composeText: string, compose: ComposeModel): Set<ComposeService> {
  const mergeLines: number[] = [];
  const lines = composeText.split(/\r?\n/);
  lines.forEach((line, index) => {
    if (/^\s*<<\s*:/.test(line)) mergeLines.push(index + 1);
  });
  const services = new Set<ComposeService>();
  if (mergeLines.length === 0) return services;
  const starts = compose.services.map((other) => other.line).sort((a, b) => a - b);
  const firstAbove = (sorted: readonly number[], value: number): number => {
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((sorted[middle] ?? Infinity) > value) high = middle;
      else low = middle + 1;
    }
    return low;
  };
  for (const service of compose.services) {
    const next = starts[firstAbove(starts, service.line)] ?? lines.length + 1;
    const merge = mergeLines[firstAbove(mergeLines, service.line)];
    if (merge !== undefined && merge < next) services.add(service);
  }
  return services;
}

const servicesByRepository = new WeakMap<RepositoryView, Map<string, ComposeService[]>>();

/** Compose services by the Dockerfile they build, computed once per repository. */
export function servicesBuilding(repository: RepositoryView): Map<string, ComposeService[]> {
  let byDockerfile = servicesByRepository.get(repository);
  if (!byDockerfile) {
    byDockerfile = new Map();
    for (const compose of repository.composes) {
      for (const service of compose.services) {
        const path = composeBuildDockerfile(compose, service);
        if (path !== undefined) byDockerfile.set(path, [...(byDockerfile.get(path) ?? []), service]);
      }
    }
    servicesByRepository.set(repository, byDockerfile);
  }
  return byDockerfile;
}
