/**
 * A state store's changelog record, the only thing a store needs to be rebuilt.
 *
 *   key:   the store's key bytes, as the SQLite store holds them
 *   value: null for a deletion (a tombstone, which compaction eventually drops), else
 *          +---------+---------------------+--------------+
 *          | version | timestamp (int64 BE) | value bytes  |
 *          +---------+---------------------+--------------+
 *             1 B            8 B                 n B
 * The timestamp is the entry's time (window start, first-seen time, update time) that retention
 * and expiry are computed from.
 */
import { readInt64BE, writeInt64BE } from './int64.ts';

export const CHANGELOG_VALUE_VERSION = 1;
const HEADER_BYTES = 9;

export interface ChangelogEntry {
  value: Buffer;
  timestamp: number;
}

export class ChangelogFormatError extends Error {
  readonly retriable = false;
  constructor(message: string) {
    super(message);
    this.name = 'ChangelogFormatError';
  }
}

export function encodeChangelogValue(value: Buffer, timestamp: number): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + value.length);
  out.writeUInt8(CHANGELOG_VALUE_VERSION, 0);
  writeInt64BE(out, timestamp, 1);
  value.copy(out, HEADER_BYTES);
  return out;
}

export function decodeChangelogValue(data: Buffer | null): ChangelogEntry | null {
  if (data === null) return null;
  if (data.length < HEADER_BYTES)
    throw new ChangelogFormatError(`changelog value of ${data.length} bytes is too short`);
  const version = data.readUInt8(0);
  if (version !== CHANGELOG_VALUE_VERSION)
    throw new ChangelogFormatError(`unknown changelog value version ${version}`);
  return { timestamp: readInt64BE(data, 1), value: data.subarray(HEADER_BYTES) };
}
