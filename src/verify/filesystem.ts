// The filesystem a container sees: image layers applied in order, as overlayfs does.
// A layer's `.wh.NAME` entry deletes NAME (and everything under it) from the layers below;
// `.wh..wh..opq` in a directory hides everything the layers below put in that directory.
// Whiteouts only affect lower layers, so each layer's whiteouts are applied before its entries.
// Symlinks are resolved inside the image (an absolute target starts at the image root, `..`
// stops at the root), never on the host.
import type { ElfInfo } from "./elf.ts";

/** The few file contents verify reads, captured while the layer streams past. */
export interface FileContent {
  elf?: ElfInfo;
  /** Why an ELF file could not be parsed (too large, malformed). */
  elfError?: string;
  shebang?: { interpreter: string; argument?: string };
  /** Small text files: package.json, /etc/passwd, ld.so.conf. */
  text?: string;
}

export interface FsNode {
  /** Absolute, normalised: "/usr/bin/ls". */
  path: string;
  type: "file" | "directory" | "symlink" | "hardlink" | "other";
  size: number;
  mode: number;
  /** Symlink: the target as written. Hardlink: the path of the file it links to (earlier in the same layer). */
  linkTarget?: string;
  content?: FileContent;
}

interface TreeNode {
  node: FsNode;
  children?: Map<string, TreeNode>;
}

const WHITEOUT_PREFIX = ".wh.";
const OPAQUE_MARKER = ".wh..wh..opq";
const MAX_SYMLINK_HOPS = 40;

/** "usr/bin/ls", "./usr/bin/", "/usr//bin/ls" -> "/usr/bin/ls"; "." -> "/". */
export function absolutePath(raw: string): string {
  const segments = raw.split("/").filter((segment) => segment !== "" && segment !== ".");
  return `/${segments.join("/")}`;
}

export function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash <= 0 ? "/" : path.slice(0, slash);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

export function joinPath(directory: string, name: string): string {
  if (name.startsWith("/")) return absolutePath(name);
  return absolutePath(`${directory}/${name}`);
}

/** Whether `path` is `directory` itself or inside it. */
export function isWithin(path: string, directory: string): boolean {
  if (directory === "/") return true;
  return path === directory || path.startsWith(`${directory}/`);
}

function splitSegments(path: string): string[] {
  return path.split("/").filter((segment) => segment !== "" && segment !== ".");
}

function directoryNode(path: string): FsNode {
  return { path, type: "directory", size: 0, mode: 0o755 };
}

export interface Resolved {
  /** The path after following symlinks. */
  path: string;
  node: FsNode;
}

export class MergedFilesystem {
  readonly #root: TreeNode = { node: directoryNode("/"), children: new Map() };
  #count = 0;

  /** Applies one layer on top of what is there. */
  applyLayer(entries: readonly FsNode[]): void {
    for (const entry of entries) {
      const name = baseName(entry.path);
      if (name === OPAQUE_MARKER) {
        const directory = this.#tree(parentOf(entry.path));
        if (directory?.children) {
          this.#count -= countBelow(directory);
          directory.children = new Map();
        }
      } else if (name.startsWith(WHITEOUT_PREFIX)) {
        this.#remove(joinPath(parentOf(entry.path), name.slice(WHITEOUT_PREFIX.length)));
      }
    }
    for (const entry of entries) {
      const name = baseName(entry.path);
      if (name.startsWith(WHITEOUT_PREFIX)) continue;
      this.#add(entry);
    }
  }

  /** Number of entries (files, directories, links), implied directories included. */
  get size(): number {
    return this.#count;
  }

  /** The entry at exactly this path, without following any symlink. */
  entry(path: string): FsNode | undefined {
    return this.#tree(absolutePath(path))?.node;
  }

  /**
   * Follows symlinks in every component (and in the last one unless `followLast` is false).
   * Undefined when a component is missing, a symlink loops, or a file is used as a directory.
   */
  resolve(path: string, followLast = true): Resolved | undefined {
    let pending = splitSegments(path);
    let current: string[] = [];
    let hops = 0;
    while (pending.length > 0) {
      const [segment, ...rest] = pending as [string, ...string[]];
      pending = rest;
      if (segment === "..") {
        current = current.slice(0, -1);
        continue;
      }
      const candidate = `/${[...current, segment].join("/")}`;
      const tree = this.#tree(candidate);
      if (!tree) return undefined;
      const node = tree.node;
      if (node.type === "symlink" && (pending.length > 0 || followLast)) {
        if (++hops > MAX_SYMLINK_HOPS) return undefined;
        const target = node.linkTarget ?? "";
        if (target.startsWith("/")) current = [];
        pending = [...splitSegments(target), ...pending];
        continue;
      }
      if (pending.length > 0 && node.type !== "directory") return undefined;
      current.push(segment);
    }
    const finalPath = `/${current.join("/")}`;
    const node = this.#tree(finalPath)?.node;
    return node ? { path: finalPath, node } : undefined;
  }

  /** Every entry below `directory` (not following symlinks), depth first in name order, directories included. */
  *walk(directory: string): Generator<FsNode> {
    const start = this.#tree(absolutePath(directory));
    if (!start?.children) return;
    const sortedChildren = (tree: TreeNode): TreeNode[] => [...(tree.children ?? new Map<string, TreeNode>())].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, child]) => child);
    const stack: TreeNode[] = sortedChildren(start).reverse();
    while (stack.length > 0) {
      const tree = stack.pop() as TreeNode;
      yield tree.node;
      if (tree.children) stack.push(...sortedChildren(tree).reverse());
    }
  }

  /** Names directly inside a directory (after resolving it), sorted. */
  list(directory: string): string[] {
    const resolved = this.resolve(directory);
    if (!resolved) return [];
    const tree = this.#tree(resolved.path);
    return tree?.children ? [...tree.children.keys()].sort() : [];
  }

  #tree(path: string): TreeNode | undefined {
    let tree: TreeNode | undefined = this.#root;
    for (const segment of splitSegments(path)) {
      tree = tree.children?.get(segment);
      if (!tree) return undefined;
    }
    return tree;
  }

  #remove(path: string): void {
    const parent = this.#tree(parentOf(path));
    const name = baseName(path);
    const tree = parent?.children?.get(name);
    if (!parent?.children || !tree) return;
    this.#count -= 1 + countBelow(tree);
    parent.children.delete(name);
  }

  #add(entry: FsNode): void {
    const path = absolutePath(entry.path);
    if (path === "/") {
      this.#root.node = { ...entry, path, type: "directory" };
      return;
    }
    let parent = this.#root;
    const segments = splitSegments(path);
    const name = segments.pop() as string;
    let walked = "";
    for (const segment of segments) {
      walked += `/${segment}`;
      parent.children ??= new Map();
      let next = parent.children.get(segment);
      if (!next || next.node.type !== "directory") {
        // A missing parent is implied by its child; a file in the way is replaced (as overlayfs shows it).
        if (next) this.#count -= 1 + countBelow(next);
        next = { node: directoryNode(walked), children: new Map() };
        parent.children.set(segment, next);
        this.#count++;
      }
      parent = next;
    }
    parent.children ??= new Map();
    const existing = parent.children.get(name);
    let node: FsNode = { ...entry, path };
    if (entry.type === "hardlink" && entry.linkTarget !== undefined) {
      // A hard link is the same file under another name: give it the target's type, size and content.
      const target = this.#tree(absolutePath(entry.linkTarget))?.node;
      if (target && target.type !== "directory") node = { ...target, path };
    }
    if (existing && existing.node.type === "directory" && node.type === "directory") {
      existing.node = node;
      return;
    }
    if (existing) this.#count -= 1 + countBelow(existing);
    parent.children.set(name, node.type === "directory" ? { node, children: new Map() } : { node });
    this.#count++;
  }
}

function countBelow(tree: TreeNode): number {
  let total = 0;
  for (const child of tree.children?.values() ?? []) total += 1 + countBelow(child);
  return total;
}

/** Applies layers (lowest first) into one view. */
export function mergeLayers(layers: readonly (readonly FsNode[])[]): MergedFilesystem {
  const merged = new MergedFilesystem();
  for (const layer of layers) merged.applyLayer(layer);
  return merged;
}
