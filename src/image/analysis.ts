// Pure analysis of an image's layers, from the per-layer file tables (paths, types, sizes) and
// the config history. Two views of the same layers:
//
// 1. What each layer does to the filesystem the layers below it built: files added, modified
//    (the path existed below), removed (whiteouts `.wh.<name>` and opaque directories
//    `.wh..wh..opq`, OCI image spec "Representing Changes"), and the bytes of every file version
//    that a later layer overwrites or removes ("reclaimable": what squashing the layers saves).
//
// 2. dive's numbers, as dive defines them (wagoodman/dive, filetree/efficiency.go and
//    image.Analyze), so that `--ci` thresholds mean what they mean in dive:
//    - every leaf path of every layer tree is visited; its size is the tar entry size, and for a
//      whiteout the size of the directory subtree it removes (0 when it removes a file);
//    - per path: cumulative size (all visits) and minimum size (smallest visit);
//    - efficiency = sum of minimum sizes / sum of cumulative sizes (1 when nothing);
//    - inefficient paths are the ones visited in 2+ layers; wasted bytes = the sum of their
//      cumulative sizes (dive counts every copy, including the one that stays);
//    - userWastedPercent = wasted bytes / size of all layers but the first.
//    One knowing difference: dive ignores opaque-directory markers; here they do remove the
//    lower contents (view 1), which can only make a later whiteout of that directory smaller.

import type { HistoryEntry, LayerFile } from "./archive.ts";

export interface AnalysisLayerInput {
  /** Where the layer came from (archive path or digest): shown, never interpreted. */
  id: string;
  files: readonly LayerFile[];
  /** Bytes of the layer blob as stored (compressed size for gzip layers). */
  blobBytes: number;
}

export interface AnalysisInput {
  reference: string;
  format: string;
  layers: readonly AnalysisLayerInput[];
  history: readonly HistoryEntry[];
}

export interface ChangeCount {
  files: number;
  bytes: number;
}

export interface LayerAnalysis {
  index: number;
  id: string;
  /** The history entry's created_by, as recorded. */
  createdBy: string;
  /** created_by made readable: `RUN apt-get ...`, `COPY ...`. */
  instruction: string;
  /** Sum of the layer's tar entry sizes (dive's layer size). */
  sizeBytes: number;
  blobBytes: number;
  /** Counts are of non-directory entries; directories only carry metadata. */
  added: ChangeCount;
  modified: ChangeCount;
  removed: ChangeCount;
  /** Bytes of this layer's files that a later layer overwrites or removes. */
  hiddenByLaterBytes: number;
}

export interface WastedPath {
  path: string;
  /** dive's cumulative size: every version of the path, in every layer. */
  cumulativeBytes: number;
  /** Indexes of the layers that touch the path. */
  layers: number[];
}

export interface ImageAnalysis {
  reference: string;
  format: string;
  layers: LayerAnalysis[];
  /** Sum of all layer sizes. */
  sizeBytes: number;
  /** Sum of the sizes of all layers but the first (dive's "user" size). */
  userSizeBytes: number;
  /** Size of the files visible in the final filesystem. */
  finalSizeBytes: number;
  /** Bytes of file versions hidden by a later layer (overwritten or removed). */
  reclaimableBytes: number;
  /** dive's wasted bytes. */
  wastedBytes: number;
  /** dive's efficiency score, 0..1. */
  efficiency: number;
  /** dive's wasted bytes / user size; 0 when both are 0, Infinity when only the user size is. */
  userWastedPercent: number;
  /** Number of paths touched by 2+ layers (dive's inefficiencies). */
  inefficientPaths: number;
  /** The inefficient paths with the largest cumulative size, largest first. */
  topWastedPaths: WastedPath[];
}

export interface AnalysisOptions {
  /** How many wasted paths to keep (default 20). */
  topPaths?: number;
}

const WHITEOUT_PREFIX = ".wh.";
const OPAQUE_MARKER = ".wh..wh..opq";
/** AUFS bookkeeping entries (`.wh..wh.plnk`, ...): not part of the image filesystem. */
const AUFS_META_PREFIX = ".wh..wh.";

type EntryKind = { kind: "file"; file: LayerFile } | { kind: "whiteout"; target: string } | { kind: "opaque"; directory: string } | { kind: "ignored" };

function splitPath(path: string): { parent: string; name: string } {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? { parent: "", name: path } : { parent: path.slice(0, slash), name: path.slice(slash + 1) };
}

function classify(file: LayerFile): EntryKind {
  const { parent, name } = splitPath(file.path);
  if (name === OPAQUE_MARKER) return { kind: "opaque", directory: parent };
  if (name.startsWith(AUFS_META_PREFIX)) return { kind: "ignored" };
  if (name.startsWith(WHITEOUT_PREFIX)) {
    const target = name.slice(WHITEOUT_PREFIX.length);
    return { kind: "whiteout", target: parent === "" ? target : `${parent}/${target}` };
  }
  return { kind: "file", file };
}

/** A node of the filesystem stacked so far. */
interface TreeNode {
  isDirectory: boolean;
  size: number;
  /** Index of the layer that wrote this version. */
  layer: number;
  children: Map<string, TreeNode> | undefined;
}

function newNode(isDirectory: boolean, size: number, layer: number): TreeNode {
  return { isDirectory, size, layer, children: isDirectory ? new Map() : undefined };
}

function lookup(root: TreeNode, path: string): { parent: TreeNode; name: string; node: TreeNode } | undefined {
  const segments = path.split("/");
  let parent = root;
  for (let index = 0; index < segments.length - 1; index++) {
    const next = parent.children?.get(segments[index] ?? "");
    if (next === undefined || !next.isDirectory) return undefined;
    parent = next;
  }
  const name = segments[segments.length - 1] ?? "";
  const node = parent.children?.get(name);
  return node === undefined ? undefined : { parent, name, node };
}

/** Visits a node and everything below it. */
function forEachInSubtree(node: TreeNode, visit: (node: TreeNode) => void): void {
  const stack = [node];
  for (let current = stack.pop(); current !== undefined; current = stack.pop()) {
    visit(current);
    if (current.children !== undefined) for (const child of current.children.values()) stack.push(child);
  }
}

function subtreeBytes(node: TreeNode): number {
  let bytes = 0;
  forEachInSubtree(node, (current) => (bytes += current.size));
  return bytes;
}

interface DivePathStats {
  cumulative: number;
  minimum: number;
  layers: number[];
}

/** Strips the shell wrapper the builders add, so the history reads like the Dockerfile. */
export function instructionOf(createdBy: string): string {
  let text = createdBy.trim();
  if (text.endsWith("# buildkit")) text = text.slice(0, -"# buildkit".length).trimEnd();
  // BuildKit records RUN as "RUN /bin/sh -c cmd" (or "RUN |1 A=1 /bin/sh -c cmd" with build args).
  const recordedAsRun = text.startsWith("RUN ");
  if (recordedAsRun) text = text.slice("RUN ".length);
  const nop = /^\/bin\/sh -c #\(nop\)\s*/;
  if (nop.test(text)) return text.replace(nop, "");
  const shell = /^\/bin\/sh -c\s+/;
  if (shell.test(text)) return `RUN ${text.replace(shell, "")}`;
  if (/^\|\d+ /.test(text)) {
    // Legacy builder with build args: "|2 A=1 B=2 /bin/sh -c cmd".
    const command = text.replace(/^\|\d+ (\S[^\s=]*=\S* )*/, "");
    return shell.test(command) ? `RUN ${command.replace(shell, "")}` : `RUN ${command}`;
  }
  return recordedAsRun ? `RUN ${text}` : text;
}

/** Pairs layers with the history entries that are not empty_layer, in order (like dive). */
function historyForLayers(history: readonly HistoryEntry[], count: number): string[] {
  const withContent = history.filter((entry) => !entry.emptyLayer);
  return Array.from({ length: count }, (_, index) => withContent[index]?.createdBy ?? "(missing)");
}

export function analyzeImage(input: AnalysisInput, options: AnalysisOptions = {}): ImageAnalysis {
  const root = newNode(true, 0, -1);
  const layerResults: LayerAnalysis[] = [];
  const hiddenByLater = new Array<number>(input.layers.length).fill(0);
  const dive = new Map<string, DivePathStats>();
  const createdBy = historyForLayers(input.history, input.layers.length);

  const hide = (node: TreeNode, layerIndex: number): void => {
    forEachInSubtree(node, (current) => {
      const owner = current.layer >= 0 && current.layer < layerIndex ? current.layer : layerIndex;
      hiddenByLater[owner] = (hiddenByLater[owner] ?? 0) + current.size;
    });
  };

  const visitDive = (path: string, size: number, layerIndex: number): void => {
    const stats = dive.get(path);
    if (stats === undefined) {
      dive.set(path, { cumulative: size, minimum: size, layers: [layerIndex] });
      return;
    }
    stats.cumulative += size;
    if (size < stats.minimum) stats.minimum = size;
    stats.layers.push(layerIndex);
  };

  input.layers.forEach((layer, layerIndex) => {
    const result: LayerAnalysis = {
      index: layerIndex,
      id: layer.id,
      createdBy: createdBy[layerIndex] ?? "(missing)",
      instruction: instructionOf(createdBy[layerIndex] ?? "(missing)"),
      sizeBytes: 0,
      blobBytes: layer.blobBytes,
      added: { files: 0, bytes: 0 },
      modified: { files: 0, bytes: 0 },
      removed: { files: 0, bytes: 0 },
      hiddenByLaterBytes: 0,
    };
    const entries = layer.files.map(classify);

    // dive visits the leaves of each layer's own tree: paths no other path of the layer is under.
    const hasChildren = new Set<string>();
    layer.files.forEach((file, entryIndex) => {
      const kind = entries[entryIndex]?.kind;
      if (kind === "opaque" || kind === "ignored") return; // dive never adds these to its tree
      let slash = file.path.indexOf("/");
      while (slash >= 0) {
        hasChildren.add(file.path.slice(0, slash));
        slash = file.path.indexOf("/", slash + 1);
      }
    });

    const removeFromLower = (node: TreeNode, parent: TreeNode, name: string): void => {
      forEachInSubtree(node, (current) => {
        if (!current.isDirectory) {
          result.removed.files++;
          result.removed.bytes += current.size;
        }
      });
      hide(node, layerIndex);
      parent.children?.delete(name);
    };

    // Whiteouts and opaque markers apply to the layers below only, wherever they appear in the
    // layer's tar: handle them before this layer's own files.
    entries.forEach((entry, entryIndex) => {
      const file = layer.files[entryIndex];
      if (file === undefined) return;
      result.sizeBytes += file.size;
      if (entry.kind === "whiteout") {
        const found = lookup(root, entry.target);
        if (!hasChildren.has(file.path)) visitDive(entry.target, found !== undefined && found.node.isDirectory ? subtreeBytes(found.node) : 0, layerIndex);
        if (found !== undefined) removeFromLower(found.node, found.parent, found.name);
      } else if (entry.kind === "opaque") {
        const directory = entry.directory === "" ? root : lookup(root, entry.directory)?.node;
        if (directory?.children !== undefined) {
          for (const [name, child] of [...directory.children]) removeFromLower(child, directory, name);
        }
      }
    });

    for (const entry of entries) {
      if (entry.kind !== "file") continue;
      const file = entry.file;
      const isDirectory = file.type === "directory";
      if (!hasChildren.has(file.path)) visitDive(file.path, file.size, layerIndex);

      // Walk to the parent, creating directories this layer implies; a non-directory in the way
      // is replaced (and hidden).
      const segments = file.path.split("/");
      let parent = root;
      for (let index = 0; index < segments.length - 1; index++) {
        const name = segments[index] ?? "";
        let next = parent.children?.get(name);
        if (next === undefined || !next.isDirectory) {
          if (next !== undefined) hide(next, layerIndex);
          next = newNode(true, 0, layerIndex);
          parent.children?.set(name, next);
        }
        parent = next;
      }
      const name = segments[segments.length - 1] ?? "";
      const existing = parent.children?.get(name);
      if (existing !== undefined && existing.isDirectory && isDirectory) {
        existing.layer = layerIndex; // metadata change only: the contents stay
        continue;
      }
      if (existing !== undefined) hide(existing, layerIndex);
      if (!isDirectory) {
        const change = existing === undefined ? result.added : result.modified;
        change.files++;
        change.bytes += file.size;
      }
      parent.children?.set(name, newNode(isDirectory, file.size, layerIndex));
    }
    layerResults.push(result);
  });

  layerResults.forEach((layer) => (layer.hiddenByLaterBytes = hiddenByLater[layer.index] ?? 0));

  let minimumTotal = 0;
  let cumulativeTotal = 0;
  let wastedBytes = 0;
  let inefficientPaths = 0;
  const inefficient: WastedPath[] = [];
  for (const [path, stats] of dive) {
    minimumTotal += stats.minimum;
    cumulativeTotal += stats.cumulative;
    if (stats.layers.length >= 2) {
      wastedBytes += stats.cumulative;
      inefficientPaths++;
      // dive also lists paths that never held bytes (a directory re-created empty): not worth showing.
      if (stats.cumulative > 0) inefficient.push({ path, cumulativeBytes: stats.cumulative, layers: stats.layers });
    }
  }
  inefficient.sort((a, b) => b.cumulativeBytes - a.cumulativeBytes || a.path.localeCompare(b.path));

  const sizeBytes = layerResults.reduce((sum, layer) => sum + layer.sizeBytes, 0);
  const userSizeBytes = layerResults.slice(1).reduce((sum, layer) => sum + layer.sizeBytes, 0);
  const reclaimableBytes = hiddenByLater.reduce((sum, bytes) => sum + bytes, 0);
  return {
    reference: input.reference,
    format: input.format,
    layers: layerResults,
    sizeBytes,
    userSizeBytes,
    finalSizeBytes: subtreeBytes(root),
    reclaimableBytes,
    wastedBytes,
    efficiency: cumulativeTotal === 0 ? 1 : minimumTotal / cumulativeTotal,
    userWastedPercent: userSizeBytes === 0 ? (wastedBytes === 0 ? 0 : Number.POSITIVE_INFINITY) : wastedBytes / userSizeBytes,
    inefficientPaths,
    topWastedPaths: inefficient.slice(0, options.topPaths ?? 20),
  };
}

// ---- CI thresholds (dive's --ci rules) -------------------------------------------------------

export interface CiThresholds {
  /** Fail when efficiency is below this (0..1). */
  lowestEfficiency?: number;
  /** Fail when wasted bytes are above this. */
  highestWastedBytes?: number;
  /** Fail when userWastedPercent is above this (0..1). */
  highestUserWastedPercent?: number;
}

/** dive's defaults when `--ci` is given without thresholds. */
export const DIVE_CI_DEFAULTS: Readonly<CiThresholds> = { lowestEfficiency: 0.9, highestUserWastedPercent: 0.1 };

export interface CiCheck {
  rule: "lowestEfficiency" | "highestWastedBytes" | "highestUserWastedPercent";
  threshold: number;
  actual: number;
  passed: boolean;
}

export function evaluateCi(analysis: ImageAnalysis, thresholds: CiThresholds): CiCheck[] {
  const checks: CiCheck[] = [];
  if (thresholds.lowestEfficiency !== undefined) {
    const threshold = thresholds.lowestEfficiency;
    checks.push({ rule: "lowestEfficiency", threshold, actual: analysis.efficiency, passed: !(analysis.efficiency < threshold) });
  }
  if (thresholds.highestWastedBytes !== undefined) {
    const threshold = thresholds.highestWastedBytes;
    checks.push({ rule: "highestWastedBytes", threshold, actual: analysis.wastedBytes, passed: !(analysis.wastedBytes > threshold) });
  }
  if (thresholds.highestUserWastedPercent !== undefined) {
    const threshold = thresholds.highestUserWastedPercent;
    checks.push({ rule: "highestUserWastedPercent", threshold, actual: analysis.userWastedPercent, passed: !(analysis.userWastedPercent > threshold) });
  }
  return checks;
}

/** Sizes as options and configs write them; one home: src/format/index.ts. */
export { parseByteSize } from "../format/index.ts";
