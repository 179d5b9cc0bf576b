import { inTransaction } from '@hoot/db';
import type pg from 'pg';
import type { CheckedSubscription } from './push-subscription-check.ts';

/** A subscription to store: endpoint and keys already normalised (`checkSubscription`). */
export interface SubscriptionInput extends CheckedSubscription {
  merchantId: string;
  userAgent: string | null;
}

/** Postgres' foreign-key violation: here, an unknown merchant. */
const FOREIGN_KEY_VIOLATION = '23503';
const UNIQUE_VIOLATION = '23505';

/**
 * Subscribes (or subscribes again) a browser: one row per merchant and normalised endpoint, so
 * repeating the call changes nothing but the keys and expiration, and a browser that unsubscribed
 * and comes back is sendable again. Returns undefined when the merchant does not exist.
 */
export async function upsertSubscriber(
  pool: pg.Pool,
  input: SubscriptionInput,
): Promise<{ id: number; created: boolean } | undefined> {
  try {
    const { rows } = await pool.query<{ id: string; created: boolean }>(
      `INSERT INTO subscribers (merchant_id, endpoint, p256dh, auth, user_agent, expiration_time)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (merchant_id, endpoint) DO UPDATE
         SET p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth, user_agent = EXCLUDED.user_agent,
             expiration_time = EXCLUDED.expiration_time, unsubscribed_at = NULL, expired_at = NULL
       RETURNING id, (xmax = 0) AS created`,
      [input.merchantId, input.endpoint, input.p256dh, input.auth, input.userAgent, input.expirationTime],
    );
    const row = rows[0]!;
    return { id: Number(row.id), created: row.created };
  } catch (error) {
    if ((error as { code?: string }).code === FOREIGN_KEY_VIOLATION) return undefined;
    throw error;
  }
}

/** What a renewal did: `relinked` moved the subscriber to the new endpoint; `merged` also folded
 * in the subscriber that new endpoint had already created; `unchanged` saw it there already. */
export type RelinkOutcome =
  | { kind: 'relinked' | 'unchanged'; id: number }
  | { kind: 'merged'; id: number; mergedId: number }
  | { kind: 'not_found' };

/**
 * Links a renewed subscription (Push API `pushsubscriptionchange`) to the subscriber the browser
 * proved it is, in one transaction:
 * 1. Lock the subscriber's row; none for this merchant: `not_found`.
 * 2. A subscriber holding the new endpoint already (the page subscribed it before the worker
 *    renewed) is the same browser: it is recorded in `subscriber_merges` and removed, so a
 *    campaign sends to the browser once.
 * 3. The subscriber takes the new endpoint, keys and expiration and is sendable again (a 404/410
 *    seen for its old endpoint meanwhile concerned that endpoint only). Its old endpoint is no
 *    longer anyone's: a later 404/410 for it expires nothing, and the same old endpoint
 *    subscribing again would be a new subscriber. An unsubscribe stays in force.
 * A concurrent subscribe of the same endpoint makes step 3 collide; the transaction is retried.
 */
export async function relinkSubscriber(
  pool: pg.Pool,
  subscriberId: number,
  input: SubscriptionInput,
): Promise<RelinkOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await inTransaction(pool, async (client) => {
        // Step 1
        const own = await client.query<{ endpoint: string }>(
          'SELECT endpoint FROM subscribers WHERE id = $1 AND merchant_id = $2 FOR UPDATE',
          [subscriberId, input.merchantId],
        );
        const current = own.rows[0];
        if (current === undefined) return { kind: 'not_found' } as const;
        // Step 2
        let mergedId: number | undefined;
        if (current.endpoint !== input.endpoint) {
          const other = await client.query<{ id: string }>(
            `DELETE FROM subscribers WHERE merchant_id = $1 AND endpoint = $2 AND id <> $3 RETURNING id`,
            [input.merchantId, input.endpoint, subscriberId],
          );
          if (other.rows[0] !== undefined) {
            mergedId = Number(other.rows[0].id);
            await client.query(
              `INSERT INTO subscriber_merges (merged_id, into_id, merchant_id, endpoint, reason)
               VALUES ($1, $2, $3, $4, 'renewed')`,
              [mergedId, subscriberId, input.merchantId, input.endpoint],
            );
          }
        }
        // Step 3
        await client.query(
          `UPDATE subscribers SET endpoint = $2, p256dh = $3, auth = $4, expiration_time = $5,
             user_agent = coalesce($6, user_agent), expired_at = NULL
           WHERE id = $1`,
          [subscriberId, input.endpoint, input.p256dh, input.auth, input.expirationTime, input.userAgent],
        );
        if (mergedId !== undefined) return { kind: 'merged', id: subscriberId, mergedId } as const;
        return {
          kind: current.endpoint === input.endpoint ? 'unchanged' : 'relinked',
          id: subscriberId,
        } as const;
      });
    } catch (error) {
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION || attempt >= 3) throw error;
    }
  }
}

/** Marks a subscriber unsubscribed (keeping the first time it did); undefined when unknown. */
export async function unsubscribe(
  pool: pg.Pool,
  merchantId: string,
  endpoint: string,
): Promise<number | undefined> {
  const { rows } = await pool.query<{ id: string }>(
    `UPDATE subscribers SET unsubscribed_at = COALESCE(unsubscribed_at, now())
     WHERE merchant_id = $1 AND endpoint = $2 RETURNING id`,
    [merchantId, endpoint],
  );
  return rows[0] === undefined ? undefined : Number(rows[0].id);
}
