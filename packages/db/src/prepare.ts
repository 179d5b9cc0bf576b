// Prepares the database named by DATABASE_URL: creates it when missing, applies migrations.
import { DEFAULT_DATABASE_URL, redactUrl } from './database-config.ts';
import { migrate } from './migrate.ts';

const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const applied = await migrate(url);
console.error(
  `[hoot] database ${redactUrl(url)} is ready${applied.length > 0 ? `; applied ${applied.join(', ')}` : ''}`,
);
