// A small tar writer for tests and benchmarks: ustar headers, long names as PAX ('x') or GNU
// ('L'/'K') records, bodies given as bytes/text or generated chunk by chunk (so a benchmark can
// write gigabytes without holding them). Not used by shipshape itself, which only reads tars.
import { gzipSync } from "node:zlib";

export interface TarInputEntry {
  path: string;
  type?: "file" | "directory" | "symlink" | "hardlink";
  /** Body: bytes, text, or a generator of chunks whose lengths add up to `size`. */
  content?: Uint8Array | string | (() => Iterable<Uint8Array>);
  /** Required when `content` is a generator. */
  size?: number;
  linkTarget?: string;
  mode?: number;
  mtime?: number;
}

export interface TarWriteOptions {
  /** How names longer than 100 bytes are written (default "pax"). */
  longNames?: "pax" | "gnu";
}

const BLOCK = 512;
const encoder = new TextEncoder();

function writeString(block: Uint8Array, offset: number, length: number, text: string): void {
  const bytes = encoder.encode(text);
  if (bytes.length > length) throw new Error(`tar field too long: ${text}`);
  block.set(bytes, offset);
}

function writeOctal(block: Uint8Array, offset: number, length: number, value: number): void {
  writeString(block, offset, length, `${value.toString(8).padStart(length - 1, "0")}\0`);
}

function header(name: string, flag: string, size: number, options: { mode?: number; mtime?: number; linkTarget?: string }): Uint8Array {
  const block = new Uint8Array(BLOCK);
  writeString(block, 0, 100, name);
  writeOctal(block, 100, 8, options.mode ?? (flag === "5" ? 0o755 : 0o644));
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, options.mtime ?? 1_700_000_000);
  writeString(block, 156, 1, flag);
  writeString(block, 157, 100, options.linkTarget ?? "");
  writeString(block, 257, 6, "ustar\0");
  writeString(block, 263, 2, "00");
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  writeString(block, 148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  return block;
}

function padding(size: number): Uint8Array {
  const remainder = size % BLOCK;
  return new Uint8Array(remainder === 0 ? 0 : BLOCK - remainder);
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = encoder.encode(body).length + 1;
  while (String(length).length + encoder.encode(body).length !== length) length++;
  return `${length}${body}`;
}

function* metadataEntries(entry: TarInputEntry, options: TarWriteOptions): Generator<Uint8Array> {
  const longPath = encoder.encode(entry.path).length > 100;
  const longLink = entry.linkTarget !== undefined && encoder.encode(entry.linkTarget).length > 100;
  if (!longPath && !longLink) return;
  if ((options.longNames ?? "pax") === "pax") {
    let records = "";
    if (longPath) records += paxRecord("path", entry.path);
    if (longLink && entry.linkTarget !== undefined) records += paxRecord("linkpath", entry.linkTarget);
    const bytes = encoder.encode(records);
    yield header("PaxHeader", "x", bytes.length, {});
    yield bytes;
    yield padding(bytes.length);
    return;
  }
  for (const [flag, text] of [
    ["L", longPath ? entry.path : undefined],
    ["K", longLink ? entry.linkTarget : undefined],
  ] as const) {
    if (text === undefined) continue;
    const bytes = encoder.encode(`${text}\0`);
    yield header("././@LongLink", flag, bytes.length, {});
    yield bytes;
    yield padding(bytes.length);
  }
}

function truncateName(name: string): string {
  const bytes = encoder.encode(name);
  return bytes.length <= 100 ? name : new TextDecoder().decode(bytes.subarray(0, 100)).replace(/(?<!\uFFFD)\uFFFD+$/, "");
}

/** The tar stream of `entries`, block by block (including the end-of-archive marker). */
export function* tarChunks(entries: Iterable<TarInputEntry>, options: TarWriteOptions = {}): Generator<Uint8Array> {
  for (const entry of entries) {
    const type = entry.type ?? "file";
    const flag = { file: "0", directory: "5", symlink: "2", hardlink: "1" }[type];
    yield* metadataEntries(entry, options);
    const content = entry.content;
    const bytes = typeof content === "string" ? encoder.encode(content) : content instanceof Uint8Array ? content : undefined;
    const size = type === "file" ? (bytes?.length ?? entry.size ?? 0) : 0;
    const name = type === "directory" && !entry.path.endsWith("/") ? `${entry.path}/` : entry.path;
    yield header(truncateName(name), flag, size, { mode: entry.mode, mtime: entry.mtime, linkTarget: entry.linkTarget === undefined ? undefined : truncateName(entry.linkTarget) });
    if (type !== "file") continue;
    if (bytes !== undefined) yield bytes;
    else if (typeof content === "function") {
      let written = 0;
      for (const chunk of content()) {
        written += chunk.length;
        yield chunk;
      }
      if (written !== size) throw new Error(`${entry.path}: generator wrote ${written} bytes, size says ${size}`);
    }
    yield padding(size);
  }
  yield new Uint8Array(BLOCK * 2);
}

/** The byte length tarChunks(entries) will produce, without producing the bodies. */
export function tarSize(entries: Iterable<TarInputEntry>, options: TarWriteOptions = {}): number {
  let total = BLOCK * 2;
  for (const entry of entries) {
    for (const chunk of metadataEntries(entry, options)) total += chunk.length;
    const type = entry.type ?? "file";
    const content = entry.content;
    const size = type !== "file" ? 0 : typeof content === "string" ? encoder.encode(content).length : content instanceof Uint8Array ? content.length : (entry.size ?? 0);
    total += BLOCK + size + padding(size).length;
  }
  return total;
}

/** A whole tar archive in memory (small test archives). */
export function tarBytes(entries: Iterable<TarInputEntry>, options: TarWriteOptions = {}): Buffer {
  return Buffer.concat([...tarChunks(entries, options)]);
}

export function gzipBytes(bytes: Uint8Array): Buffer {
  return gzipSync(bytes);
}

/** Yields `bytes` as chunks of at most `size` bytes (to exercise chunk boundaries). */
export async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}
