// Reads an image archive in one streaming pass: a `docker save` tar (docker-archive:
// manifest.json, <config>.json, <id>/layer.tar) or an OCI image layout tar (oci-layout,
// index.json, blobs/sha256/...), either possibly gzip-compressed as a whole, with layers
// uncompressed or gzip. The order of entries is not known in advance (docker save puts
// manifest.json last, other writers first), so every entry is classified by its first bytes:
// tar or gzip bodies are listed as layer candidates (per-file metadata only, never contents),
// small JSON bodies are kept as text, everything else is skipped. Once the stream ends, the
// manifest says which candidates are the layers and in which order. Nothing is written to disk.
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { z } from "zod";
import { canSkip, looksLikeTar, normalizeTarPath, readTar, TarFormatError, type SkippableBytes, type TarEntry } from "./tar.ts";

/** One entry of a layer tar, without its contents. Whiteouts are kept as they appear. */
export interface LayerFile {
  path: string;
  type: TarEntry["type"];
  size: number;
}

export interface LayerTable {
  /** Path of the layer blob inside the archive. */
  archivePath: string;
  files: LayerFile[];
  /** Bytes of the blob as stored (compressed size for gzip layers). */
  blobBytes: number;
  compression: "none" | "gzip";
}

export interface HistoryEntry {
  createdBy: string;
  emptyLayer: boolean;
}

export interface ImageArchiveContents {
  format: "docker-archive" | "oci-layout";
  /** A name for the image: first RepoTag, the OCI ref.name annotation, or the config path. */
  reference: string;
  layers: LayerTable[];
  history: HistoryEntry[];
  /** Bytes of the whole archive as read (before decompressing an outer gzip). */
  archiveBytes: number;
}

export class ImageArchiveError extends Error {}

/** JSON documents larger than this are not manifests or configs; they are skipped. */
const MAX_JSON_BYTES = 16 * 1024 * 1024;
/** Bound on all JSON kept while waiting for the manifest. */
const MAX_TOTAL_JSON_BYTES = 128 * 1024 * 1024;
const PEEK_BYTES = 512;

const GZIP_MAGIC = [0x1f, 0x8b] as const;
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd] as const;

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return magic.every((byte, index) => bytes[index] === byte);
}

function startsLikeJson(bytes: Uint8Array): boolean {
  for (const byte of bytes) {
    if (byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09) continue;
    return byte === 0x7b || byte === 0x5b; // { or [
  }
  return false;
}

/**
 * Reads up to `count` bytes from the front of a stream and returns them with a stream of
 * everything. The returned stream skips like its source (SkippableBytes) when the source can.
 */
export async function peek(source: AsyncIterable<Uint8Array>, count: number): Promise<{ head: Uint8Array; stream: AsyncIterable<Uint8Array> }> {
  const iterator = source[Symbol.asyncIterator]();
  const taken: Uint8Array[] = [];
  let takenBytes = 0;
  let ended = false;
  while (takenBytes < count) {
    const next = await iterator.next();
    if (next.done === true) {
      ended = true;
      break;
    }
    taken.push(next.value);
    takenBytes += next.value.length;
  }
  const head = concat(taken, Math.min(count, takenBytes));
  return { head, stream: new PeekedStream(source, iterator, taken, ended) };
}

/** The chunks peek() took, then the rest of the source; skips without reading when the source can. */
class PeekedStream implements SkippableBytes, AsyncIterator<Uint8Array> {
  readonly #source: AsyncIterable<Uint8Array>;
  readonly #iterator: AsyncIterator<Uint8Array>;
  readonly #pending: Uint8Array[];
  #ended: boolean;

  constructor(source: AsyncIterable<Uint8Array>, iterator: AsyncIterator<Uint8Array>, pending: Uint8Array[], ended: boolean) {
    this.#source = source;
    this.#iterator = iterator;
    this.#pending = pending;
    this.#ended = ended;
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this;
  }

  async next(): Promise<IteratorResult<Uint8Array>> {
    const pending = this.#pending.shift();
    if (pending !== undefined) return { done: false, value: pending };
    if (this.#ended) return { done: true, value: undefined };
    const next = await this.#iterator.next();
    if (next.done === true) this.#ended = true;
    return next;
  }

  async return(): Promise<IteratorResult<Uint8Array>> {
    this.#pending.length = 0;
    if (!this.#ended) {
      this.#ended = true;
      await this.#iterator.return?.();
    }
    return { done: true, value: undefined };
  }

  async skip(length: number): Promise<number> {
    let skipped = 0;
    while (skipped < length && this.#pending.length > 0) {
      const first = this.#pending[0] as Uint8Array;
      const part = Math.min(first.length, length - skipped);
      if (part === first.length) this.#pending.shift();
      else this.#pending[0] = first.subarray(part);
      skipped += part;
    }
    if (skipped < length && !this.#ended) {
      if (canSkip(this.#source)) skipped += await this.#source.skip(length - skipped);
      else {
        while (skipped < length) {
          const next = await this.#iterator.next();
          if (next.done === true) {
            this.#ended = true;
            break;
          }
          const part = Math.min(next.value.length, length - skipped);
          if (part < next.value.length) this.#pending.push(next.value.subarray(part));
          skipped += part;
        }
      }
    }
    return skipped;
  }
}

function concat(chunks: Uint8Array[], limit: number): Uint8Array {
  const out = new Uint8Array(limit);
  let offset = 0;
  for (const chunk of chunks) {
    if (offset >= limit) break;
    const part = chunk.subarray(0, limit - offset);
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** How much decompressed data after the point the consumer stopped (tar padding) is read to reach the gzip trailer. */
const MAX_TRAILING_BYTES = 1024 * 1024;

/**
 * Decompresses a gzip stream. A tar reader stops at its end-of-archive blocks, before zlib has
 * seen the gzip trailer (CRC and length): when the consumer stops, the little that remains (tar
 * padding, at most MAX_TRAILING_BYTES) is still read so that a stream missing its trailer fails
 * with "archive is truncated" instead of passing as complete. Past that bound the decompressor is
 * simply stopped.
 */
export async function* gunzip(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const input = Readable.from(source, { objectMode: false });
  const decompressor = createGunzip();
  input.on("error", (error) => decompressor.destroy(error));
  input.pipe(decompressor);
  const chunks = decompressor[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  let ended = false;
  try {
    for (;;) {
      const next = await chunks.next().catch(truncationError);
      if (next.done === true) {
        ended = true;
        return;
      }
      yield next.value;
    }
  } finally {
    try {
      let trailing = 0;
      while (!ended && trailing <= MAX_TRAILING_BYTES) {
        const next = await chunks.next().catch(truncationError);
        if (next.done === true) break;
        trailing += next.value.length;
      }
    } finally {
      input.destroy();
      decompressor.destroy();
    }
  }
}

function truncationError(error: unknown): never {
  if (isZlibError(error) && /unexpected end of file/i.test((error as Error).message)) {
    throw Object.assign(new Error("archive is truncated (the gzip stream ends before its end and checksum)"), { code: (error as Error & { code?: string }).code });
  }
  throw error;
}

/** Byte chunks of a Node stream (strings are re-encoded, which `docker save` never sends). */
export async function* bytesOf(stream: NodeJS.ReadableStream | AsyncIterable<Uint8Array | string>): AsyncGenerator<Uint8Array> {
  for await (const chunk of stream as AsyncIterable<Uint8Array | string>) {
    yield typeof chunk === "string" ? Buffer.from(chunk) : chunk;
  }
}

/** Counts the bytes that pass through (read or skipped). */
class ByteCounter implements SkippableBytes, AsyncIterator<Uint8Array> {
  bytes = 0;
  readonly #source: AsyncIterable<Uint8Array>;
  readonly #iterator: AsyncIterator<Uint8Array>;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.#source = source;
    this.#iterator = source[Symbol.asyncIterator]();
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this;
  }

  async next(): Promise<IteratorResult<Uint8Array>> {
    const next = await this.#iterator.next();
    if (next.done !== true) this.bytes += next.value.length;
    return next;
  }

  async return(): Promise<IteratorResult<Uint8Array>> {
    await this.#iterator.return?.();
    return { done: true, value: undefined };
  }

  /** Only called when the source can skip (see counted()). */
  async skip(length: number): Promise<number> {
    const skipped = await (this.#source as SkippableBytes).skip(length);
    this.bytes += skipped;
    return skipped;
  }
}

/** A counter over `source` that skips when the source can, and only then offers skip(). */
function counted(source: AsyncIterable<Uint8Array>): { counter: ByteCounter; stream: AsyncIterable<Uint8Array> } {
  const counter = new ByteCounter(source);
  if (canSkip(source)) return { counter, stream: counter };
  return { counter, stream: { [Symbol.asyncIterator]: () => counter } };
}

async function listLayer(archivePath: string, body: AsyncIterable<Uint8Array>, blobBytes: number, compression: LayerTable["compression"]): Promise<LayerTable> {
  const files: LayerFile[] = [];
  const tarStream = compression === "gzip" ? gunzip(body) : body;
  for await (const { entry } of readTar(tarStream)) {
    if (entry.path === ".") continue;
    files.push({ path: entry.path, type: entry.type, size: entry.size });
  }
  return { archivePath, files, blobBytes, compression };
}

async function readText(body: AsyncIterable<Uint8Array>, size: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body) {
    chunks.push(chunk.slice());
    total += chunk.length;
  }
  return new TextDecoder("utf-8").decode(concat(chunks, Math.min(total, size)));
}

// ---- The JSON documents we read (validated at this boundary) -------------------------------

/** `manifest.json` of a `docker save` archive (also read by src/verify/image-files.ts). */
export const dockerManifestSchema = z.array(
  z.object({
    Config: z.string(),
    RepoTags: z.array(z.string()).nullish(),
    Layers: z.array(z.string()),
  }),
);

const descriptorSchema = z.object({
  mediaType: z.string().optional(),
  digest: z.string(),
  size: z.number().optional(),
  platform: z.object({ os: z.string().optional(), architecture: z.string().optional(), variant: z.string().optional() }).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

const ociIndexSchema = z.object({
  schemaVersion: z.number().optional(),
  mediaType: z.string().optional(),
  manifests: z.array(descriptorSchema),
  annotations: z.record(z.string(), z.string()).optional(),
});

const ociManifestSchema = z.object({
  mediaType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
});

const imageConfigSchema = z.object({
  history: z
    .array(
      z.object({
        created_by: z.string().optional(),
        empty_layer: z.boolean().optional(),
        comment: z.string().optional(),
      }),
    )
    .nullish(),
  rootfs: z.object({ diff_ids: z.array(z.string()).nullish() }).optional(),
});

type Descriptor = z.infer<typeof descriptorSchema>;

function parseJson<T>(text: string | undefined, schema: z.ZodType<T>, what: string): T {
  if (text === undefined) throw new ImageArchiveError(`${what} is missing from the archive`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ImageArchiveError(`${what} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ImageArchiveError(`${what} has an unexpected shape: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data;
}

function blobPath(digest: string): string {
  const [algorithm, hex] = digest.split(":");
  if (algorithm === undefined || hex === undefined || !/^[a-z0-9]+$/.test(algorithm) || !/^[a-f0-9]+$/.test(hex)) {
    throw new ImageArchiveError(`malformed digest "${digest}"`);
  }
  return `blobs/${algorithm}/${hex}`;
}

const INDEX_MEDIA_TYPES = new Set(["application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"]);

function hostPlatform(): { os: string; architecture: string } {
  const architecture = process.arch === "x64" ? "amd64" : process.arch === "ia32" ? "386" : process.arch;
  return { os: "linux", architecture };
}

function isAttestation(descriptor: Descriptor): boolean {
  return descriptor.annotations?.["vnd.docker.reference.type"] === "attestation-manifest" || descriptor.platform?.os === "unknown";
}

/** Everything the pass collected, before the manifest resolves it. */
interface Collected {
  json: Map<string, string>;
  layers: Map<string, LayerTable>;
  /** Archive paths that could not be read as layers, with the reason. */
  unreadable: Map<string, string>;
  /** Symlinks and hard links between archive entries: path -> target path. */
  links: Map<string, string>;
}

function resolveLink(collected: Collected, archivePath: string): string {
  let current = normalizeTarPath(archivePath);
  for (let hops = 0; hops < 16; hops++) {
    const target = collected.links.get(current);
    if (target === undefined) return current;
    current = target;
  }
  throw new ImageArchiveError(`too many links resolving ${archivePath}`);
}

function layerAt(collected: Collected, archivePath: string): LayerTable {
  const resolved = resolveLink(collected, archivePath);
  const layer = collected.layers.get(resolved);
  if (layer !== undefined) return layer.archivePath === archivePath ? layer : { ...layer, archivePath };
  const reason = collected.unreadable.get(resolved);
  throw new ImageArchiveError(`layer ${archivePath} ${reason === undefined ? "is missing from the archive" : `could not be read: ${reason}`}`);
}

function historyOf(configText: string | undefined, what: string): HistoryEntry[] {
  const config = parseJson(configText, imageConfigSchema, what);
  return (config.history ?? []).map((entry) => ({ createdBy: entry.created_by ?? entry.comment ?? "", emptyLayer: entry.empty_layer === true }));
}

function resolveDockerArchive(collected: Collected, manifestText: string): Omit<ImageArchiveContents, "archiveBytes"> {
  const manifest = parseJson(manifestText, dockerManifestSchema, "manifest.json");
  const image = manifest[0];
  if (image === undefined) throw new ImageArchiveError("manifest.json lists no image");
  const configPath = resolveLink(collected, image.Config);
  return {
    format: "docker-archive",
    reference: image.RepoTags?.[0] ?? image.Config,
    layers: image.Layers.map((layerPath) => layerAt(collected, layerPath)),
    history: historyOf(collected.json.get(configPath), image.Config),
  };
}

function resolveOciLayout(collected: Collected, indexText: string): Omit<ImageArchiveContents, "archiveBytes"> {
  let index = parseJson(indexText, ociIndexSchema, "index.json");
  let reference = index.annotations?.["org.opencontainers.image.ref.name"];
  const host = hostPlatform();
  for (let depth = 0; depth < 8; depth++) {
    const candidates = index.manifests.filter((descriptor) => !isAttestation(descriptor));
    const chosen =
      candidates.find((descriptor) => descriptor.platform?.os === host.os && descriptor.platform.architecture === host.architecture) ?? candidates[0];
    if (chosen === undefined) throw new ImageArchiveError("index.json lists no image manifest");
    reference =
      chosen.annotations?.["io.containerd.image.name"] ?? chosen.annotations?.["org.opencontainers.image.ref.name"] ?? reference;
    const path = blobPath(chosen.digest);
    const text = collected.json.get(resolveLink(collected, path));
    if (chosen.mediaType !== undefined && INDEX_MEDIA_TYPES.has(chosen.mediaType)) {
      index = parseJson(text, ociIndexSchema, path);
      continue;
    }
    const manifest = parseJson(text, ociManifestSchema, path);
    const configPath = blobPath(manifest.config.digest);
    return {
      format: "oci-layout",
      reference: reference ?? chosen.digest,
      layers: manifest.layers.map((layer) => layerAt(collected, blobPath(layer.digest))),
      history: historyOf(collected.json.get(resolveLink(collected, configPath)), configPath),
    };
  }
  throw new ImageArchiveError("index.json nests image indexes too deeply");
}

/**
 * Reads a docker-archive or OCI layout tar (optionally gzip as a whole) in one pass and returns
 * the image's layer file tables in order, with the config history.
 */
export async function readImageArchive(source: AsyncIterable<Uint8Array>): Promise<ImageArchiveContents> {
  const { counter, stream: countedStream } = counted(source);
  const { head, stream } = await peek(countedStream, 2);
  const tarStream = startsWith(head, GZIP_MAGIC) ? gunzip(stream) : stream;

  const collected: Collected = { json: new Map(), layers: new Map(), unreadable: new Map(), links: new Map() };
  let jsonBytes = 0;
  let entries = 0;
  try {
    for await (const { entry, body } of readTar(tarStream)) {
      entries++;
      if (entry.type === "symlink" && entry.linkTarget !== undefined) {
        const directory = entry.path.includes("/") ? entry.path.slice(0, entry.path.lastIndexOf("/")) : "";
        const target = entry.linkTarget.startsWith("/") ? entry.linkTarget : `${directory}/${entry.linkTarget}`;
        collected.links.set(entry.path, normalizeDots(target));
        continue;
      }
      if (entry.type === "hardlink" && entry.linkTarget !== undefined) {
        collected.links.set(entry.path, entry.linkTarget);
        continue;
      }
      if (entry.type !== "file" || entry.size === 0) continue;

      const peeked = await peek(body, PEEK_BYTES);
      const first = peeked.head;
      try {
        if (startsWith(first, GZIP_MAGIC)) {
          collected.layers.set(entry.path, await listLayer(entry.path, peeked.stream, entry.size, "gzip"));
        } else if (startsWith(first, ZSTD_MAGIC)) {
          collected.unreadable.set(entry.path, "zstd-compressed layers are not supported");
        } else if (looksLikeTar(first)) {
          collected.layers.set(entry.path, await listLayer(entry.path, peeked.stream, entry.size, "none"));
        } else if (startsLikeJson(first) && entry.size <= MAX_JSON_BYTES && jsonBytes + entry.size <= MAX_TOTAL_JSON_BYTES) {
          jsonBytes += entry.size;
          collected.json.set(entry.path, await readText(peeked.stream, entry.size));
        }
      } catch (error) {
        // A blob that looked like a layer but is not one (or is damaged): remember why, and fail
        // only if the manifest turns out to need it.
        if (error instanceof TarFormatError || isZlibError(error)) collected.unreadable.set(entry.path, (error as Error).message);
        else throw error;
      }
    }
  } catch (error) {
    if (error instanceof TarFormatError || isZlibError(error)) {
      throw new ImageArchiveError(`not a readable image archive: ${(error as Error).message}`);
    }
    throw error;
  }
  if (entries === 0) throw new ImageArchiveError("the archive is empty");

  const manifestText = collected.json.get("manifest.json");
  const indexText = collected.json.get("index.json");
  const resolved =
    manifestText !== undefined
      ? resolveDockerArchive(collected, manifestText)
      : indexText !== undefined
        ? resolveOciLayout(collected, indexText)
        : undefined;
  if (resolved === undefined) throw new ImageArchiveError("neither manifest.json (docker save) nor index.json (OCI layout) found in the archive");
  return { ...resolved, archiveBytes: counter.bytes };
}

function normalizeDots(path: string): string {
  const out: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") out.pop();
    else out.push(segment);
  }
  return out.join("/");
}

/** An error thrown by node:zlib (a corrupt or truncated gzip stream). */
export function isZlibError(error: unknown): boolean {
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === "string" && code.startsWith("Z_");
}
