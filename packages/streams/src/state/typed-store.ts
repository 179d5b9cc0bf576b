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

  constructor(bytes: BytesStore, keys: StoreSerde<K>, values: StoreSerde<V>) {
    this.name = bytes.name;
    this.bytes = bytes;
    this.keys = keys;
    this.values = values;
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
