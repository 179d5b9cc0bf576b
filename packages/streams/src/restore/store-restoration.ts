import type { InputRecord } from '../port/kafka-port.ts';
import type { SqliteBytesStore } from '../state/sqlite-bytes-store.ts';
import type { TaskStateManager } from '../state/task-state-manager.ts';
import { decodeChangelogValue } from '../wire/changelog-record.ts';

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
   * Called before the first batch: a restore into an empty store (a new or wiped state directory)
   * loads without the timestamp index, which finish() builds once.
   */
  start(): void {
    if (this.startOffset === 0 && this.remaining > 0) this.#sqlite.dropTimestampIndex();
  }

  /** Called after the last batch, or when the restore fails: the store is whole again. */
  finish(): void {
    this.#sqlite.ensureTimestampIndex();
  }

  apply(records: InputRecord[], nextOffset: number): void {
    this.#state.begin();
    try {
      for (const record of records) {
        if (record.key === null) continue;
        const entry = decodeChangelogValue(record.value);
        if (entry === null) this.#sqlite.delete(record.key);
        else this.#sqlite.put(record.key, entry.value, entry.timestamp);
      }
      this.#state.setCheckpoint(this.store, nextOffset);
      this.#state.commit();
    } catch (error) {
      this.#state.rollback();
      throw error;
    }
    this.restored += records.length;
  }
}
