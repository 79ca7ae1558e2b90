// Builds small ELF files for tests: a header, program headers (one PT_LOAD mapping the whole file
// at 0x400000, PT_INTERP when there is an interpreter, PT_DYNAMIC), the interpreter string, the
// dynamic string table and the dynamic section. Enough for the loader's view; no code.

export interface ElfSpec {
  bits?: 32 | 64;
  littleEndian?: boolean;
  /** e_machine number (62 = x86_64, 183 = aarch64, 3 = i386). */
  machine?: number;
  /** ET_EXEC (2) or ET_DYN (3). */
  type?: 2 | 3;
  interpreter?: string;
  needed?: string[];
  soname?: string;
  rpath?: string;
  runpath?: string;
  /** Leave out PT_DYNAMIC (a static binary). */
  static?: boolean;
}

const BASE = 0x400000;

export function buildElf(spec: ElfSpec = {}): Uint8Array {
  const bits = spec.bits ?? 64;
  const little = spec.littleEndian ?? true;
  const wide = bits === 64;
  const headerSize = wide ? 64 : 52;
  const phentsize = wide ? 56 : 32;
  const strings: string[] = [];
  const strtab: number[] = [0];
  const addString = (text: string): number => {
    const offset = strtab.length;
    strtab.push(...new TextEncoder().encode(text), 0);
    strings.push(text);
    return offset;
  };
  const dynamic: [number, number][] = [];
  for (const name of spec.needed ?? []) dynamic.push([1, addString(name)]);
  if (spec.soname !== undefined) dynamic.push([14, addString(spec.soname)]);
  if (spec.rpath !== undefined) dynamic.push([15, addString(spec.rpath)]);
  if (spec.runpath !== undefined) dynamic.push([29, addString(spec.runpath)]);
  const hasDynamic = spec.static !== true;
  const interp = spec.interpreter === undefined ? undefined : [...new TextEncoder().encode(spec.interpreter), 0];
  const phnum = 1 + (interp ? 1 : 0) + (hasDynamic ? 1 : 0);
  const interpOffset = headerSize + phnum * phentsize;
  const strtabOffset = interpOffset + (interp?.length ?? 0);
  const dynamicOffset = Math.ceil((strtabOffset + strtab.length) / 8) * 8;
  const entrySize = wide ? 16 : 8;
  // DT_STRTAB, DT_STRSZ, then the entries, then DT_NULL.
  const allDynamic: [number, number][] = hasDynamic ? [[5, BASE + strtabOffset], [10, strtab.length], ...dynamic, [0, 0]] : [];
  const total = dynamicOffset + allDynamic.length * entrySize;
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  const u16 = (offset: number, value: number): void => view.setUint16(offset, value, little);
  const u32 = (offset: number, value: number): void => view.setUint32(offset, value, little);
  const word = (offset: number, value: number): void => (wide ? view.setBigUint64(offset, BigInt(value), little) : view.setUint32(offset, value, little));
  bytes.set([0x7f, 0x45, 0x4c, 0x46, wide ? 2 : 1, little ? 1 : 2, 1], 0);
  u16(16, spec.type ?? 3);
  u16(18, spec.machine ?? 62);
  u32(20, 1);
  word(wide ? 32 : 28, headerSize);
  u16(wide ? 52 : 40, headerSize);
  u16(wide ? 54 : 42, phentsize);
  u16(wide ? 56 : 44, phnum);
  let ph = headerSize;
  const programHeader = (type: number, offset: number, size: number): void => {
    u32(ph, type);
    if (wide) {
      word(ph + 8, offset);
      word(ph + 16, BASE + offset);
      word(ph + 24, BASE + offset);
      word(ph + 32, size);
      word(ph + 40, size);
    } else {
      u32(ph + 4, offset);
      u32(ph + 8, BASE + offset);
      u32(ph + 12, BASE + offset);
      u32(ph + 16, size);
      u32(ph + 20, size);
    }
    ph += phentsize;
  };
  programHeader(1, 0, total);
  if (interp) {
    programHeader(3, interpOffset, interp.length);
    bytes.set(interp, interpOffset);
  }
  bytes.set(strtab, strtabOffset);
  if (hasDynamic) {
    programHeader(2, dynamicOffset, allDynamic.length * entrySize);
    allDynamic.forEach(([tag, value], index) => {
      word(dynamicOffset + index * entrySize, tag);
      word(dynamicOffset + index * entrySize + (wide ? 8 : 4), value);
    });
  }
  return bytes;
}
