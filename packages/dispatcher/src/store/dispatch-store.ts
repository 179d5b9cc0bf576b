import { inTransaction } from '@hoot/db';
import type pg from 'pg';
import type { Campaign, Subscriber } from '../notification/campaign.ts';

export interface BatchRange {
  batchIndex: number;
  firstSubscriberId: number;
  lastSubscriberId: number;
  subscriberCount: number;
}

export type FanOutPlan =
  | { kind: 'publish'; campaign: Campaign; batches: BatchRange[]; batchCount: number }
  | { kind: 'nothing'; outcome: 'duplicate' | 'ignored' | 'rejected' | 'fanned_out'; detail: string };

export interface BatchCounts {
  sent: number;
  expired: number;
  failed: number;
}

const CAMPAIGN_COLUMNS = `id::float8 AS id, merchant_id, title, body, url, icon, status, ttl_seconds, urgency`;

interface CampaignRow {
  id: number;
  merchant_id: string;
  title: string;
  body: string;
  url: string;
  icon: string | null;
  status: Campaign['status'];
  ttl_seconds: number;
  urgency: Campaign['urgency'];
}

function toCampaign(row: CampaignRow): Campaign {
  return {
    id: row.id,
    merchant: row.merchant_id,
    title: row.title,
    body: row.body,
    url: row.url,
    icon: row.icon,
    status: row.status,
    ttlSeconds: row.ttl_seconds,
    urgency: row.urgency,
  };
}

function toRange(row: {
  batch_index: number;
  first_subscriber_id: number;
  last_subscriber_id: number;
  subscriber_count: number;
}): BatchRange {
  return {
    batchIndex: row.batch_index,
    firstSubscriberId: row.first_subscriber_id,
    lastSubscriberId: row.last_subscriber_id,
    subscriberCount: row.subscriber_count,
  };
}

/**
 * A subscriber the dispatcher may send to: not unsubscribed, not expired by a 404/410, and not
 * past the `expirationTime` its browser gave (Push API: the subscription ends then, and a push
 * service may already have dropped it).
 */
const SENDABLE = `unsubscribed_at IS NULL AND expired_at IS NULL
  AND (expiration_time IS NULL OR expiration_time > now())`;

const RANGE_COLUMNS = `batch_index, first_subscriber_id::float8 AS first_subscriber_id,
  last_subscriber_id::float8 AS last_subscriber_id, subscriber_count`;

/**
 * The dispatcher's state in Postgres: which requests it acted on, each campaign's batches and
 * whether they are done. Every decision that must survive a crash is made here, inside a
 * transaction that holds the campaign's row lock, so two instances never decide differently.
 */
export function createDispatchStore(pool: pg.Pool) {
  return {
    /**
     * Decides what a send request means, once:
     * 1. Lock the campaign row (requests for one campaign are serialised from here on).
     * 2. A request seen before and published: nothing to do. Seen but not published (we crashed
     *    in between): publish its pending batches again.
     * 3. A campaign already sent or canceled: ignored; so is one still a draft, whose send the api
     *    rolled back (answered 503) after its request reached Kafka late. `validate` may reject it.
     * 4. Batches exist (an earlier request fanned it out): publish the pending ones. Else split the
     *    sendable audience into ranges of `batchSize` ids and insert them.
     * 5. Record the request and mark the campaign sending (sent at once when it has no audience).
     */
    async planFanOut(
      request: { requestId: string; merchant: string; campaignId: number },
      batchSize: number,
      validate: (campaign: Campaign) => string | undefined,
    ): Promise<FanOutPlan> {
      return inTransaction(pool, async (client) => {
        // Step 1
        const campaignRows = await client.query<CampaignRow>(
          `SELECT ${CAMPAIGN_COLUMNS} FROM campaigns WHERE id = $1 AND merchant_id = $2 FOR UPDATE`,
          [request.campaignId, request.merchant],
        );
        const record = async (outcome: string, detail: string | null, published: boolean) => {
          await client.query(
            `INSERT INTO dispatch_requests (request_id, merchant_id, campaign_id, action, outcome, detail, published_at)
             VALUES ($1, $2, $3, 'send', $4, $5, CASE WHEN $6::boolean THEN now() END)
             ON CONFLICT (request_id) DO NOTHING`,
            [request.requestId, request.merchant, request.campaignId, outcome, detail, published],
          );
        };
        // Step 2
        const seen = await client.query<{ outcome: string; published: boolean }>(
          `SELECT outcome, published_at IS NOT NULL AS published FROM dispatch_requests WHERE request_id = $1`,
          [request.requestId],
        );
        const previous = seen.rows[0];
        if (previous !== undefined && (previous.published || previous.outcome !== 'fanned_out')) {
          return { kind: 'nothing', outcome: 'duplicate', detail: `request already ${previous.outcome}` };
        }
        const row = campaignRows.rows[0];
        if (row === undefined) {
          const detail = `campaign ${request.campaignId} of merchant ${request.merchant} does not exist`;
          await record('rejected', detail, true);
          return { kind: 'nothing', outcome: 'rejected', detail };
        }
        const campaign = toCampaign(row);
        // Step 3
        if (campaign.status === 'sent' || campaign.status === 'canceled') {
          const detail = `campaign is already ${campaign.status}`;
          await record('ignored', detail, true);
          return { kind: 'nothing', outcome: 'ignored', detail };
        }
        if (campaign.status === 'draft') {
          // The api sets 'sending' in the transaction that produces the request and commits it
          // only once Kafka has acknowledged the request; the row lock above waited for that
          // transaction. Still a draft: it rolled back and the merchant was answered 503, so a
          // request that reached Kafka late anyway must not send.
          const detail = 'campaign is a draft: the send was not confirmed to the merchant (503)';
          await record('ignored', detail, true);
          return { kind: 'nothing', outcome: 'ignored', detail };
        }
        const problem = validate(campaign);
        if (problem !== undefined) {
          await record('rejected', problem, true);
          return { kind: 'nothing', outcome: 'rejected', detail: problem };
        }
        // Step 4
        const counted = await client.query<{ count: number }>(
          'SELECT count(*)::int AS count FROM dispatch_batches WHERE campaign_id = $1',
          [campaign.id],
        );
        let batchCount = counted.rows[0]?.count ?? 0;
        let batches: BatchRange[];
        if (batchCount > 0) {
          const pending = await client.query(
            `SELECT ${RANGE_COLUMNS} FROM dispatch_batches
             WHERE campaign_id = $1 AND status = 'pending' ORDER BY batch_index`,
            [campaign.id],
          );
          batches = pending.rows.map(toRange);
        } else {
          const inserted = await client.query(
            `INSERT INTO dispatch_batches (campaign_id, batch_index, first_subscriber_id, last_subscriber_id, subscriber_count)
             SELECT $1, b::int, min(id), max(id), count(*)::int FROM (
               SELECT id, (row_number() OVER (ORDER BY id) - 1) / $3 AS b FROM subscribers
               WHERE merchant_id = $2 AND ${SENDABLE}
             ) audience GROUP BY b ORDER BY b
             RETURNING ${RANGE_COLUMNS}`,
            [campaign.id, campaign.merchant, batchSize],
          );
          batches = inserted.rows.map(toRange).sort((a, b) => a.batchIndex - b.batchIndex);
          batchCount = batches.length;
        }
        // Step 5
        await record('fanned_out', `${batchCount} batches`, false);
        if (batchCount === 0) {
          await client.query(`UPDATE campaigns SET status = 'sent', sent_at = now() WHERE id = $1`, [
            campaign.id,
          ]);
          await client.query('UPDATE dispatch_requests SET published_at = now() WHERE request_id = $1', [
            request.requestId,
          ]);
          return {
            kind: 'nothing',
            outcome: 'fanned_out',
            detail: 'the campaign has no sendable subscribers',
          };
        }
        await client.query(
          `UPDATE campaigns SET status = 'sending', send_requested_at = coalesce(send_requested_at, now())
           WHERE id = $1`,
          [campaign.id],
        );
        return { kind: 'publish', campaign: { ...campaign, status: 'sending' }, batches, batchCount };
      });
    },

    /** The batches of a fanned-out request are on Kafka: a redelivery of it is a duplicate. */
    async markPublished(requestId: string): Promise<void> {
      await pool.query('UPDATE dispatch_requests SET published_at = now() WHERE request_id = $1', [
        requestId,
      ]);
    },

    /** Cancels a campaign: its pending batches are skipped, wherever they are queued. */
    async cancel(request: {
      requestId: string;
      merchant: string;
      campaignId: number;
    }): Promise<'canceled' | 'ignored' | 'duplicate'> {
      return inTransaction(pool, async (client) => {
        const locked = await client.query<{ status: string }>(
          'SELECT status FROM campaigns WHERE id = $1 AND merchant_id = $2 FOR UPDATE',
          [request.campaignId, request.merchant],
        );
        const seen = await client.query('SELECT 1 FROM dispatch_requests WHERE request_id = $1', [
          request.requestId,
        ]);
        if (seen.rowCount !== 0) return 'duplicate';
        const status = locked.rows[0]?.status;
        const cancelable = status === 'draft' || status === 'sending';
        if (cancelable) {
          await client.query(`UPDATE campaigns SET status = 'canceled', canceled_at = now() WHERE id = $1`, [
            request.campaignId,
          ]);
          await client.query(
            `UPDATE dispatch_batches SET status = 'skipped', completed_at = now()
             WHERE campaign_id = $1 AND status = 'pending'`,
            [request.campaignId],
          );
        }
        const outcome = cancelable ? 'canceled' : 'ignored';
        await client.query(
          `INSERT INTO dispatch_requests (request_id, merchant_id, campaign_id, action, outcome, detail, published_at)
           VALUES ($1, $2, $3, 'cancel', $4, $5, now())`,
          [
            request.requestId,
            request.merchant,
            request.campaignId,
            outcome,
            cancelable ? null : `campaign is ${status ?? 'missing'}`,
          ],
        );
        return outcome;
      });
    },

    /**
     * Claims a batch for sending: undefined when it is no longer pending (done before a crash, or
     * skipped). A campaign canceled meanwhile has the batch skipped here.
     */
    async startBatch(campaignId: number, batchIndex: number): Promise<Campaign | 'done' | 'canceled'> {
      const result = await pool.query<CampaignRow & { batch_status: string }>(
        `WITH batch AS (
           UPDATE dispatch_batches SET attempts = attempts + 1
           WHERE campaign_id = $1 AND batch_index = $2 AND status = 'pending'
           RETURNING campaign_id
         )
         SELECT ${CAMPAIGN_COLUMNS} FROM campaigns WHERE id = (SELECT campaign_id FROM batch)`,
        [campaignId, batchIndex],
      );
      const row = result.rows[0];
      if (row === undefined) return 'done';
      if (row.status === 'canceled') {
        await pool.query(
          `UPDATE dispatch_batches SET status = 'skipped', completed_at = now()
           WHERE campaign_id = $1 AND batch_index = $2 AND status = 'pending'`,
          [campaignId, batchIndex],
        );
        return 'canceled';
      }
      return toCampaign(row);
    },

    /** The batch's sendable subscribers, in id order. */
    async sendableSubscribers(merchant: string, firstId: number, lastId: number): Promise<Subscriber[]> {
      const result = await pool.query<Subscriber>(
        `SELECT id::float8 AS id, endpoint, p256dh, auth FROM subscribers
         WHERE merchant_id = $1 AND id BETWEEN $2 AND $3 AND ${SENDABLE}
         ORDER BY id`,
        [merchant, firstId, lastId],
      );
      return result.rows;
    },

    /**
     * Completes a batch in one transaction: its expired subscribers are marked, the batch is done,
     * and the campaign is sent when no batch is pending any more. The campaign row lock serialises
     * concurrent completions, so exactly one of them sees the last pending batch go.
     */
    async completeBatch(
      campaignId: number,
      batchIndex: number,
      counts: BatchCounts,
      expired: ReadonlyArray<Pick<Subscriber, 'id' | 'endpoint'>>,
    ): Promise<{ campaignSent: boolean }> {
      return inTransaction(pool, async (client) => {
        await client.query('SELECT 1 FROM campaigns WHERE id = $1 FOR UPDATE', [campaignId]);
        if (expired.length > 0) {
          // By endpoint too: a subscriber whose subscription was renewed while this batch was
          // sending answers 404/410 for its old endpoint only; its new one stays sendable.
          await client.query(
            `UPDATE subscribers s SET expired_at = now()
             FROM unnest($1::bigint[], $2::text[]) AS e(id, endpoint)
             WHERE s.id = e.id AND s.endpoint = e.endpoint AND s.expired_at IS NULL`,
            [expired.map((e) => e.id), expired.map((e) => e.endpoint)],
          );
        }
        await client.query(
          `UPDATE dispatch_batches SET status = 'done', sent = $3, expired = $4, failed = $5, completed_at = now()
           WHERE campaign_id = $1 AND batch_index = $2 AND status = 'pending'`,
          [campaignId, batchIndex, counts.sent, counts.expired, counts.failed],
        );
        const sent = await client.query(
          `UPDATE campaigns SET status = 'sent', sent_at = now()
           WHERE id = $1 AND status = 'sending'
             AND NOT EXISTS (SELECT 1 FROM dispatch_batches WHERE campaign_id = $1 AND status = 'pending')`,
          [campaignId],
        );
        return { campaignSent: sent.rowCount === 1 };
      });
    },

    /** Batches and notifications waiting to be sent, over all campaigns. */
    async backlog(): Promise<{ batches: number; notifications: number }> {
      const result = await pool.query<{ batches: number; notifications: number }>(
        `SELECT count(*)::int AS batches, coalesce(sum(subscriber_count), 0)::float8 AS notifications
         FROM dispatch_batches WHERE status = 'pending'`,
      );
      return result.rows[0] ?? { batches: 0, notifications: 0 };
    },
  };
}

export type DispatchStore = ReturnType<typeof createDispatchStore>;
