import type { StoreSerde } from '../serde/serde.ts';
import type { BytesStore } from './bytes-store.ts';
import { emptyStoreCounts, type StoreOperationCounts } from './store-metrics.ts';

/** What the typed, metered tops of store stacks share: serdes over a byte store, and counts. */
export abstract class TypedStore<K, V> {
  readonly name: string;
  readonly counts: StoreOperationCounts = emptyStoreCounts();
  protected readonly bytes: BytesStore;
  protected readonly keys: StoreSerde<K>;
  protected readonly values: StoreSerde<V>;
  #lastKey: K | undefined;
  #lastKeyBytes: Buffer | undefined;
  #lastValue: V | undefined;
  #lastValueBytes: Buffer | undefined;

  constructor(bytes: BytesStore, keys: StoreSerde<K>, values: StoreSerde<V>) {
    this.name = bytes.name;
    this.bytes = bytes;
    this.keys = keys;
    this.values = values;
  }

  /**
   * The key's bytes. Processors read a key and then write it (an aggregate's get and put, a
   * distinct step's has and put): the bytes of the last string or number key are kept and handed
   * out again for the same key. Object keys are serialized every time, since they may have changed.
   */
  protected serializeKey(key: K): Buffer {
    if (this.#lastKeyBytes !== undefined && Object.is(key, this.#lastKey)) return this.#lastKeyBytes;
    const bytes = this.keys.serialize(key);
    if (typeof key === 'string' || typeof key === 'number') {
      this.#lastKey = key;
      this.#lastKeyBytes = bytes;
    }
    return bytes;
  }

  /** The value's bytes; as for keys, those of the last string or number value are reused. */
  protected serializeValue(value: V): Buffer {
    if (this.#lastValueBytes !== undefined && Object.is(value, this.#lastValue)) return this.#lastValueBytes;
    const bytes = this.values.serialize(value);
    if (typeof value === 'string' || typeof value === 'number') {
      this.#lastValue = value;
      this.#lastValueBytes = bytes;
    }
    return bytes;
  }

  /** Deletes entries whose timestamp is before `before`; returns how many. */
  expire(before: number): number {
    const n = this.bytes.expire(before).length;
    this.counts.expired += n;
    return n;
  }

  /** Decodes a value handed to a flush listener. */
  decodeValue(value: Buffer): V {
    return this.values.deserialize(value);
  }

  approximateCount(): number {
    return this.bytes.approximateCount();
  }
}
