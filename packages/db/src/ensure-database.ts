import pg from 'pg';
import { databaseName, redactUrl, withDatabase } from './database-config.ts';

/** No Postgres server answered at the URL: worth waiting for, unlike any other failure. */
export class DatabaseUnreachableError extends Error {
  constructor(url: string, cause: unknown) {
    super(`cannot reach Postgres at ${redactUrl(url)}: ${String(cause)}`, { cause });
    this.name = 'DatabaseUnreachableError';
  }
}

/**
 * Creates the database a URL names when it does not exist, connecting to the server's
 * `postgres` maintenance database to do so. Returns whether it created it.
 */
export async function ensureDatabase(url: string): Promise<boolean> {
  const name = databaseName(url);
  const admin = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
  await admin.connect().catch((cause: unknown) => {
    throw new DatabaseUnreachableError(url, cause);
  });
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount !== 0) return false;
    try {
      await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    } catch (error) {
      // Two processes may race to create it: the loser finds it there.
      if ((error as { code?: string }).code !== '42P04') throw error;
      return false;
    }
    return true;
  } finally {
    await admin.end();
  }
}
