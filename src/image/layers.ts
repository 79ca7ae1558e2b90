// The edge of the layer analysis: where the bytes come from (an archive file, stdin, or an image
// exported by the engine as a stream) and the one call that reads and analyses them.
import fs from "node:fs";
import path from "node:path";
import type { Engine } from "../engine/types.ts";
import { analyzeImage, type AnalysisOptions, type ImageAnalysis } from "./analysis.ts";
import { bytesOf, readImageArchive } from "./archive.ts";
import type { SkippableBytes } from "./tar.ts";

/**
 * Read size for archive files. Headers sit between bodies that are skipped by offset, so a read
 * past a header mostly fetches bytes that are then dropped: small enough to waste little,
 * large enough that a run of small files costs few reads.
 */
const FILE_CHUNK_BYTES = 256 * 1024;

/** Streams an image archive (docker-archive or OCI layout, maybe gzip) and analyses its layers. */
export async function analyzeImageStream(source: AsyncIterable<Uint8Array>, options: AnalysisOptions = {}): Promise<ImageAnalysis> {
  const contents = await readImageArchive(source);
  return analyzeImage(
    {
      reference: contents.reference,
      format: contents.format,
      layers: contents.layers.map((layer) => ({ id: layer.archivePath, files: layer.files, blobBytes: layer.blobBytes })),
      history: contents.history,
    },
    options,
  );
}

/** An archive file as a stream that skips bodies by offset instead of reading them (the analysis needs headers only). */
export function archiveFileStream(file: string): SkippableBytes {
  return new FileBytes(file);
}

/** Reads a file front to back in chunks; skip() moves the offset without reading. */
class FileBytes implements SkippableBytes, AsyncIterator<Uint8Array> {
  readonly #path: string;
  #handle: fs.promises.FileHandle | undefined;
  #size = 0;
  #position = 0;
  #closed = false;

  constructor(file: string) {
    this.#path = file;
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this;
  }

  async #open(): Promise<fs.promises.FileHandle | undefined> {
    if (this.#closed) return undefined;
    if (this.#handle === undefined) {
      this.#handle = await fs.promises.open(this.#path, "r");
      this.#size = (await this.#handle.stat()).size;
    }
    return this.#handle;
  }

  async next(): Promise<IteratorResult<Uint8Array>> {
    const handle = await this.#open();
    if (handle === undefined || this.#position >= this.#size) {
      await this.return();
      return { done: true, value: undefined };
    }
    const buffer = Buffer.allocUnsafe(Math.min(FILE_CHUNK_BYTES, this.#size - this.#position));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.#position);
    if (bytesRead === 0) {
      // The file shrank while being read.
      await this.return();
      return { done: true, value: undefined };
    }
    this.#position += bytesRead;
    return { done: false, value: buffer.subarray(0, bytesRead) };
  }

  async skip(length: number): Promise<number> {
    if ((await this.#open()) === undefined) return 0;
    const skipped = Math.max(0, Math.min(length, this.#size - this.#position));
    this.#position += skipped;
    return skipped;
  }

  async return(): Promise<IteratorResult<Uint8Array>> {
    this.#closed = true;
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close();
    return { done: true, value: undefined };
  }
}

export type ImageSource = { kind: "file"; path: string } | { kind: "stdin" } | { kind: "engine"; reference: string };

/**
 * What the user meant by IMAGE: "-" is stdin, an existing file is an archive, a name ending in
 * .tar/.tar.gz/.tgz that does not exist is a mistake (undefined), anything else an image reference.
 */
export function classifyImageArgument(argument: string, cwd: string): ImageSource | undefined {
  if (argument === "-") return { kind: "stdin" };
  const candidate = path.resolve(cwd, argument);
  let isFile = false;
  try {
    isFile = fs.statSync(candidate).isFile();
  } catch {
    isFile = false;
  }
  if (isFile) return { kind: "file", path: candidate };
  if (/\.(tar|tar\.gz|tgz)$/i.test(argument) || argument.startsWith(".") || argument.startsWith("/")) return undefined;
  return { kind: "engine", reference: argument };
}

/** Opens the source as a byte stream; only the engine case needs (and creates) an engine. */
export async function openImageSource(source: ImageSource, engineFor: () => Promise<Engine>, stdin: NodeJS.ReadableStream = process.stdin): Promise<AsyncIterable<Uint8Array>> {
  if (source.kind === "file") return archiveFileStream(source.path);
  if (source.kind === "stdin") return bytesOf(stdin);
  const engine = await engineFor();
  return bytesOf(await engine.exportImage(source.reference));
}
