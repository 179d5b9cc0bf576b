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
  readonly #keyBytes: LastBytes<K>;
  readonly #valueBytes: LastBytes<V>;

  constructor(bytes: BytesStore, keys: StoreSerde<K>, values: StoreSerde<V>) {
    this.name = bytes.name;
    this.bytes = bytes;
    this.keys = keys;
    this.values = values;
    this.#keyBytes = new LastBytes(keys);
    this.#valueBytes = new LastBytes(values);
  }

  /**
   * The key's bytes. Processors read a key and then write it (an aggregate's get and put, a
   * distinct step's has and put): the same key's bytes are handed out again (see LastBytes).
   */
  protected serializeKey(key: K): Buffer {
    return this.#keyBytes.of(key);
  }

  /** The value's bytes, the last string or number value's handed out again (see LastBytes). */
  protected serializeValue(value: V): Buffer {
    return this.#valueBytes.of(value);
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

/**
 * Serializes through a serde and keeps the bytes of the last string or number it serialized, to
 * hand them out again for the same value (Object.is). Objects are serialized every time: they may
 * have changed in place. The bytes handed out are shared: stores never write into a buffer given
 * to them.
 */
class LastBytes<T> {
  readonly #serde: StoreSerde<T>;
  #value: T | undefined;
  #bytes: Buffer | undefined;

  constructor(serde: StoreSerde<T>) {
    this.#serde = serde;
  }

  of(value: T): Buffer {
    if (this.#bytes !== undefined && Object.is(value, this.#value)) return this.#bytes;
    const bytes = this.#serde.serialize(value);
    if (typeof value === 'string' || typeof value === 'number') {
      this.#value = value;
      this.#bytes = bytes;
    }
    return bytes;
  }
}
