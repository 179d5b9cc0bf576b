import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import { DatabaseUnreachableError, ensureDatabase } from './ensure-database.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url));

export interface MigrateOptions {
  /** Receives one line per applied migration. */
  log?: (line: string) => void;
  /**
   * Wait for a server that does not answer yet (a service starting while Postgres is down)
   * instead of failing; called before each wait. Other failures still throw at once.
   */
  onUnreachable?: (error: DatabaseUnreachableError, attempt: number) => void;
}

const MAX_WAIT_MS = 5_000;

/**
 * Creates the database when missing and applies every pending migration, under node-pg-migrate's
 * advisory lock so that services starting together do not race. Returns the names applied.
 */
export async function migrate(databaseUrl: string, options: MigrateOptions = {}): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      await ensureDatabase(databaseUrl);
      break;
    } catch (error) {
      if (!(error instanceof DatabaseUnreachableError) || options.onUnreachable === undefined) throw error;
      options.onUnreachable(error, attempt);
      await new Promise((resolve) => setTimeout(resolve, Math.min(MAX_WAIT_MS, 250 * 2 ** attempt)));
    }
  }
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
