import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { TestSubscription } from './push-service.ts';

export const testDatabaseUrl =
  process.env.TEST_DATABASE_URL ??
  process.env.HOOT_TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/hoot_test_dispatcher';

export function testPool(url = testDatabaseUrl): pg.Pool {
  return new pg.Pool({ connectionString: url, max: 4 });
}

export async function createMerchant(pool: pg.Pool): Promise<string> {
  const id = `shop-${randomUUID().slice(0, 8)}.example`;
  await pool.query(`INSERT INTO merchants (id, name, webhook_secret) VALUES ($1, $1, 'secret')`, [id]);
  return id;
}

export interface CampaignFields {
  title?: string;
  body?: string;
  url?: string;
  icon?: string | null;
  ttlSeconds?: number;
  urgency?: string;
  status?: string;
}

export async function createCampaign(
  pool: pg.Pool,
  merchant: string,
  fields: CampaignFields = {},
): Promise<number> {
  const result = await pool.query<{ id: string }>(
    `INSERT INTO campaigns (merchant_id, title, body, url, icon, ttl_seconds, urgency, status)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [
      merchant,
      fields.title ?? 'Winter sale',
      fields.body ?? 'Everything 20 % off until Sunday',
      fields.url ?? 'https://shop.example/sale',
      fields.icon === undefined ? 'https://shop.example/icon.png' : fields.icon,
      fields.ttlSeconds ?? 2_419_200,
      fields.urgency ?? 'normal',
      fields.status ?? 'sending',
    ],
  );
  return Number(result.rows[0]!.id);
}

/** Inserts subscribers with the push service's subscriptions; returns subscriber id per subscription id. */
export async function insertSubscribers(
  pool: pg.Pool,
  merchant: string,
  subscriptions: Array<Pick<TestSubscription, 'id' | 'endpoint' | 'p256dh' | 'auth'>>,
): Promise<Map<number, number>> {
  const bySubscription = new Map<number, number>();
  for (let i = 0; i < subscriptions.length; i += 10_000) {
    const chunk = subscriptions.slice(i, i + 10_000);
    const result = await pool.query<{ id: string; endpoint: string }>(
      `INSERT INTO subscribers (merchant_id, endpoint, p256dh, auth)
       SELECT $1, e, p, a FROM unnest($2::text[], $3::text[], $4::text[]) AS s(e, p, a)
       RETURNING id, endpoint`,
      [merchant, chunk.map((s) => s.endpoint), chunk.map((s) => s.p256dh), chunk.map((s) => s.auth)],
    );
    const byEndpoint = new Map(chunk.map((s) => [s.endpoint, s.id]));
    for (const row of result.rows) bySubscription.set(byEndpoint.get(row.endpoint)!, Number(row.id));
  }
  return bySubscription;
}

export async function campaignStatus(pool: pg.Pool, campaignId: number): Promise<string> {
  const result = await pool.query<{ status: string }>('SELECT status FROM campaigns WHERE id = $1', [
    campaignId,
  ]);
  return result.rows[0]!.status;
}

export async function batchRows(pool: pg.Pool, campaignId: number) {
  const result = await pool.query<{
    batch_index: number;
    status: string;
    attempts: number;
    first_subscriber_id: string;
    last_subscriber_id: string;
    sent: number;
    expired: number;
    failed: number;
  }>('SELECT * FROM dispatch_batches WHERE campaign_id = $1 ORDER BY batch_index', [campaignId]);
  return result.rows;
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** What the dispatcher recorded for a send or cancel request, once it has (waits up to 60 s). */
export function requestOutcome(
  pool: pg.Pool,
  requestId: string,
): Promise<{ outcome: string; detail: string }> {
  return waitFor('request recorded', async () => {
    const result = await pool.query<{ outcome: string; detail: string }>(
      'SELECT outcome, detail FROM dispatch_requests WHERE request_id = $1',
      [requestId],
    );
    return result.rows[0];
  });
}
