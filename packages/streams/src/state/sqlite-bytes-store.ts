import type { Database, Statement } from 'better-sqlite3';
import type { BytesStore, StoredEntry } from './bytes-store.ts';

/**
 * The innermost store: one SQLite table in the task's database. Keys are compared as bytes
 * (BLOB order = memcmp), so range scans over composite keys work. Transactions belong to the
 * task (TaskStateManager), never to the store.
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
  readonly #db: Database;

  constructor(db: Database, name: string) {
    this.name = name;
    this.table = sqliteTableName(name);
    db.exec(`CREATE TABLE IF NOT EXISTS ${this.table} (
      key BLOB PRIMARY KEY NOT NULL, value BLOB NOT NULL, ts INTEGER NOT NULL) WITHOUT ROWID`);
    this.#db = db;
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
  }

  get(key: Buffer): StoredEntry | undefined {
    const row = this.#get.get(key);
    return row === undefined ? undefined : { value: row.value, timestamp: row.ts };
  }

  put(key: Buffer, value: Buffer, timestamp: number): void {
    this.#put.run(key, value, timestamp);
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
    // A task closed while restoring closed its database: the next opening builds the index.
    if (!this.#db.open) return;
    this.#db.exec(`CREATE INDEX IF NOT EXISTS ${this.table}_ts ON ${this.table} (ts)`);
  }

  approximateCount(): number {
    return this.#count.get()!.n;
  }
}

/** Store names are free text; table names are not. */
export function sqliteTableName(storeName: string): string {
  return `store_${storeName.replace(/[^A-Za-z0-9]/g, '_')}`;
}
