export {
  DEFAULT_DATABASE_URL,
  databaseEnvProperties,
  databaseName,
  redactUrl,
  withDatabase,
} from './database-config.ts';
export { ensureDatabase } from './ensure-database.ts';
export { MIGRATIONS_DIR, type MigrateOptions, migrate } from './migrate.ts';
