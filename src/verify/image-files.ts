// The merged filesystem of an exported image (`docker save` stream), read in one pass with the
// few file contents verify needs captured on the way: package.json files, /etc/passwd and
// /etc/group, ld.so.conf, and the headers of executables and shared libraries (ELF: the whole
// file, bounded, parsed at once and dropped; scripts: the `#!` line). Nothing is written to disk.
//
// src/image/archive.ts lists layers with paths, types and sizes only; verify also needs modes,
// symlink targets and those contents, so it walks the archive itself with the same tar reader and
// stream helpers. docker save writes manifest.json (also Docker 25+, next to its OCI index.json),
// and usually after the layers: layers are read as they come and ordered at the end.
import type { z } from "zod";
import { bytesOf, dockerManifestSchema, gunzip, isZlibError, peek } from "../image/archive.ts";
import { looksLikeTar, normalizeTarPath, readTar, TarFormatError } from "../image/tar.ts";
import type { TarEntry } from "../image/tar.ts";
import { ElfFormatError, isElf, parseElf, parseShebang } from "./elf.ts";
import type { FileContent, FsNode } from "./filesystem.ts";
import { absolutePath, baseName, isWithin, MergedFilesystem, parentOf } from "./filesystem.ts";

export class ImageFilesError extends Error {}

/** Which files to read, decided from each entry's path, type, size and mode. */
export interface CapturePlan {
  /** Text files to keep (bounded by maxTextBytes). */
  wantsText(path: string, entry: TarEntry): boolean;
  /** Files whose start says ELF or `#!` are parsed (bounded by maxElfBytes). */
  wantsBinary(path: string, entry: TarEntry): boolean;
}

export const MAX_TEXT_BYTES = 1024 * 1024;
/** Larger ELF files are noted as unparsed rather than held in memory. */
export const MAX_ELF_BYTES = 512 * 1024 * 1024;
const HEAD_BYTES = 256;

const SHARED_OBJECT = /\.so(?:\.[\w.-]*)?$|\.node$/;
const SYSTEM_TEXT = new Set(["/etc/passwd", "/etc/group", "/etc/ld.so.conf"]);

/**
 * What verify reads: package.json under the working directories or any node_modules, the user
 * and loader configuration, and every executable or shared-object-looking file (for ELF and `#!`).
 */
export function verifyCapturePlan(workingDirs: readonly string[]): CapturePlan {
  const appDirs = workingDirs.filter((dir) => dir !== "/");
  return {
    wantsText(path, entry) {
      if (entry.size > MAX_TEXT_BYTES) return false;
      if (SYSTEM_TEXT.has(path) || (parentOf(path) === "/etc/ld.so.conf.d" && path.endsWith(".conf"))) return true;
      if (baseName(path) !== "package.json") return false;
      return path.includes("/node_modules/") || appDirs.some((dir) => isWithin(path, dir));
    },
    wantsBinary(path, entry) {
      return (entry.mode & 0o111) !== 0 || SHARED_OBJECT.test(baseName(path));
    },
  };
}

async function readAllBounded(iterator: AsyncIterator<Uint8Array>, size: number, already: Uint8Array[]): Promise<Uint8Array> {
  const out = new Uint8Array(size);
  let filled = 0;
  for (const chunk of already) {
    const part = chunk.subarray(0, size - filled);
    out.set(part, filled);
    filled += part.length;
  }
  while (filled < size) {
    const next = await iterator.next();
    if (next.done === true) break;
    const part = next.value.subarray(0, size - filled);
    out.set(part, filled);
    filled += part.length;
  }
  return filled === size ? out : out.subarray(0, filled);
}

/** Reads what the plan wants from one file body; the rest of the body is left for the tar reader to skip. */
async function captureContent(path: string, entry: TarEntry, body: AsyncIterable<Uint8Array>, plan: CapturePlan): Promise<FileContent | undefined> {
  const wantsText = plan.wantsText(path, entry);
  const wantsBinary = plan.wantsBinary(path, entry);
  if (!wantsText && !wantsBinary) return undefined;
  const iterator = body[Symbol.asyncIterator]();
  if (wantsText) {
    const bytes = await readAllBounded(iterator, entry.size, []);
    return { text: new TextDecoder("utf-8").decode(bytes) };
  }
  // Copy: the tar reader hands out views into chunks it will reuse.
  const head: Uint8Array[] = [];
  let headBytes = 0;
  while (headBytes < Math.min(HEAD_BYTES, entry.size)) {
    const next = await iterator.next();
    if (next.done === true) break;
    head.push(next.value.slice());
    headBytes += next.value.length;
  }
  const first = Buffer.concat(head);
  if (isElf(first)) {
    if (entry.size > MAX_ELF_BYTES) return { elfError: `not parsed: ${entry.size} bytes is over the ${MAX_ELF_BYTES} byte limit` };
    const bytes = await readAllBounded(iterator, entry.size, head);
    try {
      const elf = parseElf(bytes);
      return elf ? { elf } : undefined;
    } catch (error) {
      if (error instanceof ElfFormatError) return { elfError: error.message };
      throw error;
    }
  }
  const shebang = parseShebang(first);
  return shebang ? { shebang } : undefined;
}

/** Reads one layer tar into filesystem entries (whiteouts kept, applied when layers are merged). */
export async function readLayer(source: AsyncIterable<Uint8Array>, plan: CapturePlan): Promise<FsNode[]> {
  const nodes: FsNode[] = [];
  for await (const { entry, body } of readTar(source)) {
    const path = absolutePath(entry.path);
    const node: FsNode = { path, type: entry.type, size: entry.size, mode: entry.mode };
    if (entry.linkTarget !== undefined) node.linkTarget = entry.type === "hardlink" ? absolutePath(entry.linkTarget) : entry.linkTarget;
    if (entry.type === "file" && entry.size > 0) {
      const content = await captureContent(path, entry, body, plan);
      if (content) node.content = content;
    }
    nodes.push(node);
  }
  return nodes;
}

const manifestSchema = dockerManifestSchema.min(1);

export interface ImageFiles {
  filesystem: MergedFilesystem;
  layers: number;
}

/** Reads a `docker save` archive into the image's merged filesystem. */
export async function readImageFiles(stream: NodeJS.ReadableStream | AsyncIterable<Uint8Array>, plan: CapturePlan): Promise<ImageFiles> {
  const { head, stream: bytes } = await peek(bytesOf(stream), 2);
  const tarStream = head[0] === 0x1f && head[1] === 0x8b ? gunzip(bytes) : bytes;
  const layers = new Map<string, FsNode[]>();
  const links = new Map<string, string>();
  const unreadable = new Map<string, string>();
  let manifestText: string | undefined;
  try {
    for await (const { entry, body } of readTar(tarStream)) {
      if ((entry.type === "symlink" || entry.type === "hardlink") && entry.linkTarget !== undefined) {
        // Docker 25+ links legacy `<id>/layer.tar` paths to `blobs/sha256/<hex>`.
        const target = entry.type === "symlink" && !entry.linkTarget.startsWith("/") ? `${parentOf(`/${entry.path}`)}/${entry.linkTarget}` : entry.linkTarget;
        links.set(entry.path, normalizeTarPath(absolutePath(target)));
        continue;
      }
      if (entry.type !== "file" || entry.size === 0) continue;
      if (entry.path === "manifest.json") {
        manifestText = new TextDecoder().decode(await readAllBounded(body[Symbol.asyncIterator](), Math.min(entry.size, 16 * 1024 * 1024), []));
        continue;
      }
      const peeked = await peek(body, 512);
      try {
        if (peeked.head[0] === 0x1f && peeked.head[1] === 0x8b) layers.set(entry.path, await readLayer(gunzip(peeked.stream), plan));
        else if (entry.size % 512 === 0 && looksLikeTar(peeked.head)) layers.set(entry.path, await readLayer(peeked.stream, plan));
      } catch (error) {
        if (error instanceof TarFormatError || isZlibError(error)) unreadable.set(entry.path, (error as Error).message);
        else throw error;
      }
    }
  } catch (error) {
    if (error instanceof TarFormatError || isZlibError(error)) throw new ImageFilesError(`not a readable image archive: ${(error as Error).message}`);
    throw error;
  }
  if (manifestText === undefined) throw new ImageFilesError("manifest.json is missing from the image archive");
  let manifest: z.infer<typeof manifestSchema>;
  try {
    manifest = manifestSchema.parse(JSON.parse(manifestText));
  } catch (error) {
    throw new ImageFilesError(`manifest.json is not a docker save manifest: ${(error as Error).message}`);
  }
  const filesystem = new MergedFilesystem();
  const image = manifest[0] as (typeof manifest)[number];
  for (const layerPath of image.Layers) {
    let path = normalizeTarPath(layerPath);
    for (let hops = 0; hops < 16 && links.has(path); hops++) path = links.get(path) as string;
    const layer = layers.get(path);
    if (!layer) throw new ImageFilesError(`layer ${layerPath} ${unreadable.has(path) ? `could not be read: ${unreadable.get(path)}` : "is missing from the image archive"}`);
    filesystem.applyLayer(layer);
  }
  return { filesystem, layers: image.Layers.length };
}
