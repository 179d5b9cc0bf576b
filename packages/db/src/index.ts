export {
  DEFAULT_DATABASE_URL,
  databaseEnvProperties,
  databaseName,
  redactUrl,
  withDatabase,
} from './database-config.ts';
export { DatabaseUnreachableError, ensureDatabase } from './ensure-database.ts';
export { MIGRATIONS_DIR, type MigrateOptions, migrate } from './migrate.ts';
export { inTransaction } from './transaction.ts';
