import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { migrate } from '@hoot/db';
import pg from 'pg';
import { hashApiKey } from '../../src/merchants/api-keys.ts';
import { ensureLocalMerchant } from '../../src/merchants/local-merchant.ts';
import { databaseUrl } from './api-harness.ts';

describe('local merchant credentials (the demo merchant of ./hoot dev)', () => {
  let pool: pg.Pool;
  let dir: string;
  const id = `it-local-${randomUUID().slice(0, 8)}.example`;

  before(async () => {
    await migrate(databaseUrl);
    pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    dir = mkdtempSync(join(tmpdir(), 'hoot-local-merchant-'));
  });

  after(async () => {
    await pool?.query('DELETE FROM merchants WHERE id = $1', [id]);
    await pool?.end();
    rmSync(dir, { recursive: true, force: true });
  });

  const keyValid = async (key: string) =>
    (
      await pool.query('SELECT 1 FROM merchant_api_keys WHERE merchant_id = $1 AND key_hash = $2', [
        id,
        hashApiKey(key),
      ])
    ).rowCount === 1;

  it('creates the merchant once, then reuses the key kept in the file, and adds a key when the file is lost', async () => {
    const file = join(dir, 'demo', 'merchant.json');
    const first = await ensureLocalMerchant(pool, id, 'Demo shop', file);
    assert.equal(first.status, 'created');
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), first.credentials);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.ok(await keyValid(first.credentials.api_key));

    const second = await ensureLocalMerchant(pool, id, 'Demo shop', file);
    assert.equal(second.status, 'reused');
    assert.equal(second.credentials.api_key, first.credentials.api_key);
    assert.equal(second.credentials.webhook_secret, first.credentials.webhook_secret);

    rmSync(file);
    const third = await ensureLocalMerchant(pool, id, 'Demo shop', file);
    assert.equal(third.status, 'new_key');
    assert.notEqual(third.credentials.api_key, first.credentials.api_key);
    assert.equal(third.credentials.webhook_secret, first.credentials.webhook_secret);
    assert.ok(await keyValid(third.credentials.api_key));
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).api_key, third.credentials.api_key);
  });

  it('replaces a key in the file that is no longer valid (revoked)', async () => {
    const file = join(dir, 'revoked.json');
    const { credentials } = await ensureLocalMerchant(pool, id, 'Demo shop', file);
    await pool.query('UPDATE merchant_api_keys SET revoked_at = now() WHERE key_hash = $1', [
      hashApiKey(credentials.api_key),
    ]);
    const again = await ensureLocalMerchant(pool, id, 'Demo shop', file);
    assert.equal(again.status, 'new_key');
    assert.ok(await keyValid(again.credentials.api_key));
  });
});
