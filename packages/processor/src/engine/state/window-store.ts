import type { StoreSerde } from '../serde/serde.ts';
import type { BytesStore } from './bytes-store.ts';
import { emptyStoreCounts, type StoreOperationCounts } from './store-metrics.ts';
import { decodeWindowKey, encodeWindowKey, windowKeyRange } from './window-key.ts';

/**
 * The typed, metered top of a window store stack: one value per (key, window start). An entry's
 * timestamp is its window start, so retention is `expire(streamTime - retention)`.
 */
export class WindowStore<K, V> {
  readonly name: string;
  readonly counts: StoreOperationCounts = emptyStoreCounts();
  readonly #bytes: BytesStore;
  readonly #keys: StoreSerde<K>;
  readonly #values: StoreSerde<V>;

  constructor(bytes: BytesStore, keys: StoreSerde<K>, values: StoreSerde<V>) {
    this.name = bytes.name;
    this.#bytes = bytes;
    this.#keys = keys;
    this.#values = values;
  }

  get(key: K, windowStart: number): V | undefined {
    this.counts.gets++;
    const entry = this.#bytes.get(encodeWindowKey(this.#keys.serialize(key), windowStart));
    return entry === undefined ? undefined : this.#values.deserialize(entry.value);
  }

  put(key: K, windowStart: number, value: V): void {
    this.counts.puts++;
    this.#bytes.put(
      encodeWindowKey(this.#keys.serialize(key), windowStart),
      this.#values.serialize(value),
      windowStart,
    );
  }

  /** Every window of a key, oldest first. */
  *fetch(key: K): IterableIterator<[number, V]> {
    const [from, to] = windowKeyRange(this.#keys.serialize(key));
    for (const [composite, entry] of this.#bytes.range(from, to)) {
      yield [decodeWindowKey(composite).windowStart, this.#values.deserialize(entry.value)];
    }
  }

  /** Deletes windows that started before `before`; returns how many. */
  expire(before: number): number {
    const n = this.#bytes.expire(before).length;
    this.counts.expired += n;
    return n;
  }

  /** Decodes a composite key handed to a flush listener. */
  decodeKey(composite: Buffer): { key: K; windowStart: number } {
    const { key, windowStart } = decodeWindowKey(composite);
    return { key: this.#keys.deserialize(key), windowStart };
  }

  decodeValue(value: Buffer): V {
    return this.#values.deserialize(value);
  }

  approximateCount(): number {
    return this.#bytes.approximateCount();
  }
}
