// The assets an HTML page loads from its own server: scripts, stylesheets, module preloads, icons,
// manifests and images. `verify --http-assets` requests each of them from the running image, so a
// rewrite that serves a front end from its build output (hashed file names, no dev-server client)
// is checked by what a browser would fetch rather than by the page's exact bytes. Pure.
import type { Difference } from "./result.ts";

/** One asset request made after a page answered. */
export interface AssetOutcome {
  /** The request path ("/assets/index-1a2b.js"). */
  path: string;
  status?: number;
  error?: string;
}

/** A page and the outcomes of the assets it references. */
export interface PageAssets {
  /** The probed path that answered with HTML ("/"). */
  page: string;
  assets: AssetOutcome[];
}

/** Link relations whose href a browser fetches when it renders the page. */
const FETCHED_LINK_RELATIONS = new Set(["stylesheet", "modulepreload", "preload", "icon", "shortcut", "apple-touch-icon", "manifest"]);

const TAG = /<(script|link|img|source)\b([^>]*)>/gi;
const ATTRIBUTE = /(?<![^\s"'=<>`])([^\s"'=<>`]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/g;

function attributesOf(text: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const match of text.matchAll(ATTRIBUTE)) attributes.set((match[1] as string).toLowerCase(), decodeEntities(match[2] ?? match[3] ?? match[4] ?? ""));
  return attributes;
}

function decodeEntities(text: string): string {
  return text.replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">");
}

/**
 * Same-origin paths the page references, resolved against the page's path, without fragments,
 * deduplicated in document order. External URLs (another host, data:, protocol-relative) are
 * left out: the image does not serve them.
 */
export function htmlAssetPaths(html: string, pagePath: string): string[] {
  const withoutComments = html.replace(/<!--[\s\S]*?-->/g, "");
  const found: string[] = [];
  const add = (reference: string | undefined): void => {
    if (reference === undefined) return;
    const resolved = sameOriginPath(reference.trim(), pagePath);
    if (resolved !== undefined && !found.includes(resolved)) found.push(resolved);
  };
  for (const match of withoutComments.matchAll(TAG)) {
    const tag = (match[1] as string).toLowerCase();
    const attributes = attributesOf(match[2] ?? "");
    if (tag !== "link") add(attributes.get("src"));
    else {
      const relations = (attributes.get("rel") ?? "").toLowerCase().split(/\s+/);
      if (relations.some((relation) => FETCHED_LINK_RELATIONS.has(relation))) add(attributes.get("href"));
    }
  }
  return found;
}

function sameOriginPath(reference: string, pagePath: string): string | undefined {
  if (reference === "" || reference.startsWith("//") || reference.startsWith("#")) return undefined;
  const base = new URL(pagePath, "http://image.invalid");
  let url: URL;
  try {
    url = new URL(reference, base);
  } catch {
    return undefined;
  }
  if (url.origin !== base.origin) return undefined;
  return `${url.pathname}${url.search}`;
}

/** AFTER's assets that did not answer 2xx are differences; BEFORE's are notes (it is the reference, not under test). */
export function compareAssets(before: readonly PageAssets[], after: readonly PageAssets[]): Difference[] {
  const differences: Difference[] = [];
  const failures = (pages: readonly PageAssets[]): { page: string; asset: AssetOutcome }[] =>
    pages.flatMap((page) => page.assets.filter((asset) => asset.status === undefined || asset.status < 200 || asset.status >= 300).map((asset) => ({ page: page.page, asset })));
  for (const { page, asset } of failures(after)) {
    differences.push({ kind: "http", severity: "difference", subject: `GET ${asset.path}`, after: asset.error ?? `HTTP ${asset.status}`, message: `AFTER's page ${page} references this asset, and AFTER does not serve it.` });
  }
  for (const { page, asset } of failures(before)) {
    differences.push({ kind: "http", severity: "note", subject: `GET ${asset.path}`, before: asset.error ?? `HTTP ${asset.status}`, message: `BEFORE's page ${page} references this asset, and BEFORE does not serve it; only AFTER's assets are required.` });
  }
  return differences;
}
