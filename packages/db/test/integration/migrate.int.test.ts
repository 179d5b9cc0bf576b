import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { DEFAULT_DATABASE_URL, ensureDatabase, migrate, withDatabase } from '../../src/index.ts';

const server = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;

describe('migrations on a real Postgres', () => {
  const name = `hoot_it_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const url = withDatabase(server, name);

  after(async () => {
    const admin = new pg.Client({ connectionString: withDatabase(server, 'postgres') });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    await admin.end();
  });

  it('creates the missing database, applies every migration once, and is a no-op the second time', async () => {
    const applied = await migrate(url);
    assert.ok(applied.length >= 1);
    assert.deepEqual(await migrate(url), []);
    assert.equal(await ensureDatabase(url), false);

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
      );
      const tables = rows.map((r) => r.table_name);
      for (const table of [
        'merchants',
        'merchant_api_keys',
        'subscribers',
        'campaigns',
        'campaign_reports',
        'campaign_hourly_reports',
        'sink_offsets',
      ]) {
        assert.ok(tables.includes(table), `${table} exists`);
      }

      await client.query(
        "INSERT INTO merchants (id, name, webhook_secret) VALUES ('shop-1.example', 'Shop 1', 's')",
      );
      await assert.rejects(
        client.query(
          "INSERT INTO merchant_api_keys (merchant_id, key_hash, key_prefix) VALUES ('shop-1.example', '\\x00', 'k')",
        ),
        /key_hash/,
        'an API key is stored only as a 32-byte hash',
      );
      await assert.rejects(
        client.query(
          `INSERT INTO campaign_hourly_reports (merchant_id, source, source_id, hour)
           VALUES ('shop-1.example', 'campaign', 1, '2026-11-21T10:30:00Z')`,
        ),
        /hour/,
        'an hourly row starts on the hour',
      );
      await client.query(
        `INSERT INTO campaign_hourly_reports (merchant_id, source, source_id, hour)
         VALUES ('shop-1.example', 'campaign', 1, '2026-11-21T10:00:00Z')`,
      );
    } finally {
      await client.end();
    }
  });

  it('lets services that start together migrate at once', async () => {
    const results = await Promise.all([migrate(url), migrate(url), migrate(url)]);
    assert.deepEqual(results, [[], [], []]);
  });
});
