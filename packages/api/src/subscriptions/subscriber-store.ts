import type pg from 'pg';

export interface SubscriptionInput {
  merchantId: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  userAgent: string | null;
}

/** Postgres' foreign-key violation: here, an unknown merchant. */
const FOREIGN_KEY_VIOLATION = '23503';

/**
 * Subscribes (or subscribes again) a browser: one row per merchant and endpoint, so repeating the
 * call changes nothing but the keys, and a browser that unsubscribed and comes back is sendable
 * again. Returns undefined when the merchant does not exist.
 */
export async function upsertSubscriber(
  pool: pg.Pool,
  input: SubscriptionInput,
): Promise<{ id: number; created: boolean } | undefined> {
  try {
    const { rows } = await pool.query<{ id: string; created: boolean }>(
      `INSERT INTO subscribers (merchant_id, endpoint, p256dh, auth, user_agent)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (merchant_id, endpoint) DO UPDATE
         SET p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth, user_agent = EXCLUDED.user_agent,
             unsubscribed_at = NULL, expired_at = NULL
       RETURNING id, (xmax = 0) AS created`,
      [input.merchantId, input.endpoint, input.p256dh, input.auth, input.userAgent],
    );
    const row = rows[0]!;
    return { id: Number(row.id), created: row.created };
  } catch (error) {
    if ((error as { code?: string }).code === FOREIGN_KEY_VIOLATION) return undefined;
    throw error;
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
