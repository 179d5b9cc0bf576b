import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type pg from 'pg';
import { generateApiKey, hashApiKey } from './api-keys.ts';
import { createMerchant } from './create-merchant.ts';

/** A merchant's credentials as kept in a local file: `{merchant, api_key, webhook_secret}`. */
export interface LocalMerchantCredentials {
  merchant: string;
  api_key: string;
  webhook_secret: string;
}

/** What `ensureLocalMerchant` had to do. */
export type LocalMerchantStatus = 'reused' | 'created' | 'new_key';

function readCredentials(file: string): LocalMerchantCredentials | undefined {
  try {
    const content = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalMerchantCredentials>;
    if (typeof content.api_key === 'string' && typeof content.merchant === 'string') {
      return content as LocalMerchantCredentials;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && !(error instanceof SyntaxError)) throw error;
  }
  return undefined;
}

function writeCredentials(file: string, credentials: LocalMerchantCredentials): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/** Adds an API key to an existing merchant and returns it (only its hash is stored). */
export async function addApiKey(pool: pg.Pool, merchantId: string): Promise<string> {
  const apiKey = generateApiKey();
  await pool.query('INSERT INTO merchant_api_keys (merchant_id, key_hash, key_prefix) VALUES ($1, $2, $3)', [
    merchantId,
    apiKey.hash,
    apiKey.prefix,
  ]);
  return apiKey.key;
}

/**
 * Makes sure merchant `id` exists and its credentials are in `file`, for local runs that want
 * the same API key every time (the database keeps only the key's hash, so the key itself can
 * only come from that file):
 *
 * 1. the file holds a key that is still a valid key of this merchant: reuse it, refresh the
 *    webhook secret from the database (`reused`);
 * 2. else the merchant exists: add a new key and write the file (`new_key`);
 * 3. else create the merchant and write the file (`created`).
 *
 * The file is written with mode 0600: it holds secrets, if only local ones.
 */
export async function ensureLocalMerchant(
  pool: pg.Pool,
  id: string,
  name: string,
  file: string,
): Promise<{ credentials: LocalMerchantCredentials; status: LocalMerchantStatus }> {
  const { rows } = await pool.query<{ webhook_secret: string }>(
    'SELECT webhook_secret FROM merchants WHERE id = $1',
    [id],
  );
  const existing = rows[0];
  if (existing === undefined) {
    const merchant = await createMerchant(pool, id, name);
    const credentials = { merchant: id, api_key: merchant.apiKey, webhook_secret: merchant.webhookSecret };
    writeCredentials(file, credentials);
    return { credentials, status: 'created' };
  }
  const saved = readCredentials(file);
  if (saved !== undefined && saved.merchant === id) {
    const valid = await pool.query(
      'SELECT 1 FROM merchant_api_keys WHERE merchant_id = $1 AND key_hash = $2 AND revoked_at IS NULL',
      [id, hashApiKey(saved.api_key)],
    );
    if (valid.rowCount === 1) {
      const credentials = { merchant: id, api_key: saved.api_key, webhook_secret: existing.webhook_secret };
      if (saved.webhook_secret !== existing.webhook_secret) writeCredentials(file, credentials);
      return { credentials, status: 'reused' };
    }
  }
  const credentials = {
    merchant: id,
    api_key: await addApiKey(pool, id),
    webhook_secret: existing.webhook_secret,
  };
  writeCredentials(file, credentials);
  return { credentials, status: 'new_key' };
}
