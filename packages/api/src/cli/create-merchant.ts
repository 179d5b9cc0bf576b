// Creates a merchant and prints its API key and webhook secret, once: only a hash of the key is
// kept, and there is no admin UI to show them again.
//   node packages/api/src/cli/create-merchant.ts <id> <name>
import { DEFAULT_DATABASE_URL, migrate } from '@hoot/db';
import pg from 'pg';
import { createMerchant } from '../merchants/create-merchant.ts';

const [id, ...nameParts] = process.argv.slice(2);
const name = nameParts.join(' ');
if (id === undefined || name === '' || !/^[a-z0-9][a-z0-9.-]{0,253}$/.test(id)) {
  console.error('usage: create-merchant <id> <name>   (id: lower-case shop handle, e.g. my-shop.example)');
  process.exit(2);
}
const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
await migrate(url);
const pool = new pg.Pool({ connectionString: url, max: 1 });
try {
  const merchant = await createMerchant(pool, id, name);
  console.log(
    JSON.stringify(
      { merchant: merchant.id, api_key: merchant.apiKey, webhook_secret: merchant.webhookSecret },
      null,
      2,
    ),
  );
} catch (error) {
  if ((error as { code?: string }).code === '23505') {
    console.error(`merchant ${id} already exists`);
    process.exit(1);
  }
  throw error;
} finally {
  await pool.end();
}
