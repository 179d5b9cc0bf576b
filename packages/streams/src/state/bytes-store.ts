/** What a store holds per key: the value bytes and the entry's time, from which expiry is computed. */
export interface StoredEntry {
  value: Buffer;
  timestamp: number;
}

/**
 * The byte-level store every layer implements. The innermost is SQLite; the layers above it
 * (change-logging, caching, metering) each extend DelegatingBytesStore and override only what
 * they change.
 */
export interface BytesStore {
  readonly name: string;
  get(key: Buffer): StoredEntry | undefined;
  put(key: Buffer, value: Buffer, timestamp: number): void;
  delete(key: Buffer): void;
  /** Entries with from <= key < to (or every key from `from` on), in key order. */
  range(from: Buffer, to?: Buffer): IterableIterator<[Buffer, StoredEntry]>;
  /** Deletes every entry whose timestamp is before `before`; returns the deleted keys. */
  expire(before: number): Buffer[];
  /** Writes whatever a layer holds back down to the inner store. */
  flush(): void;
  /** Number of entries (counting only what has been flushed). */
  approximateCount(): number;
}

export abstract class DelegatingBytesStore implements BytesStore {
  protected readonly inner: BytesStore;

  constructor(inner: BytesStore) {
    this.inner = inner;
  }

  get name(): string {
    return this.inner.name;
  }
  get(key: Buffer): StoredEntry | undefined {
    return this.inner.get(key);
  }
  put(key: Buffer, value: Buffer, timestamp: number): void {
    this.inner.put(key, value, timestamp);
  }
  delete(key: Buffer): void {
    this.inner.delete(key);
  }
  range(from: Buffer, to?: Buffer): IterableIterator<[Buffer, StoredEntry]> {
    return this.inner.range(from, to);
  }
  expire(before: number): Buffer[] {
    return this.inner.expire(before);
  }
  flush(): void {
    this.inner.flush();
  }
  approximateCount(): number {
    return this.inner.approximateCount();
  }
}
