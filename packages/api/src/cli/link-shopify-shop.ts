// Links a Shopify shop to a Hoot merchant, so that webhooks carrying its X-Shopify-Shop-Domain
// at POST /v1/webhooks/shopify are the merchant's. The key Shopify signs them with (the app's
// client secret, or the key shown in the shop admin's webhook settings) is read from
// SHOPIFY_WEBHOOK_SECRET; unset, the merchant's own webhook secret is the key.
//   SHOPIFY_WEBHOOK_SECRET=… node packages/api/src/cli/link-shopify-shop.ts <merchant> <shop>.myshopify.com
import { DEFAULT_DATABASE_URL, migrate } from '@hoot/db';
import pg from 'pg';
import { linkShopDomain } from '../orders/shop-domains.ts';

const [merchant, shop] = process.argv.slice(2);
if (merchant === undefined || shop === undefined) {
  console.error('usage: link-shopify-shop <merchant> <shop domain, e.g. my-shop.myshopify.com>');
  process.exit(2);
}
const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
await migrate(url);
const pool = new pg.Pool({ connectionString: url, max: 1 });
try {
  await linkShopDomain(pool, merchant, shop, process.env.SHOPIFY_WEBHOOK_SECRET || null);
  console.log(`${shop} → ${merchant}`);
} catch (error) {
  if ((error as { code?: string }).code === '23503') {
    console.error(`no merchant ${merchant}`);
    process.exit(1);
  }
  throw error;
} finally {
  await pool.end();
}
