// A minimal protobuf wire-format reader: enough to decode BuildKit's StatusResponse without
// generated code or a dependency. Unknown fields are skipped, as protobuf requires.

export type WireValue = { wireType: 0; value: bigint } | { wireType: 2; bytes: Uint8Array } | { wireType: 1 | 5; bytes: Uint8Array };

/** Field number -> values in order of appearance (repeated fields have several). */
export type Message = Map<number, WireValue[]>;

export function readMessage(bytes: Uint8Array): Message {
  const fields: Message = new Map();
  let offset = 0;
  while (offset < bytes.length) {
    const [key, afterKey] = readVarint(bytes, offset);
    offset = afterKey;
    const field = Number(key >> 3n);
    const wireType = Number(key & 7n);
    let value: WireValue;
    if (wireType === 0) {
      const [varint, next] = readVarint(bytes, offset);
      value = { wireType: 0, value: varint };
      offset = next;
    } else if (wireType === 2) {
      const [length, next] = readVarint(bytes, offset);
      const end = next + Number(length);
      if (end > bytes.length) throw new Error("protobuf: length-delimited field runs past the end");
      value = { wireType: 2, bytes: bytes.subarray(next, end) };
      offset = end;
    } else if (wireType === 1 || wireType === 5) {
      const size = wireType === 1 ? 8 : 4;
      value = { wireType, bytes: bytes.subarray(offset, offset + size) };
      offset += size;
    } else {
      throw new Error(`protobuf: unsupported wire type ${wireType}`);
    }
    const list = fields.get(field);
    if (list) list.push(value);
    else fields.set(field, [value]);
  }
  return fields;
}

function readVarint(bytes: Uint8Array, start: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  let offset = start;
  for (;;) {
    if (offset >= bytes.length) throw new Error("protobuf: truncated varint");
    const byte = bytes[offset++] as number;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, offset];
    shift += 7n;
    if (shift > 63n) throw new Error("protobuf: varint too long");
  }
}

const decoder = new TextDecoder();

export function stringField(message: Message, field: number): string | undefined {
  const value = message.get(field)?.at(-1);
  return value && value.wireType === 2 ? decoder.decode(value.bytes) : undefined;
}

export function stringFields(message: Message, field: number): string[] {
  return (message.get(field) ?? []).flatMap((value) => (value.wireType === 2 ? [decoder.decode(value.bytes)] : []));
}

export function bytesField(message: Message, field: number): Uint8Array | undefined {
  const value = message.get(field)?.at(-1);
  return value && value.wireType === 2 ? value.bytes : undefined;
}

export function intField(message: Message, field: number): number | undefined {
  const value = message.get(field)?.at(-1);
  return value && value.wireType === 0 ? Number(BigInt.asIntN(64, value.value)) : undefined;
}

export function boolField(message: Message, field: number): boolean {
  return intField(message, field) === 1;
}

export function messageFields(message: Message, field: number): Message[] {
  return (message.get(field) ?? []).flatMap((value) => (value.wireType === 2 ? [readMessage(value.bytes)] : []));
}

/** google.protobuf.Timestamp -> epoch milliseconds. */
export function timestampField(message: Message, field: number): number | undefined {
  const [timestamp] = messageFields(message, field);
  if (!timestamp) return undefined;
  const seconds = intField(timestamp, 1) ?? 0;
  const nanos = intField(timestamp, 2) ?? 0;
  return seconds * 1000 + Math.floor(nanos / 1e6);
}
