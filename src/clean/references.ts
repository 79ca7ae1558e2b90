// Image references as the engine lists them (`RepoTags`), so names from compose files,
// Dockerfiles and configs compare equal to them: `postgres` is `postgres:latest`,
// `docker.io/library/node:22` is `node:22`. Pure.
import path from "node:path";

/** `name[:tag]` as `docker images` shows it: Docker Hub's prefixes dropped, `:latest` added when there is no tag or digest. */
export function normalizeReference(reference: string): string {
  let value = reference.trim();
  value = value.replace(/^(?:index\.)?docker\.io\/(?:library\/)?/, "");
  const digestAt = value.indexOf("@");
  if (digestAt >= 0) return value;
  const lastSlash = value.lastIndexOf("/");
  const hasTag = value.slice(lastSlash + 1).includes(":");
  return hasTag ? value : `${value}:latest`;
}

/** The repository part of a reference: `shipshape/shop-api:latest` → `shipshape/shop-api`. */
export function repositoryOf(reference: string): string {
  const normalized = normalizeReference(reference);
  const digestAt = normalized.indexOf("@");
  if (digestAt >= 0) return normalized.slice(0, digestAt);
  const lastSlash = normalized.lastIndexOf("/");
  const colon = normalized.indexOf(":", lastSlash + 1);
  return colon >= 0 ? normalized.slice(0, colon) : normalized;
}

/** A keep rule: an exact reference, a repository (all its tags), or a glob (`shop-*:stable`). */
export function matchesKeepRule(reference: string, rule: string): boolean {
  const normalized = normalizeReference(reference);
  if (/[*?[]/.test(rule)) return path.posix.matchesGlob(normalized, rule) || path.posix.matchesGlob(repositoryOf(normalized), rule);
  return normalized === normalizeReference(rule) || repositoryOf(normalized) === rule.replace(/^(?:index\.)?docker\.io\/(?:library\/)?/, "");
}

/** Compose's project name for a directory: lower case, only a-z 0-9 _ - (compose-go NormalizeProjectName). */
export function composeProjectName(directory: string): string {
  return path
    .basename(directory)
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, "")
    .replace(/^[^a-z0-9]+/, "");
}
