import { type BytesStore, DelegatingBytesStore, type StoredEntry } from './bytes-store.ts';

/** Called for each entry a flush writes down; `entry` undefined means deleted. */
export type FlushListener = (key: Buffer, entry: StoredEntry | undefined) => void;

/**
 * A write-back cache: reads see the newest value, writes stay here until flush, so a key updated
 * a thousand times between commits reaches SQLite, the changelog and downstream once.
 */
export class CachingBytesStore extends DelegatingBytesStore {
  // Invariant: holds only dirty entries; undefined marks a pending delete.
  readonly #dirty = new Map<string, { key: Buffer; entry: StoredEntry | undefined }>();
  readonly #maxEntries: number;
  #listener: FlushListener | undefined;

  constructor(inner: BytesStore, maxEntries: number) {
    super(inner);
    this.#maxEntries = maxEntries;
  }

  setFlushListener(listener: FlushListener): void {
    this.#listener = listener;
  }

  get dirtyCount(): number {
    return this.#dirty.size;
  }

  override get(key: Buffer): StoredEntry | undefined {
    const cached = this.#dirty.get(key.toString('latin1'));
    return cached === undefined ? this.inner.get(key) : cached.entry;
  }

  override put(key: Buffer, value: Buffer, timestamp: number): void {
    this.#dirty.set(key.toString('latin1'), { key, entry: { value, timestamp } });
    if (this.#dirty.size >= this.#maxEntries) this.flush();
  }

  override delete(key: Buffer): void {
    this.#dirty.set(key.toString('latin1'), { key, entry: undefined });
  }

  override range(from: Buffer, to?: Buffer): IterableIterator<[Buffer, StoredEntry]> {
    this.flush();
    return this.inner.range(from, to);
  }

  override expire(before: number): Buffer[] {
    this.flush();
    return this.inner.expire(before);
  }

  override flush(): void {
    if (this.#dirty.size === 0) return;
    // In key order: the inner store's B-tree is then walked once from left to right, each of its
    // pages touched once per flush, instead of at a random place per entry.
    const entries = [...this.#dirty].sort(byKey);
    this.#dirty.clear();
    for (const [, { key, entry }] of entries) {
      if (entry === undefined) this.inner.delete(key);
      else this.inner.put(key, entry.value, entry.timestamp);
      this.#listener?.(key, entry);
    }
    this.inner.flush();
  }

  /** Forgets every unflushed change: the task is rolling back. */
  discard(): void {
    this.#dirty.clear();
  }
}

/** Orders map entries by their latin1 key, which orders the keys' bytes as memcmp does. */
function byKey(a: [string, unknown], b: [string, unknown]): number {
  return a[0] < b[0] ? -1 : 1;
}
