import type { Database, Statement } from 'better-sqlite3';
import { BloomFilter } from './bloom-filter.ts';
import type { BytesStore, StoredEntry } from './bytes-store.ts';
import { completeBulkLoad, SqliteBulkLoad } from './sqlite-bulk-load.ts';

/** Keys the first layer of a key filter is sized for, at least. */
const MIN_FILTER_CAPACITY = 65_536;
/** A key filter built from the table: its first layer holds this many times the table's keys. */
const FILTER_HEADROOM = 2;
/** Layers a key filter grows by before it is built again from the table (up to 15× its first). */
const FILTER_MAX_LAYERS = 4;

/**
 * The innermost store: one SQLite table in the task's database. Keys are compared as bytes
 * (BLOB order = memcmp), so range scans over composite keys work. Transactions belong to the
 * task (TaskStateManager), never to the store.
 *
 * A Bloom filter of the table's keys answers most gets of absent keys without SQLite, as RocksDB's
 * filters do for Kafka Streams: a distinct step looks up every id it has not seen, and each such
 * miss is a descent through a B-tree mostly outside SQLite's page cache. The filter is built from
 * the table on the first get and is added to by every put (a rolled-back put only leaves a false
 * positive); it keeps deleted keys (false positives too). It grows by layers as keys are added,
 * and is built again from the table once its last layer is full, which bounds what deleted keys
 * can cost. Rows written by another connection (a bulk load ended in a worker thread) call for
 * dropKeyFilter().
 */
export class SqliteBytesStore implements BytesStore {
  readonly name: string;
  readonly table: string;
  readonly #get: Statement<[Buffer], { value: Buffer; ts: number }>;
  readonly #put: Statement<[Buffer, Buffer, number]>;
  readonly #delete: Statement<[Buffer]>;
  readonly #range: Statement<[Buffer, Buffer], { key: Buffer; value: Buffer; ts: number }>;
  readonly #rangeFrom: Statement<[Buffer], { key: Buffer; value: Buffer; ts: number }>;
  readonly #expire: Statement<[number], { key: Buffer }>;
  readonly #count: Statement<[], { n: number }>;
  readonly #any: Statement<[], { one: number }>;
  readonly #keys: Statement<[], Buffer>;
  readonly #db: Database;
  #filter: BloomFilter | undefined;

  constructor(db: Database, name: string) {
    this.name = name;
    this.table = sqliteTableName(name);
    db.exec(`CREATE TABLE IF NOT EXISTS ${this.table} (
      key BLOB PRIMARY KEY NOT NULL, value BLOB NOT NULL, ts INTEGER NOT NULL) WITHOUT ROWID`);
    this.#db = db;
    // A restore cut short by a crash left its staged rows: they are the store up to its checkpoint.
    completeBulkLoad(db, this.table);
    this.ensureTimestampIndex();
    this.#get = db.prepare(`SELECT value, ts FROM ${this.table} WHERE key = ?`);
    this.#put = db.prepare(`INSERT OR REPLACE INTO ${this.table} (key, value, ts) VALUES (?, ?, ?)`);
    this.#delete = db.prepare(`DELETE FROM ${this.table} WHERE key = ?`);
    this.#range = db.prepare(
      `SELECT key, value, ts FROM ${this.table} WHERE key >= ? AND key < ? ORDER BY key`,
    );
    this.#rangeFrom = db.prepare(`SELECT key, value, ts FROM ${this.table} WHERE key >= ? ORDER BY key`);
    this.#expire = db.prepare(`DELETE FROM ${this.table} WHERE ts < ? RETURNING key`);
    this.#count = db.prepare(`SELECT count(*) AS n FROM ${this.table}`);
    this.#any = db.prepare(`SELECT 1 AS one FROM ${this.table} LIMIT 1`);
    this.#keys = db.prepare<[], Buffer>(`SELECT key FROM ${this.table}`).pluck();
  }

  get(key: Buffer): StoredEntry | undefined {
    const filter = this.#filter ?? this.#buildKeyFilter();
    if (!filter.mightContain(key)) return undefined;
    const row = this.#get.get(key);
    return row === undefined ? undefined : { value: row.value, timestamp: row.ts };
  }

  put(key: Buffer, value: Buffer, timestamp: number): void {
    this.#put.run(key, value, timestamp);
    if (this.#filter?.add(key) === false) this.#filter = undefined;
  }

  /**
   * Forgets the key filter: rows were written by another connection (a bulk load ended in a worker
   * thread). The next get() builds it from the table again.
   */
  dropKeyFilter(): void {
    this.#filter = undefined;
  }

  #buildKeyFilter(): BloomFilter {
    const filter = new BloomFilter(
      Math.max(MIN_FILTER_CAPACITY, FILTER_HEADROOM * this.approximateCount()),
      FILTER_MAX_LAYERS,
    );
    for (const key of this.#keys.iterate()) filter.add(key);
    this.#filter = filter;
    return filter;
  }

  delete(key: Buffer): void {
    this.#delete.run(key);
  }

  *range(from: Buffer, to?: Buffer): IterableIterator<[Buffer, StoredEntry]> {
    const rows = to === undefined ? this.#rangeFrom.iterate(from) : this.#range.iterate(from, to);
    for (const row of rows) yield [row.key, { value: row.value, timestamp: row.ts }];
  }

  expire(before: number): Buffer[] {
    return this.#expire.all(before).map((row) => row.key);
  }

  flush(): void {}

  /**
   * Drops the index on timestamps (expiry's) before a bulk load into an empty table: building it
   * once at the end, from sorted data, is several times cheaper than keeping it up to date on
   * every insert. ensureTimestampIndex() (also run whenever the store is opened) puts it back.
   */
  dropTimestampIndex(): void {
    this.#db.exec(`DROP INDEX IF EXISTS ${this.table}_ts`);
  }

  ensureTimestampIndex(): void {
    ensureTimestampIndex(this.#db, this.table);
  }

  /** Starts a bulk load (see SqliteBulkLoad); the store must be empty. */
  beginBulkLoad(): SqliteBulkLoad {
    return new SqliteBulkLoad(this.#db, this.table);
  }

  isEmpty(): boolean {
    return this.#any.get() === undefined;
  }

  approximateCount(): number {
    return this.#count.get()!.n;
  }
}

/**
 * Builds the index on timestamps that expiry uses, unless it exists. Does nothing on a closed
 * database: a task closed while restoring closed it, and the next opening builds the index.
 */
export function ensureTimestampIndex(db: Database, table: string): void {
  if (!db.open) return;
  db.exec(`CREATE INDEX IF NOT EXISTS ${table}_ts ON ${table} (ts)`);
}

/** Store names are free text; table names are not. */
export function sqliteTableName(storeName: string): string {
  return `store_${storeName.replace(/[^A-Za-z0-9]/g, '_')}`;
}
