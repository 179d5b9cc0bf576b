import { inTransaction } from '@hoot/db';
import type pg from 'pg';
import { generateApiKey, generateWebhookSecret } from './api-keys.ts';

export interface NewMerchant {
  id: string;
  apiKey: string;
  webhookSecret: string;
}

/** Creates a merchant with one API key (only its hash is stored) and a webhook secret. */
export async function createMerchant(pool: pg.Pool, id: string, name: string): Promise<NewMerchant> {
  const apiKey = generateApiKey();
  const webhookSecret = generateWebhookSecret();
  await inTransaction(pool, async (client) => {
    await client.query('INSERT INTO merchants (id, name, webhook_secret) VALUES ($1, $2, $3)', [
      id,
      name,
      webhookSecret,
    ]);
    await client.query(
      'INSERT INTO merchant_api_keys (merchant_id, key_hash, key_prefix) VALUES ($1, $2, $3)',
      [id, apiKey.hash, apiKey.prefix],
    );
  });
  return { id, apiKey: apiKey.key, webhookSecret };
}
