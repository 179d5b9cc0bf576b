import { readOrderedInt64BE, writeOrderedInt64BE } from '../wire/int64.ts';

/**
 * Composite key of a window store: the record key's bytes, then the window start, so that all
 * windows of one key are adjacent and ordered by start in the byte order SQLite compares.
 *
 *   +---------------------+------------+--------------------------------------+
 *   | key length (u32 BE) | key bytes  | window start (i64 BE, sign bit flipped) |
 *   +---------------------+------------+--------------------------------------+
 */
export function encodeWindowKey(key: Buffer, windowStart: number): Buffer {
  const out = Buffer.allocUnsafe(4 + key.length + 8);
  out.writeUInt32BE(key.length, 0);
  key.copy(out, 4);
  writeOrderedInt64BE(out, windowStart, 4 + key.length);
  return out;
}

export function decodeWindowKey(data: Buffer): { key: Buffer; windowStart: number } {
  const length = data.readUInt32BE(0);
  const key = data.subarray(4, 4 + length);
  const windowStart = readOrderedInt64BE(data, 4 + length);
  return { key, windowStart };
}

/** [from, to) covering every window of one key. */
export function windowKeyRange(key: Buffer): [Buffer, Buffer] {
  const prefix = Buffer.allocUnsafe(4 + key.length);
  prefix.writeUInt32BE(key.length, 0);
  key.copy(prefix, 4);
  return [Buffer.concat([prefix, Buffer.alloc(8, 0x00)]), Buffer.concat([prefix, Buffer.alloc(9, 0xff)])];
}
