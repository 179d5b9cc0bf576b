import { readInt64BE, writeInt64BE } from '../wire/int64.ts';

/**
 * Serdes of the engine. Store serdes run inside record processing and must be synchronous;
 * topic serdes may be asynchronous (a schema registry lookup): sources decode a whole batch before
 * processing it, sinks encode at commit time.
 */
export interface StoreSerde<T> {
  serialize(value: T): Buffer;
  deserialize(data: Buffer): T;
}

export interface TopicSerde<T> {
  serialize(value: T): Buffer | Promise<Buffer>;
  deserialize(data: Buffer): T | Promise<T>;
}

export const stringSerde: StoreSerde<string> = {
  serialize: (value) => Buffer.from(value, 'utf8'),
  deserialize: (data) => data.toString('utf8'),
};

export const bufferSerde: StoreSerde<Buffer> = {
  serialize: (value) => value,
  deserialize: (data) => data,
};

/** JSON for plain objects of numbers, strings, booleans and nulls. */
export function jsonSerde<T>(): StoreSerde<T> {
  return {
    serialize: (value) => Buffer.from(JSON.stringify(value), 'utf8'),
    deserialize: (data) => JSON.parse(data.toString('utf8')) as T,
  };
}

/** A signed 64-bit integer, big-endian, held as a JS number (safe below 2^53). */
export const int64Serde: StoreSerde<number> = {
  serialize: (value) => {
    const out = Buffer.allocUnsafe(8);
    writeInt64BE(out, value, 0);
    return out;
  },
  deserialize: (data) => readInt64BE(data, 0),
};
