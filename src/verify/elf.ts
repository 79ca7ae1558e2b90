// What a native ELF binary needs to start: its program interpreter (PT_INTERP, the dynamic
// loader) and the shared libraries it names (DT_NEEDED), plus the search paths baked into it
// (DT_RPATH, DT_RUNPATH). Read from the program headers and the dynamic segment only: section
// headers can be stripped, the loader never reads them, and neither do we.

export interface ElfInfo {
  bits: 32 | 64;
  littleEndian: boolean;
  /** e_machine as a name ("x86_64", "aarch64", ...) or "machine-<n>". */
  machine: string;
  /** "executable" (ET_EXEC), "shared" (ET_DYN: libraries and PIE executables), or "other". */
  type: "executable" | "shared" | "other";
  /** PT_INTERP: the loader path, e.g. /lib64/ld-linux-x86-64.so.2; undefined for static binaries and most libraries. */
  interpreter?: string;
  /** DT_NEEDED in order. */
  needed: string[];
  soname?: string;
  /** DT_RPATH entries (searched before LD_LIBRARY_PATH, ignored when DT_RUNPATH is present). */
  rpath: string[];
  /** DT_RUNPATH entries (searched after LD_LIBRARY_PATH). */
  runpath: string[];
}

export class ElfFormatError extends Error {}

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NULL = 0;
const DT_NEEDED = 1;
const DT_STRTAB = 5;
const DT_STRSZ = 10;
const DT_SONAME = 14;
const DT_RPATH = 15;
const DT_RUNPATH = 29;

const MACHINES: Record<number, string> = { 3: "i386", 8: "mips", 20: "ppc", 21: "ppc64", 22: "s390", 40: "arm", 62: "x86_64", 183: "aarch64", 243: "riscv", 258: "loongarch" };

/** The four bytes every ELF file starts with. */
export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

interface Segment {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
}

class Reader {
  readonly view: DataView;
  readonly bytes: Uint8Array;
  readonly little: boolean;
  readonly wide: boolean;

  constructor(bytes: Uint8Array, little: boolean, wide: boolean) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.little = little;
    this.wide = wide;
  }

  check(offset: number, length: number, what: string): void {
    if (offset < 0 || length < 0 || offset + length > this.bytes.length) throw new ElfFormatError(`truncated ELF: ${what} at ${offset}+${length} is past the end (${this.bytes.length} bytes)`);
  }

  u16(offset: number): number {
    this.check(offset, 2, "field");
    return this.view.getUint16(offset, this.little);
  }

  u32(offset: number): number {
    this.check(offset, 4, "field");
    return this.view.getUint32(offset, this.little);
  }

  /** A word (32 or 64 bits) as a number; offsets and addresses beyond 2^53 are not real files. */
  word(offset: number): number {
    if (!this.wide) return this.u32(offset);
    this.check(offset, 8, "field");
    const value = this.view.getBigUint64(offset, this.little);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ElfFormatError(`ELF value ${value} is too large`);
    return Number(value);
  }

  /** A signed word (d_tag). */
  signedWord(offset: number): number {
    if (!this.wide) {
      this.check(offset, 4, "field");
      return this.view.getInt32(offset, this.little);
    }
    this.check(offset, 8, "field");
    return Number(this.view.getBigInt64(offset, this.little));
  }

  string(offset: number, limit: number): string {
    this.check(offset, 0, "string");
    const end = Math.min(limit, this.bytes.length);
    let stop = offset;
    while (stop < end && this.bytes[stop] !== 0) stop++;
    return new TextDecoder().decode(this.bytes.subarray(offset, stop));
  }
}

function splitSearchPath(value: string): string[] {
  return value.split(":").filter((entry) => entry !== "");
}

/**
 * Parses an ELF file (whole, or at least every byte up to the end of its dynamic segment and
 * string table). Returns undefined when the bytes are not ELF; throws ElfFormatError when they
 * are ELF but malformed or cut short.
 */
export function parseElf(bytes: Uint8Array): ElfInfo | undefined {
  if (!isElf(bytes)) return undefined;
  if (bytes.length < 52) throw new ElfFormatError("truncated ELF header");
  const elfClass = bytes[4];
  const elfData = bytes[5];
  if (elfClass !== 1 && elfClass !== 2) throw new ElfFormatError(`unknown ELF class ${elfClass}`);
  if (elfData !== 1 && elfData !== 2) throw new ElfFormatError(`unknown ELF data encoding ${elfData}`);
  const wide = elfClass === 2;
  const reader = new Reader(bytes, elfData === 1, wide);
  const eType = reader.u16(16);
  const eMachine = reader.u16(18);
  const phoff = reader.word(wide ? 32 : 28);
  const phentsize = reader.u16(wide ? 54 : 42);
  const phnum = reader.u16(wide ? 56 : 44);

  const segments: Segment[] = [];
  for (let index = 0; index < phnum; index++) {
    const base = phoff + index * phentsize;
    reader.check(base, wide ? 56 : 32, "program header");
    // Elf64_Phdr: type u32, flags u32, offset, vaddr, paddr, filesz, memsz, align.
    // Elf32_Phdr: type, offset, vaddr, paddr, filesz, memsz, flags, align (all u32).
    const type = reader.u32(base);
    const offset = reader.word(wide ? base + 8 : base + 4);
    const vaddr = reader.word(wide ? base + 16 : base + 8);
    const filesz = reader.word(wide ? base + 32 : base + 16);
    segments.push({ type, offset, vaddr, filesz });
  }

  const info: ElfInfo = {
    bits: wide ? 64 : 32,
    littleEndian: elfData === 1,
    machine: MACHINES[eMachine] ?? `machine-${eMachine}`,
    type: eType === 2 ? "executable" : eType === 3 ? "shared" : "other",
    needed: [],
    rpath: [],
    runpath: [],
  };

  const interp = segments.find((segment) => segment.type === PT_INTERP);
  if (interp) {
    reader.check(interp.offset, interp.filesz, "PT_INTERP");
    info.interpreter = reader.string(interp.offset, interp.offset + interp.filesz);
  }

  const dynamic = segments.find((segment) => segment.type === PT_DYNAMIC);
  if (!dynamic) return info;
  reader.check(dynamic.offset, dynamic.filesz, "PT_DYNAMIC");
  const entrySize = wide ? 16 : 8;
  const tags: { tag: number; value: number }[] = [];
  for (let offset = dynamic.offset; offset + entrySize <= dynamic.offset + dynamic.filesz; offset += entrySize) {
    const tag = reader.signedWord(offset);
    if (tag === DT_NULL) break;
    tags.push({ tag, value: reader.word(offset + (wide ? 8 : 4)) });
  }
  const strtabAddress = tags.find((entry) => entry.tag === DT_STRTAB)?.value;
  if (strtabAddress === undefined) return info;
  const strtabSize = tags.find((entry) => entry.tag === DT_STRSZ)?.value ?? bytes.length;
  // DT_STRTAB is a virtual address: the PT_LOAD segment that maps it gives the file offset.
  const load = segments.find((segment) => segment.type === PT_LOAD && strtabAddress >= segment.vaddr && strtabAddress < segment.vaddr + segment.filesz);
  const strtab = load ? strtabAddress - load.vaddr + load.offset : strtabAddress;
  const stringAt = (offset: number): string => {
    if (offset >= strtabSize) throw new ElfFormatError(`dynamic string offset ${offset} is outside the string table (${strtabSize} bytes)`);
    return reader.string(strtab + offset, strtab + strtabSize);
  };
  for (const { tag, value } of tags) {
    if (tag === DT_NEEDED) info.needed.push(stringAt(value));
    else if (tag === DT_SONAME) info.soname = stringAt(value);
    else if (tag === DT_RPATH) info.rpath.push(...splitSearchPath(stringAt(value)));
    else if (tag === DT_RUNPATH) info.runpath.push(...splitSearchPath(stringAt(value)));
  }
  return info;
}

/** `#!/usr/bin/env node` -> { interpreter: "/usr/bin/env", argument: "node" }; undefined when not a script. */
export function parseShebang(bytes: Uint8Array): { interpreter: string; argument?: string } | undefined {
  if (bytes.length < 3 || bytes[0] !== 0x23 || bytes[1] !== 0x21) return undefined;
  let end = 2;
  while (end < bytes.length && end < 256 && bytes[end] !== 0x0a) end++;
  const line = new TextDecoder().decode(bytes.subarray(2, end)).replace(/\r$/, "").trim();
  if (line === "") return undefined;
  // Linux passes everything after the interpreter as one argument.
  const space = line.search(/[ \t]/);
  if (space < 0) return { interpreter: line };
  const argument = line.slice(space + 1).trim();
  return argument === "" ? { interpreter: line.slice(0, space) } : { interpreter: line.slice(0, space), argument };
}
