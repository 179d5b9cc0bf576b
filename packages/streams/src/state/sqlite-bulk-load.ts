import type { Database, Statement } from 'better-sqlite3';

/** Rows per INSERT statement while staging: one statement per row costs more than the row. */
const ROWS_PER_INSERT = 64;

/** The staging table of a store's table during a bulk load. */
export function stagingTableName(table: string): string {
  return `${table}_bulk_load`;
}

/**
 * A restore into an empty store, loaded the way SQLite loads fastest. Records are appended, in
 * changelog order, to a staging table: rowid order, no key lookups, no page of the store's B-tree
 * touched. end() then moves the last record of each key into the store's table with one
 * INSERT … SELECT … GROUP BY key, whose sort builds the store's B-tree in key order instead of
 * by one insert at a random place per record.
 *
 * Staged rows are written in the task's SQLite transaction, so they become durable with the
 * checkpoints written beside them. A restore cut short by a crash leaves the staging table with
 * everything up to the checkpoint; the next opening of the store moves it in
 * (completeBulkLoad), and the restore goes on from the checkpoint.
 *
 * Invariant: while the staging table exists the store's table is empty.
 */
export class SqliteBulkLoad {
  readonly #db: Database;
  readonly #table: string;
  readonly #insertOne: Statement<[Buffer, Buffer | null, number]>;
  readonly #insertMany: Statement<unknown[]>;
  readonly #pending: unknown[] = new Array(3 * ROWS_PER_INSERT);
  #pendingRows = 0;

  /** Creates the staging table; the store's table must be empty (not checked here). */
  constructor(db: Database, table: string) {
    this.#db = db;
    this.#table = table;
    const staging = stagingTableName(table);
    db.exec(`CREATE TABLE IF NOT EXISTS ${staging} (
      seq INTEGER PRIMARY KEY, key BLOB NOT NULL, value BLOB, ts INTEGER NOT NULL)`);
    this.#insertOne = db.prepare(`INSERT INTO ${staging} (key, value, ts) VALUES (?, ?, ?)`);
    this.#insertMany = db.prepare(
      `INSERT INTO ${staging} (key, value, ts) VALUES ${new Array(ROWS_PER_INSERT).fill('(?, ?, ?)').join(', ')}`,
    );
  }

  /** Stages a changelog record; `value` null is a tombstone (the key is deleted). */
  add(key: Buffer, value: Buffer | null, timestamp: number): void {
    const at = 3 * this.#pendingRows;
    this.#pending[at] = key;
    this.#pending[at + 1] = value;
    this.#pending[at + 2] = timestamp;
    if (++this.#pendingRows === ROWS_PER_INSERT) {
      this.#insertMany.run(...this.#pending);
      this.#pendingRows = 0;
    }
  }

  /** Writes the rows add() still holds: call before committing the transaction they belong to. */
  flush(): void {
    for (let i = 0; i < this.#pendingRows; i++) {
      this.#insertOne.run(
        this.#pending[3 * i] as Buffer,
        this.#pending[3 * i + 1] as Buffer | null,
        this.#pending[3 * i + 2] as number,
      );
    }
    this.#pendingRows = 0;
  }

  /** Forgets the rows add() still holds: their transaction is rolling back. */
  discard(): void {
    this.#pendingRows = 0;
  }

  /** Moves what the staged (and committed) rows say into the store's table. */
  end(): void {
    this.#pendingRows = 0;
    completeBulkLoad(this.#db, this.#table);
  }
}

/**
 * Moves a staging table's rows into the store's (empty) table and drops it, in one transaction (a
 * savepoint inside one already open); does nothing when there is no staging table or the database
 * is closed. Per key the row with the highest seq wins, and a tombstone leaves no row. That rests
 * on SQLite's bare-column rule: with a single max() aggregate, the other columns come from the row
 * holding the maximum (https://sqlite.org/lang_select.html#bare_columns_in_an_aggregate_query).
 */
export function completeBulkLoad(db: Database, table: string): void {
  if (!db.open) return;
  const staging = stagingTableName(table);
  // IMMEDIATE: the write lock is taken before looking, so that a bulk load another connection is
  // ending meanwhile (a worker thread) is seen ended, not moved twice.
  db.transaction(() => {
    const exists = db
      .prepare('SELECT 1 FROM sqlite_schema WHERE type = ? AND name = ?')
      .get('table', staging);
    if (exists === undefined) return;
    db.exec(`INSERT INTO ${table} (key, value, ts)
      SELECT key, value, ts FROM (SELECT key, value, ts, max(seq) FROM ${staging} GROUP BY key)
      WHERE value IS NOT NULL`);
    db.exec(`DROP TABLE ${staging}`);
  }).immediate();
}
