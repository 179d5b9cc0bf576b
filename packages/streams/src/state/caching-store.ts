import { type BytesStore, DelegatingBytesStore, type StoredEntry } from './bytes-store.ts';

/** Called for each entry a flush writes down; `entry` undefined means deleted. */
export type FlushListener = (key: Buffer, entry: StoredEntry | undefined) => void;

/** A change not yet flushed: the entry itself (its value undefined for a delete) and its key. */
interface DirtyEntry {
  key: Buffer;
  value: Buffer | undefined;
  timestamp: number;
}

/**
 * A write-back cache: reads see the newest value, writes stay here until flush, so a key updated
 * a thousand times between commits reaches SQLite, the changelog and downstream once.
 */
export class CachingBytesStore extends DelegatingBytesStore {
  // Invariant: holds only dirty entries; a value undefined marks a pending delete.
  readonly #dirty = new Map<string, DirtyEntry>();
  readonly #maxEntries: number;
  #listener: FlushListener | undefined;
  // The map key of the last key buffer seen: processors read a key, then write it (an aggregate's
  // get and put, a distinct step's has and put), with the same buffer when the typed store above
  // hands it down again. Buffers handed to a store are never written to afterwards.
  #lastKey: Buffer | undefined;
  #lastMapKey = '';

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

  #mapKey(key: Buffer): string {
    if (key !== this.#lastKey) {
      this.#lastKey = key;
      this.#lastMapKey = key.toString('latin1');
    }
    return this.#lastMapKey;
  }

  override get(key: Buffer): StoredEntry | undefined {
    const cached = this.#dirty.get(this.#mapKey(key));
    if (cached === undefined) return this.inner.get(key);
    return cached.value === undefined ? undefined : (cached as StoredEntry);
  }

  override put(key: Buffer, value: Buffer, timestamp: number): void {
    this.#dirty.set(this.#mapKey(key), { key, value, timestamp });
    if (this.#dirty.size >= this.#maxEntries) this.flush();
  }

  override delete(key: Buffer): void {
    this.#dirty.set(this.#mapKey(key), { key, value: undefined, timestamp: 0 });
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
    for (const [, entry] of entries) {
      if (entry.value === undefined) {
        this.inner.delete(entry.key);
        this.#listener?.(entry.key, undefined);
      } else {
        this.inner.put(entry.key, entry.value, entry.timestamp);
        this.#listener?.(entry.key, entry as StoredEntry);
      }
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
