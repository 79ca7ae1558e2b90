// Turns file bytes into text the way an editor would, or says clearly why it can't.
import { formatBytes } from "../format/index.ts";
/** 4 MB (decimal, like every size shipshape prints). */
export const MAX_TEXT_BYTES = 4_000_000;

export type Decoded = { text: string; note?: string } | { error: string };

export function decodeText(bytes: Uint8Array): Decoded {
  if (bytes.length > MAX_TEXT_BYTES) return { error: `file too large to audit (${formatBytes(bytes.length)}; limit ${formatBytes(MAX_TEXT_BYTES)})` };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder("utf-16le").decode(bytes.subarray(2)), note: "decoded as UTF-16LE" };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: new TextDecoder("utf-16be").decode(bytes.subarray(2)), note: "decoded as UTF-16BE" };
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  const sample = body.subarray(0, 8192);
  let controls = 0;
  for (const byte of sample) {
    if (byte === 0) return { error: "binary file (contains NUL bytes), not a text file" };
    if (byte < 9 || (byte > 13 && byte < 32)) controls++;
  }
  if (sample.length > 0 && controls / sample.length > 0.05) return { error: "binary file (control characters), not a text file" };
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(body) };
  } catch {
    // Legacy encodings: every byte is a Latin-1 character, so the structure still parses.
    return { text: new TextDecoder("latin1").decode(body), note: "not valid UTF-8; decoded as Latin-1" };
  }
}
