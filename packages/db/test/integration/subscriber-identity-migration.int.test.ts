import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import {
  DEFAULT_DATABASE_URL,
  ensureDatabase,
  MIGRATIONS_DIR,
  migrate,
  withDatabase,
} from '../../src/index.ts';

const server = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const MIGRATION = '1764700000000_subscriber-identity';

/**
 * The migration to normalised subscriber identity on rows written before it: endpoints and keys
 * in their normal forms, the rows of one browser merged into the oldest id, none lost.
 */
describe('subscriber identity migration', () => {
  const name = `hoot_it_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const url = withDatabase(server, name);
  let earlier: string | undefined;

  after(async () => {
    if (earlier !== undefined) await rm(earlier, { recursive: true, force: true });
    const admin = new pg.Client({ connectionString: withDatabase(server, 'postgres') });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    await admin.end();
  });

  it('normalises endpoints and keys and merges duplicates into the oldest subscriber', async () => {
    earlier = await mkdtemp(path.join(tmpdir(), 'hoot-migrations-'));
    for (const file of await readdir(MIGRATIONS_DIR)) {
      if (file < MIGRATION) await copyFile(path.join(MIGRATIONS_DIR, file), path.join(earlier, file));
    }
    await ensureDatabase(url);
    await runner({
      databaseUrl: url,
      dir: earlier,
      direction: 'up',
      migrationsTable: 'pgmigrations',
      log: () => {},
    });

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(
        "INSERT INTO merchants (id, name, webhook_secret) VALUES ('a.example', 'A', 's'), ('b.example', 'B', 's')",
      );
      const insert = async (merchant: string, endpoint: string, p256dh: string, auth: string, extra = '') => {
        const { rows } = await client.query(
          `INSERT INTO subscribers (merchant_id, endpoint, p256dh, auth, unsubscribed_at, expired_at)
           VALUES ($1, $2, $3, $4, ${extra === 'unsubscribed' ? 'now()' : 'NULL'}, ${extra === 'expired' ? 'now()' : 'NULL'})
           RETURNING id`,
          [merchant, endpoint, p256dh, auth],
        );
        return Number(rows[0].id);
      };
      const oldest = await insert(
        'a.example',
        'https://FCM.GOOGLEAPIS.COM/fcm/send/AbC?x=Y',
        'BA+b/w==',
        'a+b/',
        'unsubscribed',
      );
      const port = await insert(
        'a.example',
        'https://fcm.googleapis.com:443/fcm/send/AbC?x=Y',
        'BAold',
        'old',
      );
      const newest = await insert(
        'a.example',
        'https://fcm.googleapis.com/fcm/send/AbC?x=Y',
        'BAnew',
        'new',
        'unsubscribed',
      );
      const otherPath = await insert(
        'a.example',
        'https://fcm.googleapis.com/fcm/send/abc?x=Y',
        'K1',
        'A1',
        'expired',
      );
      const otherMerchant = await insert(
        'b.example',
        'https://fcm.googleapis.com/fcm/send/AbC?x=Y',
        'BA+b/w==',
        'a+b/',
      );

      await migrate(url);

      const { rows } = await client.query(
        `SELECT id::int, merchant_id, endpoint, p256dh, auth, unsubscribed_at IS NOT NULL AS unsubscribed,
                expired_at IS NOT NULL AS expired, expiration_time
         FROM subscribers ORDER BY id`,
      );
      assert.deepEqual(rows, [
        {
          id: oldest,
          merchant_id: 'a.example',
          endpoint: 'https://fcm.googleapis.com/fcm/send/AbC?x=Y',
          p256dh: 'BAnew',
          auth: 'new',
          unsubscribed: false,
          expired: false,
          expiration_time: null,
        },
        {
          id: otherPath,
          merchant_id: 'a.example',
          endpoint: 'https://fcm.googleapis.com/fcm/send/abc?x=Y',
          p256dh: 'K1',
          auth: 'A1',
          unsubscribed: false,
          expired: true,
          expiration_time: null,
        },
        {
          id: otherMerchant,
          merchant_id: 'b.example',
          endpoint: 'https://fcm.googleapis.com/fcm/send/AbC?x=Y',
          p256dh: 'BA-b_w',
          auth: 'a-b_',
          unsubscribed: false,
          expired: false,
          expiration_time: null,
        },
      ]);
      const merges = await client.query(
        'SELECT merged_id::int, into_id::int, endpoint, reason FROM subscriber_merges ORDER BY merged_id',
      );
      assert.deepEqual(merges.rows, [
        {
          merged_id: port,
          into_id: oldest,
          endpoint: 'https://fcm.googleapis.com:443/fcm/send/AbC?x=Y',
          reason: 'same_endpoint',
        },
        {
          merged_id: newest,
          into_id: oldest,
          endpoint: 'https://fcm.googleapis.com/fcm/send/AbC?x=Y',
          reason: 'same_endpoint',
        },
      ]);
    } finally {
      await client.end();
    }
  });
});
