// The build context as a tar stream, as `docker build` would send it.
//
// The tar writer is our own (no dependency): 512-byte ustar headers with their checksum, PAX
// extended headers ("x" entries) for names or link targets that do not fit ustar (over 100
// bytes, or not ASCII) and for sizes over 8 GiB; directories, regular files and symlinks (never
// followed); mode and mtime kept, owner 0:0. File contents are streamed, never loaded whole.
//
// The walk honours .dockerignore as Docker's BuildKit does (src/repo/dockerignore.ts):
// `<Dockerfile>.dockerignore` next to the Dockerfile wins over `<context>/.dockerignore`;
// excluded directories are pruned when no `!` pattern could re-include something below them;
// a file re-included below an excluded directory brings its parent directories along.
//
// What the Engine API does with the tar (verified on the lab's 20.10 engine): BuildKit reads the
// Dockerfile from it and `COPY .` sees every entry; it applies no .dockerignore of its own. So
// the filtering here is the only one, and:
// - the Dockerfile is always sent (the daemon must read it), even when .dockerignore excludes
//   it. (BuildKit proper transfers it on a separate channel; the Engine API has none.)
// - the .dockerignore itself is sent only when its own patterns keep it, so `COPY .` sees what
//   it would see with `docker build`.
// - `dockerfileText` is sent as if it were saved at the Dockerfile's path (replacing the file
//   there): the image is the one the user gets after writing that text to disk. A Dockerfile
//   outside the context (and its text) goes in under a generated name,
//   `.shipshape.Dockerfile.<hash>`, as the docker CLI does for `-f` outside the context.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { compileDockerignore, parseDockerignore } from "../repo/dockerignore.ts";

// ---------------------------------------------------------------------------------------------
// tar writer

export type TarEntryType = "file" | "directory" | "symlink";

export interface TarEntry {
  /** POSIX path inside the archive, without a leading "./" or trailing "/". */
  name: string;
  type: TarEntryType;
  /** Permission bits (and setuid/setgid/sticky), e.g. 0o644. */
  mode: number;
  /** Modification time, epoch milliseconds (stored in whole seconds). */
  mtimeMs: number;
  /** Regular files: byte size. */
  size?: number;
  /** Symlinks: the target, as stored in the link. */
  linkname?: string;
  /** Regular files: where to stream the content from... */
  sourcePath?: string;
  /** ...or the content itself. */
  content?: Buffer;
}

const BLOCK = 512;
const USTAR_MAX_SIZE = 0o77777777777; // 11 octal digits
const ZERO_BLOCK = Buffer.alloc(BLOCK);
const READ_CHUNK = 64 * 1024;

function writeString(header: Buffer, offset: number, length: number, value: string): void {
  header.write(value, offset, length, "utf8");
}

function writeOctal(header: Buffer, offset: number, length: number, value: number): void {
  // length - 1 octal digits, zero padded, then NUL.
  const digits = Math.max(0, Math.floor(value)).toString(8).padStart(length - 1, "0");
  if (digits.length > length - 1) throw new Error(`tar: ${value} does not fit a ${length}-byte field`);
  header.write(`${digits}\0`, offset, length, "ascii");
}

function fitsUstar(value: string): boolean {
  // eslint-disable-next-line no-control-regex
  return Buffer.byteLength(value) <= 100 && /^[\x01-\x7f]*$/.test(value);
}

function paxRecord(key: string, value: string): string {
  // "<length> <key>=<value>\n" where <length> counts the whole record, itself included.
  const body = ` ${key}=${value}\n`;
  const bodyLength = Buffer.byteLength(body);
  let length = bodyLength + 1;
  while (String(length).length + bodyLength !== length) length = String(length).length + bodyLength;
  return `${length}${body}`;
}

function ustarHeader(fields: { name: string; mode: number; size: number; mtime: number; typeflag: string; linkname: string }): Buffer {
  const header = Buffer.alloc(BLOCK);
  writeString(header, 0, 100, fields.name);
  writeOctal(header, 100, 8, fields.mode);
  writeOctal(header, 108, 8, 0); // uid
  writeOctal(header, 116, 8, 0); // gid
  writeOctal(header, 124, 12, fields.size);
  writeOctal(header, 136, 12, fields.mtime);
  header.fill(0x20, 148, 156); // checksum computed with its own field as spaces
  writeString(header, 156, 1, fields.typeflag);
  writeString(header, 157, 100, fields.linkname);
  writeString(header, 257, 6, "ustar\0");
  writeString(header, 263, 2, "00");
  writeOctal(header, 329, 8, 0); // devmajor
  writeOctal(header, 337, 8, 0); // devminor
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8, "ascii");
  return header;
}

function padding(size: number): Buffer {
  const remainder = size % BLOCK;
  return remainder === 0 ? Buffer.alloc(0) : ZERO_BLOCK.subarray(0, BLOCK - remainder);
}

/** The header block(s) of one entry: a PAX extended header first when ustar cannot hold it. */
export function tarHeader(entry: TarEntry): Buffer {
  const name = entry.type === "directory" ? `${entry.name}/` : entry.name;
  const size = entry.type === "file" ? (entry.size ?? entry.content?.length ?? 0) : 0;
  const linkname = entry.type === "symlink" ? (entry.linkname ?? "") : "";
  const typeflag = entry.type === "file" ? "0" : entry.type === "directory" ? "5" : "2";
  const mtime = Math.max(0, Math.floor(entry.mtimeMs / 1000));
  const records: string[] = [];
  if (!fitsUstar(name)) records.push(paxRecord("path", name));
  if (!fitsUstar(linkname)) records.push(paxRecord("linkpath", linkname));
  if (size > USTAR_MAX_SIZE) records.push(paxRecord("size", String(size)));
  const blocks: Buffer[] = [];
  if (records.length > 0) {
    const pax = Buffer.from(records.join(""), "utf8");
    const base = asciiPrefix(path.posix.basename(entry.name), 80);
    blocks.push(ustarHeader({ name: `PaxHeaders.0/${base}`, mode: 0o644, size: pax.length, mtime, typeflag: "x", linkname: "" }), pax, padding(pax.length));
  }
  blocks.push(
    ustarHeader({
      name: fitsUstar(name) ? name : asciiPrefix(name, 100),
      mode: entry.mode & 0o7777,
      size: size > USTAR_MAX_SIZE ? 0 : size,
      mtime,
      typeflag,
      linkname: fitsUstar(linkname) ? linkname : asciiPrefix(linkname, 100),
    }),
  );
  return Buffer.concat(blocks);
}

/** A readable stand-in for a name ustar cannot hold (readers use the PAX record instead). */
function asciiPrefix(value: string, max: number): string {
  return value.replace(/[^\x20-\x7e]/g, "_").slice(0, max);
}

/** Streams a tar archive of `entries`, reading file contents as it goes. */
export function createTarStream(entries: Iterable<TarEntry> | AsyncIterable<TarEntry>): Readable {
  return Readable.from(tarChunks(entries), { objectMode: false });
}

async function* tarChunks(entries: Iterable<TarEntry> | AsyncIterable<TarEntry>): AsyncGenerator<Buffer> {
  for await (const entry of entries) {
    yield tarHeader(entry);
    if (entry.type !== "file") continue;
    const size = entry.size ?? entry.content?.length ?? 0;
    if (entry.content !== undefined) {
      if (entry.content.length !== size) throw new Error(`tar: ${entry.name}: content is ${entry.content.length} bytes, header says ${size}`);
      yield entry.content;
    } else if (entry.sourcePath !== undefined) {
      yield* fileChunks(entry.sourcePath, size, entry.name);
    } else if (size !== 0) {
      throw new Error(`tar: ${entry.name}: no content`);
    }
    const pad = padding(size);
    if (pad.length > 0) yield pad;
  }
  // End of archive: two zero blocks.
  yield Buffer.alloc(BLOCK * 2);
}

async function* fileChunks(source: string, size: number, name: string): AsyncGenerator<Buffer> {
  const handle = await fs.promises.open(source, "r");
  try {
    let position = 0;
    while (position < size) {
      const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK, size - position));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) throw new Error(`${name} shrank while the build context was being sent (expected ${size} bytes, got ${position})`);
      position += bytesRead;
      yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

// ---------------------------------------------------------------------------------------------
// the build context

export interface ContextOptions {
  /** The context directory. */
  contextDir: string;
  /** Dockerfile path relative to the context, or absolute (default "Dockerfile"). */
  dockerfile?: string;
  /** Dockerfile text to send instead of the file's content. */
  dockerfileText?: string;
}

export interface ContextPlan {
  contextDir: string;
  /** The Dockerfile's name inside the tar: the build's `dockerfile` parameter. */
  dockerfile: string;
  /** True when the Dockerfile travels under a generated name (outside the context). */
  generatedDockerfile: boolean;
  /** The ignore file that applied (absolute), if any. */
  dockerignoreFile?: string;
  /** Its patterns, as Docker reads them. */
  patterns: string[];
  /** Every tar entry, in archive order. */
  entries: TarEntry[];
  /** Context-relative paths of everything sent (files, symlinks, directories), in archive order. */
  sentPaths: string[];
  /** Context-relative paths of the regular files sent, sorted. */
  sentFiles: string[];
  /** Total bytes of file content. */
  totalBytes: number;
}

export class ContextError extends Error {}

/** Walks the context and decides what to send, without reading file contents. */
export async function planContext(options: ContextOptions): Promise<ContextPlan> {
  const contextDir = path.resolve(options.contextDir);
  const contextStat = await fs.promises.stat(contextDir).catch(() => undefined);
  if (!contextStat?.isDirectory()) throw new ContextError(`build context ${contextDir} is not a directory`);
  const realContext = await fs.promises.realpath(contextDir);

  // Where the Dockerfile lies, and whether it is inside the context.
  const requested = options.dockerfile ?? "Dockerfile";
  const dockerfileAbs = path.resolve(contextDir, requested);
  let insidePath = toContextPath(contextDir, dockerfileAbs);
  let dockerfileText = options.dockerfileText;
  const dockerfileStat = await fs.promises.lstat(dockerfileAbs).catch(() => undefined);
  if (dockerfileText === undefined) {
    if (!dockerfileStat) throw new ContextError(`Dockerfile not found: ${dockerfileAbs}`);
    if (dockerfileStat.isDirectory()) throw new ContextError(`Dockerfile ${dockerfileAbs} is a directory`);
    if (dockerfileStat.isSymbolicLink() || insidePath === undefined) {
      // As the docker CLI: a symlinked Dockerfile is read where it points, if that is in the context.
      const real = await fs.promises.realpath(dockerfileAbs).catch(() => undefined);
      if (real === undefined) throw new ContextError(`Dockerfile ${dockerfileAbs} is a broken symlink`);
      insidePath = toContextPath(realContext, real);
      if (insidePath === undefined) dockerfileText = await fs.promises.readFile(real, "utf8");
    }
  } else if (insidePath !== undefined && dockerfileStat?.isDirectory()) {
    throw new ContextError(`Dockerfile ${dockerfileAbs} is a directory`);
  } else if (insidePath !== undefined && !dockerfileStat) {
    // A Dockerfile that does not exist yet: only in a directory that does.
    const parent = await fs.promises.stat(path.dirname(dockerfileAbs)).catch(() => undefined);
    if (!parent?.isDirectory()) insidePath = undefined;
  }

  // The ignore file: <Dockerfile>.dockerignore next to the Dockerfile wins over <context>/.dockerignore.
  let dockerignoreFile: string | undefined;
  let patterns: string[] = [];
  for (const candidate of [`${dockerfileAbs}.dockerignore`, path.join(contextDir, ".dockerignore")]) {
    const text = await fs.promises.readFile(candidate, "utf8").catch(() => undefined);
    if (text === undefined) continue;
    dockerignoreFile = candidate;
    try {
      patterns = parseDockerignore(text);
    } catch (error) {
      throw new Error(`${candidate}: ${(error as Error).message}`);
    }
    break;
  }
  let matcher: ReturnType<typeof compileDockerignore>;
  try {
    matcher = compileDockerignore(patterns, { builder: "buildkit" });
  } catch (error) {
    // BuildKit refuses the build too; say which file.
    throw new Error(`${dockerignoreFile ?? ".dockerignore"}: ${(error as Error).message}`);
  }

  // The Dockerfile is sent even when excluded; its directories must then be walked too.
  const forced = insidePath;
  const forcedAncestors = new Set<string>();
  if (forced !== undefined) {
    const parts = forced.split("/");
    for (let index = 1; index < parts.length; index++) forcedAncestors.add(parts.slice(0, index).join("/"));
  }
  const replacement = dockerfileText !== undefined && forced !== undefined ? Buffer.from(dockerfileText, "utf8") : undefined;

  const entries: TarEntry[] = [];
  let totalBytes = 0;
  let forcedSeen = false;

  // Directories excluded but walked: written just before the first thing re-included below them.
  interface Pending {
    entry: TarEntry;
    written: boolean;
  }
  const flush = (pending: Pending[]): void => {
    for (const parent of pending) {
      if (parent.written) continue;
      parent.written = true;
      entries.push(parent.entry);
    }
  };

  const walk = async (relativeDir: string, pendingParents: Pending[]): Promise<void> => {
    const absoluteDir = relativeDir === "" ? contextDir : path.join(contextDir, relativeDir);
    let names: string[];
    try {
      names = await fs.promises.readdir(absoluteDir);
    } catch (error) {
      throw new ContextError(`cannot read ${absoluteDir}: ${(error as Error).message}`);
    }
    const forcedHere = forced !== undefined && path.posix.dirname(forced) === (relativeDir || ".") ? path.posix.basename(forced) : undefined;
    if (forcedHere !== undefined && !names.includes(forcedHere)) names.push(forcedHere);
    names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const name of names) {
      const relative = relativeDir === "" ? name : `${relativeDir}/${name}`;
      const absolute = path.join(absoluteDir, name);
      if (relative === forced) {
        forcedSeen = true;
        const stat = await fs.promises.lstat(absolute).catch(() => undefined);
        flush(pendingParents);
        if (replacement !== undefined) {
          entries.push({ name: relative, type: "file", mode: stat && !stat.isSymbolicLink() ? stat.mode : 0o644, mtimeMs: stat?.mtimeMs ?? Date.now(), size: replacement.length, content: replacement });
          totalBytes += replacement.length;
        } else if (stat) {
          entries.push({ name: relative, type: "file", mode: stat.mode, mtimeMs: stat.mtimeMs, size: stat.size, sourcePath: absolute });
          totalBytes += stat.size;
        }
        continue;
      }
      const stat = await fs.promises.lstat(absolute).catch(() => undefined);
      if (!stat) continue; // vanished while walking
      const excluded = matcher.excludes(relative);
      if (stat.isDirectory()) {
        const entry: TarEntry = { name: relative, type: "directory", mode: stat.mode, mtimeMs: stat.mtimeMs };
        if (!excluded) {
          flush(pendingParents);
          entries.push(entry);
          await walk(relative, []);
        } else if (!matcher.canSkipDirectory(relative) || forcedAncestors.has(relative)) {
          // Excluded, but something below may be re-included: its entry goes out only then.
          await walk(relative, [...pendingParents, { entry, written: false }]);
        }
        continue;
      }
      if (excluded) continue;
      if (stat.isFile()) {
        flush(pendingParents);
        entries.push({ name: relative, type: "file", mode: stat.mode, mtimeMs: stat.mtimeMs, size: stat.size, sourcePath: absolute });
        totalBytes += stat.size;
      } else if (stat.isSymbolicLink()) {
        const linkname = await fs.promises.readlink(absolute);
        flush(pendingParents);
        entries.push({ name: relative, type: "symlink", mode: stat.mode, mtimeMs: stat.mtimeMs, linkname });
      }
      // Sockets, FIFOs and devices are not sent.
    }
  };
  await walk("", []);

  let dockerfile = forced;
  let generatedDockerfile = false;
  if (forced === undefined || !forcedSeen) {
    const text = dockerfileText !== undefined ? Buffer.from(dockerfileText, "utf8") : await fs.promises.readFile(dockerfileAbs);
    dockerfile = `.shipshape.Dockerfile.${createHash("sha256").update(text).digest("hex").slice(0, 12)}`;
    generatedDockerfile = true;
    entries.push({ name: dockerfile, type: "file", mode: 0o644, mtimeMs: Date.now(), size: text.length, content: text });
    totalBytes += text.length;
  }

  const sentPaths = entries.map((entry) => entry.name);
  const sentFiles = entries
    .filter((entry) => entry.type === "file")
    .map((entry) => entry.name)
    .sort();
  const plan: ContextPlan = { contextDir, dockerfile: dockerfile as string, generatedDockerfile, patterns, entries, sentPaths, sentFiles, totalBytes };
  if (dockerignoreFile !== undefined) plan.dockerignoreFile = dockerignoreFile;
  return plan;
}

/** The plan's tar stream. */
export function packContext(plan: ContextPlan): Readable {
  return createTarStream(plan.entries);
}

/** `absolute` as a POSIX path relative to `root`, or undefined when it is not strictly inside. */
function toContextPath(root: string, absolute: string): string | undefined {
  const relative = path.relative(root, absolute);
  if (relative === "" || relative === ".." || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) return undefined;
  return relative.split(path.sep).join("/");
}
