import type { InputRecord } from '../port/kafka-port.ts';
import type { SqliteBulkLoad } from '../state/sqlite-bulk-load.ts';
import type { SqliteBytesStore } from '../state/sqlite-bytes-store.ts';
import { CACHE_KIB, type TaskStateManager } from '../state/task-state-manager.ts';
import { decodeChangelogValue } from '../wire/changelog-record.ts';
import type { BulkLoadFinisher } from './bulk-load-finisher.ts';

/**
 * One store's changelog partition during a restore: answers where to start, whether there is
 * anything to do, and applies batches straight to the SQLite layer, each with the checkpoint it
 * reaches in the same SQLite transaction.
 */
export class StoreRestoration {
  readonly store: string;
  readonly topic: string;
  readonly partition: number;
  readonly endOffset: number;
  readonly #state: TaskStateManager;
  readonly #sqlite: SqliteBytesStore;
  /** Set while restoring into a store that was empty: records are staged, not put one by one. */
  #bulk: SqliteBulkLoad | undefined;
  restored = 0;

  constructor(options: {
    store: string;
    topic: string;
    partition: number;
    endOffset: number;
    state: TaskStateManager;
    sqlite: SqliteBytesStore;
  }) {
    this.store = options.store;
    this.topic = options.topic;
    this.partition = options.partition;
    this.endOffset = options.endOffset;
    this.#state = options.state;
    this.#sqlite = options.sqlite;
  }

  /** The first changelog offset the local state does not reflect. */
  get startOffset(): number {
    return this.#state.checkpoint(this.store);
  }

  /** A checkpoint beyond the changelog's end: the topic was recreated; local state is unusable. */
  get isCorrupt(): boolean {
    return this.startOffset > this.endOffset;
  }

  get remaining(): number {
    return Math.max(0, this.endOffset - this.startOffset);
  }

  /**
   * Called before the first batch. A restore into an empty store (a new or wiped state directory)
   * is a bulk load: records are staged and moved into the store at finish(), which also builds
   * the timestamp index once instead of keeping it up to date on every insert.
   */
  start(): void {
    if (this.remaining === 0 || !this.#sqlite.isEmpty()) return;
    this.#sqlite.dropTimestampIndex();
    this.#bulk = this.#sqlite.beginBulkLoad();
  }

  /** Whether the store holds nothing: a restore into it is a bulk load. */
  get isEmptyStore(): boolean {
    return this.#sqlite.isEmpty();
  }

  /** Whether records are being staged: the restore started into an empty store. */
  get isBulkLoad(): boolean {
    return this.#bulk !== undefined;
  }

  /**
   * Called once no batch of any store of the task is being applied any more, one store at a time
   * (the task's stores share its database, which has one writer): the store is whole again,
   * holding every record up to its checkpoint. After a restore that succeeded, a bulk load ends
   * in `finisher`'s worker thread; after one that failed, in this thread (and when the task's
   * database is already closed, at the store's next opening).
   */
  async finish(finisher: BulkLoadFinisher, succeeded: boolean): Promise<void> {
    const bulk = this.#bulk;
    this.#bulk = undefined;
    try {
      if (bulk !== undefined && succeeded && this.#state.db.open)
        await finisher.end(this.#state.path, this.#sqlite.table, CACHE_KIB);
      else bulk?.end();
    } finally {
      this.#sqlite.ensureTimestampIndex();
      if (bulk !== undefined) this.#sqlite.dropKeyFilter();
    }
  }

  apply(records: InputRecord[], nextOffset: number): void {
    const bulk = this.#bulk;
    this.#state.begin();
    try {
      for (const record of records) {
        if (record.key === null) continue;
        const entry = decodeChangelogValue(record.value);
        if (bulk !== undefined) bulk.add(record.key, entry?.value ?? null, entry?.timestamp ?? 0);
        else if (entry === null) this.#sqlite.delete(record.key);
        else this.#sqlite.put(record.key, entry.value, entry.timestamp);
      }
      bulk?.flush();
      this.#state.setCheckpoint(this.store, nextOffset);
      this.#state.commit();
    } catch (error) {
      bulk?.discard();
      this.#state.rollback();
      throw error;
    }
    this.restored += records.length;
  }
}
