// Makes sure a merchant exists for local runs and keeps its API key and webhook secret in a file,
// so every run uses the same key (`./hoot dev` runs it for the demo merchant). Prints the
// credentials and what was done as one JSON line.
//   node packages/api/src/cli/local-merchant.ts <id> <name> <credentials file>
import { DEFAULT_DATABASE_URL, migrate } from '@hoot/db';
import pg from 'pg';
import { ensureLocalMerchant } from '../merchants/local-merchant.ts';

const [id, name, file] = process.argv.slice(2);
if (id === undefined || name === undefined || file === undefined || !/^[a-z0-9][a-z0-9.-]{0,253}$/.test(id)) {
  console.error('usage: local-merchant <id> <name> <credentials file>   (id: lower-case shop handle)');
  process.exit(2);
}
const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
await migrate(url);
const pool = new pg.Pool({ connectionString: url, max: 1 });
try {
  const { credentials, status } = await ensureLocalMerchant(pool, id, name, file);
  console.log(JSON.stringify({ ...credentials, status, file }));
} finally {
  await pool.end();
}
