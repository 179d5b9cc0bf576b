import { TypedStore } from './typed-store.ts';
import { decodeWindowKey, encodeWindowKey, windowKeyRange } from './window-key.ts';

/**
 * The typed, metered top of a window store stack: one value per (key, window start). An entry's
 * timestamp is its window start, so retention is `expire(streamTime - retention)`.
 */
export class WindowStore<K, V> extends TypedStore<K, V> {
  #lastKeyBytes: Buffer | undefined;
  #lastWindowStart = 0;
  #lastComposite: Buffer | undefined;

  get(key: K, windowStart: number): V | undefined {
    this.counts.gets++;
    const entry = this.bytes.get(this.#composite(key, windowStart));
    return entry === undefined ? undefined : this.values.deserialize(entry.value);
  }

  put(key: K, windowStart: number, value: V): void {
    this.counts.puts++;
    this.bytes.put(this.#composite(key, windowStart), this.serializeValue(value), windowStart);
  }

  /** The composite key; the last one is handed out again for the same key and window (get, then put). */
  #composite(key: K, windowStart: number): Buffer {
    const bytes = this.serializeKey(key);
    if (bytes !== this.#lastKeyBytes || windowStart !== this.#lastWindowStart || !this.#lastComposite) {
      this.#lastKeyBytes = bytes;
      this.#lastWindowStart = windowStart;
      this.#lastComposite = encodeWindowKey(bytes, windowStart);
    }
    return this.#lastComposite;
  }

  /** Every window of a key, oldest first. */
  *fetch(key: K): IterableIterator<[number, V]> {
    const [from, to] = windowKeyRange(this.serializeKey(key));
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
