/**
 * Big-endian signed 64-bit integers for values held as JS numbers (|v| < 2^53), without BigInt:
 * the high 32 bits as a signed int, the low 32 bits unsigned. Same bytes as writeBigInt64BE.
 */
const TWO_32 = 2 ** 32;

export function writeInt64BE(buffer: Buffer, value: number, offset: number): void {
  const high = Math.floor(value / TWO_32);
  buffer.writeInt32BE(high, offset);
  buffer.writeUInt32BE(value - high * TWO_32, offset + 4);
}

export function readInt64BE(buffer: Buffer, offset: number): number {
  return buffer.readInt32BE(offset) * TWO_32 + buffer.readUInt32BE(offset + 4);
}

/** The same with the sign bit flipped, so that signed values sort as unsigned bytes. */
export function writeOrderedInt64BE(buffer: Buffer, value: number, offset: number): void {
  const high = Math.floor(value / TWO_32);
  buffer.writeUInt32BE((high ^ 0x80000000) >>> 0, offset);
  buffer.writeUInt32BE(value - high * TWO_32, offset + 4);
}

export function readOrderedInt64BE(buffer: Buffer, offset: number): number {
  return ((buffer.readUInt32BE(offset) ^ 0x80000000) | 0) * TWO_32 + buffer.readUInt32BE(offset + 4);
}
