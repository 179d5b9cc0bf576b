import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * SQLite's page cache per task, in KiB: a processor holds many tasks, and pages SQLite does not
 * cache stay in the operating system's page cache, outside the process. In bench:engine (2M
 * distinct ids, 6 tasks) 16 MiB per task held about 90 MiB more peak RSS for no catch-up speed
 * that runs could tell apart. Restores use it too: a bulk load appends in rowid order and builds
 * the store's B-tree in key order. bench:engine's restore phase (4.37M changelog records): 4 MiB
 * 634,002 / 617,896 records/s, 16 MiB 599,559 / 596,853 / 558,134.
 */
export const CACHE_KIB = 4096;
/**
 * SQLite's page size for a new task database, in bytes (SQLite's default is 4096). A commit
 * rewrites every page it touches; with keys arriving in random order, larger pages hold more of a
 * commit's keys each, and the B-trees are shallower. In bench:engine's catch-up (one instance,
 * 2M records, alternating runs on one topic): 4096 B 17,773 / 20,033 / 21,303 records/s,
 * 8192 B 23,074 / 21,963 / 24,162, 16384 B 23,678 / 22,591 / 24,706, 1024 B 14,553 (one run).
 */
export const PAGE_SIZE = 16_384;

/**
 * Owns a task's SQLite database and is the source of truth for the changelog offset each store
 * reflects (like Kafka Streams' ProcessorStateManager; the restorer keeps no offsets of its own).
 *
 * Invariant: between commits a SQLite transaction is always open. Store data and checkpoints are
 * written inside it and become durable together, only when the task's Kafka transaction has
 * committed; a failed commit rolls both back.
 */
export class TaskStateManager {
  readonly path: string;
  readonly db: Database.Database;
  readonly #checkpoint: Database.Statement<[string], { next_offset: number }>;
  readonly #setCheckpoint: Database.Statement<[string, number]>;
  readonly #meta: Database.Statement<[string], { value: string }>;
  readonly #setMeta: Database.Statement<[string, string]>;

  constructor(directory: string, taskId: string) {
    mkdirSync(directory, { recursive: true });
    this.path = join(directory, `task-${taskId}.sqlite`);
    this.db = new Database(this.path);
    // Takes effect only for a new file, before its first table: an existing one keeps its size.
    this.db.pragma(`page_size = ${PAGE_SIZE}`);
    // WAL: readers never block the writer; NORMAL: a crash may lose the last transactions, which
    // the changelog restores, but never corrupts the file.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('temp_store = MEMORY');
    this.db.pragma(`cache_size = -${CACHE_KIB}`);
    this.db.exec(`CREATE TABLE IF NOT EXISTS hoot_checkpoints (
      store TEXT PRIMARY KEY NOT NULL, next_offset INTEGER NOT NULL)`);
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS hoot_meta (name TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)',
    );
    this.#checkpoint = this.db.prepare('SELECT next_offset FROM hoot_checkpoints WHERE store = ?');
    this.#setCheckpoint = this.db.prepare(
      'INSERT OR REPLACE INTO hoot_checkpoints (store, next_offset) VALUES (?, ?)',
    );
    this.#meta = this.db.prepare('SELECT value FROM hoot_meta WHERE name = ?');
    this.#setMeta = this.db.prepare('INSERT OR REPLACE INTO hoot_meta (name, value) VALUES (?, ?)');
  }

  /** The next changelog offset to restore from for a store: 0 when the disk has nothing. */
  checkpoint(store: string): number {
    return this.#checkpoint.get(store)?.next_offset ?? 0;
  }

  /** Written in the open transaction; durable with the data at the next commit. */
  setCheckpoint(store: string, nextOffset: number): void {
    this.#setCheckpoint.run(store, nextOffset);
  }

  meta(name: string): string | undefined {
    return this.#meta.get(name)?.value;
  }

  setMeta(name: string, value: string): void {
    this.#setMeta.run(name, value);
  }

  begin(): void {
    if (!this.db.inTransaction) this.db.exec('BEGIN');
  }

  commit(): void {
    if (this.db.inTransaction) this.db.exec('COMMIT');
  }

  rollback(): void {
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
  }

  /** Bytes on disk: the database and its write-ahead log. */
  sizeBytes(): number {
    let total = 0;
    for (const suffix of ['', '-wal']) {
      try {
        total += statSync(this.path + suffix).size;
      } catch {
        // absent: nothing to count
      }
    }
    return total;
  }

  /** Moves the write-ahead log into the database file so the files stop growing. */
  checkpointWal(): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  close(): void {
    this.rollback();
    this.db.close();
  }

  /** Deletes the files: the state is stale beyond repair and will be restored from scratch. */
  static wipe(directory: string, taskId: string): void {
    const path = join(directory, `task-${taskId}.sqlite`);
    for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  }
}
