// A streaming tar reader: one pass over the source, entry by entry, never buffering a file body.
// Understands ustar, old v7 headers, GNU long names ('L') and long link names ('K'), GNU base-256
// numbers, and PAX extended ('x') and global ('g') headers (path, linkpath, size, uid, gid, mtime).
// Bodies are handed out as views into the source chunks; a body the consumer does not read (or
// reads only in part) is skipped when the next entry is requested. Nothing touches the disk.
// A source that can skip (SkippableBytes: a file read by offset) is asked to skip bodies
// instead of producing them, so listing a file-backed archive reads its headers, not its data.

export interface TarEntry {
  path: string;
  type: "file" | "directory" | "symlink" | "hardlink" | "other";
  size: number;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  linkTarget?: string;
}

export class TarFormatError extends Error {}

/**
 * A byte stream that can also move past bytes without producing them (a file read by offset).
 * `skip` applies after the chunks already produced and resolves to how many bytes it skipped:
 * fewer than asked only at the end of the stream.
 */
export interface SkippableBytes extends AsyncIterable<Uint8Array> {
  skip(length: number): Promise<number>;
}

export function canSkip(source: AsyncIterable<Uint8Array>): source is SkippableBytes {
  return typeof (source as Partial<SkippableBytes>).skip === "function";
}

const BLOCK = 512;
/** Upper bound for metadata bodies we do buffer (GNU long names, PAX headers). */
const MAX_METADATA_BYTES = 1024 * 1024;

/**
 * Normalizes an archive path: no leading "./" or "/", no "." or empty segments, no trailing "/".
 * The root directory ("./", "/") becomes ".". ".." segments are kept as they are: nothing is
 * extracted, so they are only names.
 */
export function normalizeTarPath(raw: string): string {
  const segments = raw.split("/").filter((segment) => segment !== "" && segment !== ".");
  return segments.length === 0 ? "." : segments.join("/");
}

/**
 * Pulls bytes out of an async iterable of chunks. Hands out subarrays of the source chunks (no
 * copies) except when a header straddles two chunks.
 */
class ByteSource {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private readonly skipper: SkippableBytes | undefined;
  private chunk: Uint8Array = new Uint8Array(0);
  private offset = 0;
  private done = false;
  /** Bytes consumed so far: used in error messages. */
  position = 0;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.iterator = source[Symbol.asyncIterator]();
    this.skipper = canSkip(source) ? source : undefined;
  }

  /** Ensures some unread bytes are buffered; false at the end of the source. */
  private async fill(): Promise<boolean> {
    while (this.offset >= this.chunk.length) {
      if (this.done) return false;
      const next = await this.iterator.next();
      if (next.done === true) {
        this.done = true;
        return false;
      }
      this.chunk = next.value;
      this.offset = 0;
    }
    return true;
  }

  /** Up to `max` bytes (at least one) as a view, or undefined at the end of the source. */
  async readSome(max: number): Promise<Uint8Array | undefined> {
    if (!(await this.fill())) return undefined;
    const length = Math.min(max, this.chunk.length - this.offset);
    const view = this.chunk.subarray(this.offset, this.offset + length);
    this.offset += length;
    this.position += length;
    return view;
  }

  /** Exactly `length` bytes, or undefined when the source ends first (partial data is dropped). */
  async readExact(length: number): Promise<Uint8Array | undefined> {
    const first = await this.readSome(length);
    if (first === undefined || first.length === length) return first;
    const out = new Uint8Array(length);
    out.set(first, 0);
    let filled = first.length;
    while (filled < length) {
      const more = await this.readSome(length - filled);
      if (more === undefined) return undefined;
      out.set(more, filled);
      filled += more.length;
    }
    return out;
  }

  /** Skips `length` bytes; returns how many were actually skipped (fewer at the end of the source). */
  async skip(length: number): Promise<number> {
    // What is buffered first, then the source skips the rest without reading it when it can.
    const buffered = Math.min(length, this.chunk.length - this.offset);
    this.offset += buffered;
    this.position += buffered;
    let skipped = buffered;
    if (skipped < length && this.skipper !== undefined && !this.done) {
      const moved = await this.skipper.skip(length - skipped);
      this.position += moved;
      skipped += moved;
    }
    while (skipped < length) {
      const view = await this.readSome(length - skipped);
      if (view === undefined) break;
      skipped += view.length;
    }
    return skipped;
  }

  /** Stops the source early (e.g. after the end-of-archive marker). */
  async close(): Promise<void> {
    if (!this.done) {
      this.done = true;
      await this.iterator.return?.();
    }
  }
}

const textDecoder = new TextDecoder("utf-8");

function readString(block: Uint8Array, start: number, length: number): string {
  let end = start;
  const limit = start + length;
  while (end < limit && block[end] !== 0) end++;
  return textDecoder.decode(block.subarray(start, end));
}

/** Octal ASCII (space/NUL padded) or GNU base-256 (high bit of the first byte set). */
function readNumber(block: Uint8Array, start: number, length: number): number {
  const first = block[start] ?? 0;
  if ((first & 0x80) !== 0) {
    // Base-256, big-endian, two's complement; bit 6 of the first byte is the sign.
    const negative = (first & 0x40) !== 0;
    let value = 0;
    for (let index = start; index < start + length; index++) {
      let byte = block[index] ?? 0;
      if (index === start) byte &= 0x7f;
      if (negative) byte = ~byte & 0xff;
      value = value * 256 + byte;
    }
    return negative ? -(value + 1) : value;
  }
  let value = 0;
  let seenDigit = false;
  for (let index = start; index < start + length; index++) {
    const byte = block[index] ?? 0;
    if (byte >= 0x30 && byte <= 0x37) {
      value = value * 8 + (byte - 0x30);
      seenDigit = true;
    } else if (byte === 0 || byte === 0x20) {
      if (seenDigit) break;
    } else {
      throw new TarFormatError(`invalid octal number in tar header: ${JSON.stringify(readString(block, start, length))}`);
    }
  }
  return value;
}

function isZeroBlock(block: Uint8Array): boolean {
  for (let index = 0; index < BLOCK; index++) if (block[index] !== 0) return false;
  return true;
}

/** The header checksum: unsigned sum of all bytes with the checksum field counted as spaces. */
function checksumMatches(block: Uint8Array): boolean {
  let unsigned = 0;
  let signed = 0;
  for (let index = 0; index < BLOCK; index++) {
    const byte = index >= 148 && index < 156 ? 0x20 : (block[index] ?? 0);
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  let stored: number;
  try {
    stored = readNumber(block, 148, 8);
  } catch {
    return false;
  }
  // Some historic writers used signed bytes; accept both like GNU tar does.
  return stored === unsigned || stored === signed;
}

/** True when `block` (the first 512 bytes of something) is a valid tar header or an empty archive. */
export function looksLikeTar(block: Uint8Array): boolean {
  if (block.length < BLOCK) return false;
  return isZeroBlock(block) || checksumMatches(block);
}

interface PaxValues {
  path?: string;
  linkpath?: string;
  size?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
}

/** PAX records: "<length> <key>=<value>\n", length counting the whole record in bytes. */
function parsePax(body: Uint8Array, into: PaxValues): void {
  let offset = 0;
  while (offset < body.length) {
    let space = offset;
    while (space < body.length && body[space] !== 0x20) space++;
    const lengthText = textDecoder.decode(body.subarray(offset, space));
    const recordLength = Number.parseInt(lengthText, 10);
    if (!Number.isFinite(recordLength) || recordLength <= 0 || offset + recordLength > body.length) {
      if (body.subarray(offset).every((byte) => byte === 0)) return; // NUL padding
      throw new TarFormatError(`malformed PAX record at offset ${offset}`);
    }
    // Exclude the trailing newline.
    const record = textDecoder.decode(body.subarray(space + 1, offset + recordLength - 1));
    offset += recordLength;
    const equals = record.indexOf("=");
    if (equals < 0) continue;
    const key = record.slice(0, equals);
    const value = record.slice(equals + 1);
    switch (key) {
      case "path":
        into.path = value;
        break;
      case "linkpath":
        into.linkpath = value;
        break;
      case "size":
      case "uid":
      case "gid":
      case "mtime": {
        const number = Number(value);
        if (Number.isFinite(number)) into[key] = key === "mtime" ? number : Math.trunc(number);
        break;
      }
      default:
        break;
    }
  }
}

function entryType(flag: string, name: string): TarEntry["type"] {
  switch (flag) {
    case "0":
    case "\0":
    case "":
    case "7":
      // Old (v7) archives mark directories only by a trailing slash.
      return name.endsWith("/") ? "directory" : "file";
    case "1":
      return "hardlink";
    case "2":
      return "symlink";
    case "5":
      return "directory";
    default:
      return "other";
  }
}

/** Types whose header is never followed by data, whatever the size field says. */
function hasNoBody(flag: string): boolean {
  return flag === "1" || flag === "2" || flag === "3" || flag === "4" || flag === "5" || flag === "6";
}

function paddedLength(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}

async function readMetadataBody(source: ByteSource, size: number, what: string): Promise<Uint8Array> {
  if (size > MAX_METADATA_BYTES) throw new TarFormatError(`${what} of ${size} bytes is larger than ${MAX_METADATA_BYTES}`);
  const body = await source.readExact(size);
  if (body === undefined) throw new TarFormatError(`tar stream ends inside a ${what}`);
  // Copy: the view may point into a chunk we keep reading from.
  const copy = body.slice();
  await source.skip(paddedLength(size) - size);
  return copy;
}

/** Reads a tar stream entry by entry. A body that the consumer does not read is skipped. */
export async function* readTar(source: AsyncIterable<Uint8Array>): AsyncGenerator<{ entry: TarEntry; body: AsyncIterable<Uint8Array> }> {
  const bytes = new ByteSource(source);
  const global: PaxValues = {};
  let local: PaxValues = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  try {
    for (;;) {
      const headerStart = bytes.position;
      const header = await bytes.readExact(BLOCK);
      // A missing end-of-archive marker is tolerated (like GNU tar): the stream just ends.
      if (header === undefined) return;
      if (isZeroBlock(header)) return;
      if (!checksumMatches(header)) throw new TarFormatError(`bad tar header checksum at byte ${headerStart}`);

      const flag = String.fromCharCode(header[156] ?? 0);
      const headerSize = readNumber(header, 124, 12);

      if (flag === "L" || flag === "K") {
        const text = readString(await readMetadataBody(bytes, headerSize, "GNU long name"), 0, headerSize);
        if (flag === "L") longName = text;
        else longLink = text;
        continue;
      }
      if (flag === "x" || flag === "g") {
        const body = await readMetadataBody(bytes, headerSize, "PAX header");
        parsePax(body, flag === "x" ? local : global);
        continue;
      }

      const magic = readString(header, 257, 6);
      const version = readString(header, 263, 2);
      // POSIX ustar ("ustar\0" + "00") has a name prefix field; GNU ("ustar  \0") uses it for times.
      const prefix = magic === "ustar" && version !== " " ? readString(header, 345, 155) : "";
      const headerName = readString(header, 0, 100);
      const rawName = local.path ?? longName ?? global.path ?? (prefix === "" ? headerName : `${prefix}/${headerName}`);
      const rawLink = local.linkpath ?? longLink ?? global.linkpath ?? readString(header, 157, 100);
      const type = entryType(flag, rawName);
      const dataSize = hasNoBody(flag) ? 0 : (local.size ?? global.size ?? headerSize);

      const entry: TarEntry = {
        path: normalizeTarPath(rawName),
        type,
        size: type === "file" || type === "other" ? dataSize : 0,
        mode: readNumber(header, 100, 8),
        uid: local.uid ?? global.uid ?? readNumber(header, 108, 8),
        gid: local.gid ?? global.gid ?? readNumber(header, 116, 8),
        mtime: local.mtime ?? global.mtime ?? readNumber(header, 136, 12),
      };
      if (type === "symlink" || type === "hardlink") {
        // Hard link targets are archive paths; symlink targets are what the link says.
        entry.linkTarget = type === "hardlink" ? normalizeTarPath(rawLink) : rawLink;
      }
      local = {};
      longName = undefined;
      longLink = undefined;

      let remaining = dataSize;
      let bodyOpen = true;
      // A consumer may still have a read in flight when it asks for the next entry (a stream
      // reading ahead, e.g. zlib fed by Readable.from): the skip below must wait for it, and
      // the bytes it took must be counted before the skip is computed.
      let inFlight: Promise<unknown> | undefined;
      const body: SkippableBytes = {
        async *[Symbol.asyncIterator]() {
          while (bodyOpen && remaining > 0) {
            const read = bytes.readSome(remaining).then((view) => {
              if (view !== undefined) remaining -= view.length;
              return view;
            });
            inFlight = read;
            const view = await read;
            inFlight = undefined;
            if (view === undefined) throw new TarFormatError(`tar stream ends inside ${entry.path}`);
            yield view;
          }
        },
        // Lets a nested reader (a layer tar inside this entry) skip its own bodies.
        async skip(length: number): Promise<number> {
          if (!bodyOpen) return 0;
          if (inFlight !== undefined) await inFlight.catch(() => undefined);
          const skipped = await bytes.skip(Math.min(length, remaining));
          remaining -= skipped;
          return skipped;
        },
      };
      yield { entry, body };
      bodyOpen = false;
      if (inFlight !== undefined) await inFlight.catch(() => undefined);
      const toSkip = remaining + (paddedLength(dataSize) - dataSize);
      const skipped = await bytes.skip(toSkip);
      if (skipped < remaining) throw new TarFormatError(`tar stream ends inside ${entry.path}`);
    }
  } finally {
    await bytes.close();
  }
}
