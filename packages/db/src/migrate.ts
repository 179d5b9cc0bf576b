import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import { ensureDatabase } from './ensure-database.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url));

export interface MigrateOptions {
  /** Receives one line per applied migration. */
  log?: (line: string) => void;
}

/**
 * Creates the database when missing and applies every pending migration, under node-pg-migrate's
 * advisory lock so that services starting together do not race. Returns the names applied.
 */
export async function migrate(databaseUrl: string, options: MigrateOptions = {}): Promise<string[]> {
  await ensureDatabase(databaseUrl);
  const log = options.log ?? (() => {});
  const applied = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    checkOrder: true,
    advisoryLockMode: 'wait',
    log: () => {},
    logger: { debug: () => {}, info: log, warn: log, error: log },
  });
  return applied.map((m) => m.name);
}
