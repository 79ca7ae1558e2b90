// How big a YAML document becomes once its aliases are expanded. `yaml` guards against
// "billion laughs" documents (anchors whose aliases nest, so a few lines expand to billions of
// values) with a cap on alias uses, `maxAliasCount`, default 100; real compose files that share
// `x-` blocks across many services pass 100 aliases and were refused. What costs time and memory
// is the expansion itself (every later traversal of the data, schema validation included, walks
// each alias's target again), so that is what is counted here: the values the document holds once
// expanded, counted in one pass with each anchored node's size remembered, so a document's check
// is linear in its text however much it would expand. The other cost is `yaml`'s own: it
// resolves each alias by walking the whole document, so aliases x nodes is bounded too. Pure.
import { isAlias, isMap, isPair, isSeq } from "yaml";
import type { Document } from "yaml";

/** Values a compose or config file may expand to: hundreds of times a large real file. */
export const MAX_EXPANDED_VALUES = 200_000;

/**
 * Aliases x nodes `yaml` may walk to resolve the aliases (about 0.1 s): a large real compose file
 * (100 services, 300 aliases, 3,000 nodes) needs 1 million.
 */
export const MAX_ALIAS_WALK = 20_000_000;

/** Why the document must not be converted to data, or undefined when its aliases are harmless. */
export function aliasExpansionProblem(document: Document.Parsed | Document): string | undefined {
  let aliases = 0;
  let nodes = 0;
  const walk = (node: unknown): void => {
    if (node === null || node === undefined) return;
    nodes++;
    if (isAlias(node)) aliases++;
    if (!isMap(node) && !isSeq(node)) return;
    for (const item of node.items) {
      if (isPair(item)) {
        walk(item.key);
        walk(item.value);
      } else walk(item);
    }
  };
  walk(document.contents);
  if (aliases === 0) return undefined;
  if (aliases * nodes > MAX_ALIAS_WALK) return `it has ${aliases.toLocaleString("en-US")} aliases among ${nodes.toLocaleString("en-US")} values, more than can be resolved in reasonable time; not analysed`;
  if (expandedValueCount(document) > MAX_EXPANDED_VALUES) return `its anchors and aliases expand to more than ${MAX_EXPANDED_VALUES.toLocaleString("en-US")} values (nested aliases multiply, as in a "billion laughs" file); not analysed`;
  return undefined;
}

/**
 * The number of values (scalars, maps, sequences, map entries' keys and values) the document
 * holds with every alias replaced by what it names; stops counting (and returns a number over
 * `limit`) as soon as the count passes `limit`.
 */
export function expandedValueCount(document: Document.Parsed | Document, limit = MAX_EXPANDED_VALUES): number {
  // Anchors as they are defined in document order: an alias names the latest one before it.
  const anchors = new Map<string, unknown>();
  const sizes = new Map<unknown, number>();

  const size = (node: unknown): number => {
    if (node === null || node === undefined) return 0;
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      // An unresolved alias is an error `yaml` reports itself.
      return target === undefined ? 1 : (sizes.get(target) ?? 1);
    }
    const known = sizes.get(node);
    if (known !== undefined) return known;
    let count = 1;
    if (isMap(node) || isSeq(node)) {
      for (const item of node.items) {
        count += isPair(item) ? size(item.key) + size(item.value) : size(item);
        if (count > limit) break;
      }
    }
    sizes.set(node, count);
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor !== undefined) anchors.set(anchor, node);
    return count;
  };

  // A depth-first walk in item order meets anchors in document order, before the aliases that
  // follow them; an anchored node is registered once its size is known.
  return size(document.contents);
}
