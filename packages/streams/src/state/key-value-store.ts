import { TypedStore } from './typed-store.ts';

/**
 * The typed, metered top of a key-value store stack: what processors use. Each entry carries a
 * timestamp (its update or first-seen time) so that entries can expire after a horizon.
 */
export class KeyValueStore<K, V> extends TypedStore<K, V> {
  get(key: K): V | undefined {
    this.counts.gets++;
    const entry = this.bytes.get(this.serializeKey(key));
    return entry === undefined ? undefined : this.values.deserialize(entry.value);
  }

  /** The value and the timestamp it was written with. */
  getEntry(key: K): { value: V; timestamp: number } | undefined {
    this.counts.gets++;
    const entry = this.bytes.get(this.serializeKey(key));
    return entry === undefined
      ? undefined
      : { value: this.values.deserialize(entry.value), timestamp: entry.timestamp };
  }

  has(key: K): boolean {
    this.counts.gets++;
    return this.bytes.get(this.serializeKey(key)) !== undefined;
  }

  put(key: K, value: V, timestamp: number): void {
    this.counts.puts++;
    this.bytes.put(this.serializeKey(key), this.serializeValue(value), timestamp);
  }

  delete(key: K): void {
    this.counts.deletes++;
    this.bytes.delete(this.serializeKey(key));
  }

  *all(): IterableIterator<[K, V, number]> {
    for (const [key, entry] of this.bytes.range(Buffer.alloc(0))) {
      yield [this.keys.deserialize(key), this.values.deserialize(entry.value), entry.timestamp];
    }
  }

  /** Decodes a key and value handed to a flush listener. */
  decodeKey(key: Buffer): K {
    return this.keys.deserialize(key);
  }
}
