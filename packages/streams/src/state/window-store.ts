import { TypedStore } from './typed-store.ts';
import { decodeWindowKey, encodeWindowKey, windowKeyRange } from './window-key.ts';

/**
 * The typed, metered top of a window store stack: one value per (key, window start). An entry's
 * timestamp is its window start, so retention is `expire(streamTime - retention)`.
 */
export class WindowStore<K, V> extends TypedStore<K, V> {
  get(key: K, windowStart: number): V | undefined {
    this.counts.gets++;
    const entry = this.bytes.get(encodeWindowKey(this.keys.serialize(key), windowStart));
    return entry === undefined ? undefined : this.values.deserialize(entry.value);
  }

  put(key: K, windowStart: number, value: V): void {
    this.counts.puts++;
    this.bytes.put(
      encodeWindowKey(this.keys.serialize(key), windowStart),
      this.values.serialize(value),
      windowStart,
    );
  }

  /** Every window of a key, oldest first. */
  *fetch(key: K): IterableIterator<[number, V]> {
    const [from, to] = windowKeyRange(this.keys.serialize(key));
    for (const [composite, entry] of this.bytes.range(from, to)) {
      yield [decodeWindowKey(composite).windowStart, this.values.deserialize(entry.value)];
    }
  }

  /** Decodes a composite key handed to a flush listener. */
  decodeKey(composite: Buffer): { key: K; windowStart: number } {
    const { key, windowStart } = decodeWindowKey(composite);
    return { key: this.keys.deserialize(key), windowStart };
  }
}
