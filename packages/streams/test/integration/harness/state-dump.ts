import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** Every store row of every task database in a state directory, as sorted text lines. */
export function dumpState(dir: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const file of readdirSync(dir)
    .filter((f) => /^task-\d+\.sqlite$/.test(f))
    .sort()) {
    const db = new Database(join(dir, file), { readonly: true });
    try {
      const tables = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'store_%' ORDER BY name")
        .all() as Array<{ name: string }>;
      const lines: string[] = [];
      for (const { name } of tables) {
        for (const row of db.prepare(`SELECT key, value, ts FROM ${name}`).all() as Array<{
          key: Buffer;
          value: Buffer;
          ts: number;
        }>) {
          lines.push(`${name} ${row.key.toString('hex')} ${row.value.toString('hex')} ${row.ts}`);
        }
      }
      out.set(file, lines.sort());
    } finally {
      db.close();
    }
  }
  return out;
}

/**
 * The size in bytes of a task database file once it holds every committed page: a passive
 * checkpoint, run from a connection of its own beside the engine's, first copies the write-ahead
 * log's committed pages into it (the log is checkpointed only every 1,000 pages otherwise).
 */
export function checkpointedDatabaseBytes(path: string): number {
  const db = new Database(path);
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } finally {
    db.close();
  }
  return statSync(path).size;
}
