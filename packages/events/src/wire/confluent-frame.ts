import { FrameError, type RecordContext } from '../errors.ts';

/**
 * The Confluent wire format: byte 0 is the magic byte 0, bytes 1-4 the schema id as a big-endian
 * int32, the rest the Avro binary body.
 *
 *   +-------+----------------+----------------------+
 *   | 0x00  | schema id (BE) | Avro binary encoding |
 *   +-------+----------------+----------------------+
 *     1 B         4 B              n B
 */
export const MAGIC_BYTE = 0;
export const FRAME_HEADER_BYTES = 5;

export interface Frame {
  schemaId: number;
  body: Buffer;
}

export function encodeFrame(schemaId: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
  out.writeUInt8(MAGIC_BYTE, 0);
  out.writeInt32BE(schemaId, 1);
  body.copy(out, FRAME_HEADER_BYTES);
  return out;
}

export function decodeFrame(message: Buffer | null | undefined, context: RecordContext = {}): Frame {
  if (message == null || message.length < FRAME_HEADER_BYTES) {
    throw new FrameError(
      'FRAME_TOO_SHORT',
      `message of ${message?.length ?? 0} bytes is shorter than the ${FRAME_HEADER_BYTES}-byte Confluent header`,
      { context },
    );
  }
  const magic = message.readUInt8(0);
  if (magic !== MAGIC_BYTE) {
    throw new FrameError('BAD_MAGIC_BYTE', `magic byte is ${magic}, expected ${MAGIC_BYTE}`, { context });
  }
  return { schemaId: message.readInt32BE(1), body: message.subarray(FRAME_HEADER_BYTES) };
}
