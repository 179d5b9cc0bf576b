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
  out.writeBigUInt64BE(BigInt.asUintN(64, BigInt(windowStart) ^ SIGN_BIT), 4 + key.length);
  return out;
}

export function decodeWindowKey(data: Buffer): { key: Buffer; windowStart: number } {
  const length = data.readUInt32BE(0);
  const key = data.subarray(4, 4 + length);
  const windowStart = Number(BigInt.asIntN(64, data.readBigUInt64BE(4 + length) ^ SIGN_BIT));
  return { key, windowStart };
}

/** [from, to) covering every window of one key. */
export function windowKeyRange(key: Buffer): [Buffer, Buffer] {
  const prefix = Buffer.allocUnsafe(4 + key.length);
  prefix.writeUInt32BE(key.length, 0);
  key.copy(prefix, 4);
  return [Buffer.concat([prefix, Buffer.alloc(8, 0x00)]), Buffer.concat([prefix, Buffer.alloc(9, 0xff)])];
}

// Flipping the sign bit makes two's-complement starts sort as unsigned bytes.
const SIGN_BIT = 1n << 63n;
