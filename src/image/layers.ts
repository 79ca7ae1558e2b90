// The edge of the layer analysis: where the bytes come from (an archive file, stdin, or an image
// exported by the engine as a stream) and the one call that reads and analyses them.
import fs from "node:fs";
import path from "node:path";
import type { Engine } from "../engine/types.ts";
import { analyzeImage, type AnalysisOptions, type ImageAnalysis } from "./analysis.ts";
import { bytesOf, readImageArchive } from "./archive.ts";

/** Read size for archive files: large reads keep the per-chunk overhead negligible. */
const FILE_CHUNK_BYTES = 1024 * 1024;

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

export function archiveFileStream(file: string): AsyncIterable<Uint8Array> {
  return fs.createReadStream(file, { highWaterMark: FILE_CHUNK_BYTES });
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
