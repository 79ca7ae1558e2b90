// Image references as Docker reads them: [registry/]path[:tag][@digest].
import type { ImageReference } from "./model.ts";

const VARIABLE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-+]([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** Substitutes `$VAR`, `${VAR}`, `${VAR:-default}` from `values`; reports whether any stayed unresolved. */
export function substituteVariables(text: string, values: ReadonlyMap<string, string | undefined>): { text: string; unresolved: boolean } {
  let unresolved = false;
  const result = text.replace(VARIABLE, (whole, braced: string | undefined, fallback: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? "";
    const value = values.get(name);
    if (value !== undefined && value !== "") return whole.includes(":+") ? (fallback ?? "") : value;
    if (fallback !== undefined && whole.includes("-")) return fallback;
    unresolved = true;
    return whole;
  });
  return { text: result, unresolved };
}

export function parseImageReference(raw: string, args: ReadonlyMap<string, string | undefined> = new Map()): ImageReference {
  const { text: resolved, unresolved } = substituteVariables(raw, args);
  let rest = resolved;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let registry: string | undefined;
  const firstSlash = rest.indexOf("/");
  if (firstSlash > 0) {
    const head = rest.slice(0, firstSlash);
    // Docker's rule: the first component is a registry when it has a dot or a port, or is localhost.
    if (head.includes(".") || head.includes(":") || head === "localhost") {
      registry = head;
      rest = rest.slice(firstSlash + 1);
    }
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let name = rest.toLowerCase();
  if (name.startsWith("library/") && (registry === undefined || registry === "docker.io")) name = name.slice("library/".length);
  const reference: ImageReference = { raw, resolved, name, unresolved };
  if (registry !== undefined) reference.registry = registry;
  if (tag !== undefined) reference.tag = tag;
  if (digest !== undefined) reference.digest = digest;
  return reference;
}

/** `node` for `node`, `docker.io/library/node`; `bitnami/node` stays as is. */
export function imageShortName(reference: ImageReference): string {
  const slash = reference.name.lastIndexOf("/");
  return slash >= 0 ? reference.name.slice(slash + 1) : reference.name;
}

/** The part of the tag before the first `-`: `22` for `22-bookworm-slim`. */
export function tagVersion(tag: string | undefined): string | undefined {
  if (tag === undefined) return undefined;
  const version = tag.split("-")[0];
  return version && /^\d/.test(version) ? version : undefined;
}

/** Tag variants after the version: `["bookworm","slim"]` for `22-bookworm-slim`, `["alpine"]` for `alpine`. */
export function tagVariants(tag: string | undefined): string[] {
  if (tag === undefined) return [];
  const parts = tag.split("-");
  return /^\d/.test(parts[0] ?? "") ? parts.slice(1) : parts;
}
