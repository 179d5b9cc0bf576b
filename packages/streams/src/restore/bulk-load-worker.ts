// A worker thread that ends bulk loads (see SqliteBulkLoad): opens the task's database file on a
// connection of its own, moves the staged rows into the store's table and builds its timestamp
// index, then closes it. Messages in: { id, path, table, cacheKiB }; out: { id, error? }.
import { parentPort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { completeBulkLoad } from '../state/sqlite-bulk-load.ts';
import { ensureTimestampIndex } from '../state/sqlite-bytes-store.ts';

interface Job {
  id: number;
  path: string;
  table: string;
  cacheKiB: number;
}

parentPort!.on('message', (job: Job) => {
  try {
    const db = new Database(job.path, { fileMustExist: true, timeout: 10_000 });
    try {
      db.pragma('synchronous = NORMAL');
      // The sort behind GROUP BY spills to temporary files: they live in the operating system's
      // page cache rather than in this process, and sorting is faster than with temp_store MEMORY
      // (bench:engine's restore phase: 158,000 records/s against 118,000).
      db.pragma('temp_store = FILE');
      db.pragma(`cache_size = -${job.cacheKiB}`);
      completeBulkLoad(db, job.table);
      ensureTimestampIndex(db, job.table);
    } finally {
      db.close();
    }
    parentPort!.postMessage({ id: job.id });
  } catch (error) {
    parentPort!.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error) });
  }
});
