import type { Order } from '@hoot/events';
import { RequestError } from '../http/request-error.ts';
import type { RouteContext } from '../route-context.ts';

/** Where an order came from: Hoot's own webhook or Shopify's. */
export type OrderSource = 'hoot' | 'shopify';

/** An order as a webhook read it, before the api decides on its time and writes it. */
export interface IncomingOrder {
  merchant: string;
  /** The store's order id, an exact string (Shopify's exceed 2^53). */
  orderId: string;
  customerId: string | null;
  subscriberId: number | null;
  totalMinor: number;
  /** An ISO 4217 code the caller has checked. */
  currency: string;
  /** When the store says the order was placed, epoch ms. */
  createdAt: number;
  source: OrderSource;
  /** Shopify's X-Shopify-Webhook-Id, kept with the claim. */
  webhookId?: string;
}

/**
 * accepted: this delivery wrote the order; duplicate: another delivery wrote it (its claim is
 * marked written); in_progress: another delivery has claimed it and is still writing it, which may
 * yet fail, so this one must be answered with a retryable status, never 2xx.
 */
export type IntakeResult = 'accepted' | 'duplicate' | 'in_progress';

/**
 * The answer to a delivery whose order another delivery is still writing: 409 `in_progress`. Not
 * 2xx, because that write may fail (and its claim be released), and a store never resends an order
 * it was told was taken; any non-2xx makes Shopify (and any store honouring the contract) retry,
 * and the retry is answered 200 duplicate once written, or writes the order if the first failed.
 */
export function orderInProgress(orderId: string): RequestError {
  return new RequestError(
    409,
    'in_progress',
    `order ${orderId} is being written by another delivery; retry later`,
  );
}

/**
 * The order's time as it will count: the store's created_at, unless that is later than the api's
 * receive time plus ORDER_CLOCK_SKEW_MS, in which case the receive time (a store or server with a
 * wrong clock). This is the rule pings follow (README "Event time"): clamped rather than refused,
 * because refusing makes the store retry the same body until it gives up and the order is lost,
 * and because one far-future order would otherwise sit outside every attribution window.
 */
export function orderTime(createdAt: number, receivedAt: number, skewMs: number): number {
  return createdAt > receivedAt + skewMs ? receivedAt : createdAt;
}

/**
 * Writes an order once, whatever the number of concurrent or repeated deliveries:
 *
 * 1. Claim (merchant, order id) in received_orders. The primary key decides: of ten identical
 *    deliveries at once exactly one inserts. The others see the claim: marked written, they answer
 *    duplicate; not yet written, in_progress (the caller answers 409, so the store retries: the
 *    write may still fail). A claim left unwritten by a process that died is taken over once
 *    older than any write can take (twice the produce timeout plus 30 s).
 * 2. Produce to `orders` with acks=all, within WEBHOOK_PRODUCE_TIMEOUT_MS (below Shopify's 5 s).
 * 3. Mark the claim written. If the produce failed or timed out, delete the claim (only ours, by
 *    its claim time) and throw the 503, so the store's retry can claim and write it. A produce
 *    that timed out but landed after all is written again by that retry, which the processor
 *    absorbs (it counts an order id once); an order is never answered 2xx unwritten.
 */
export async function takeOrder(ctx: RouteContext, order: IncomingOrder): Promise<IntakeResult> {
  const receivedAt = Date.now();
  const createdAt = orderTime(order.createdAt, receivedAt, ctx.config.ORDER_CLOCK_SKEW_MS);
  if (createdAt !== order.createdAt) ctx.metrics.orderTimeClamped.inc({ source: order.source });

  const staleMs = 2 * ctx.config.WEBHOOK_PRODUCE_TIMEOUT_MS + 30_000;
  const claim = await ctx.pool.query<{ claim: string }>(
    `INSERT INTO received_orders AS r (merchant_id, order_id, claimed_at, written_at, source, webhook_id, subscriber_id)
     VALUES ($1, $2, clock_timestamp(), NULL, $3, $4, $5)
     ON CONFLICT (merchant_id, order_id) DO UPDATE
       SET claimed_at = clock_timestamp(), source = EXCLUDED.source, webhook_id = EXCLUDED.webhook_id,
           subscriber_id = EXCLUDED.subscriber_id
       WHERE r.written_at IS NULL AND r.claimed_at < clock_timestamp() - make_interval(secs => $6::double precision / 1000)
     RETURNING claimed_at::text AS claim`,
    [order.merchant, order.orderId, order.source, order.webhookId ?? null, order.subscriberId, staleMs],
  );
  // The claim time as Postgres' text (microseconds; a JS Date would round them away) identifies
  // this claim when it is released or confirmed.
  const claimedAt = claim.rows[0]?.claim;
  if (claimedAt === undefined) {
    // Someone else's claim. Only one marked written is a duplicate; an unwritten one (or one
    // released since by a failed write) is still in progress as far as this delivery can tell.
    const existing = await ctx.pool.query<{ written: boolean }>(
      `SELECT written_at IS NOT NULL AS written FROM received_orders WHERE merchant_id = $1 AND order_id = $2`,
      [order.merchant, order.orderId],
    );
    return existing.rows[0]?.written === true ? 'duplicate' : 'in_progress';
  }

  const value: Order = {
    merchant: order.merchant,
    order_id: order.orderId,
    subscriber_id: order.subscriberId,
    total_minor: order.totalMinor,
    currency: order.currency,
    created_at: createdAt,
    customer_id: order.customerId,
  };
  try {
    const encoded = await ctx.serdes.order.encode(value);
    await ctx.events.send([{ topic: ctx.config.ORDERS_TOPIC, key: order.merchant, value: encoded }], {
      timeoutMs: ctx.config.WEBHOOK_PRODUCE_TIMEOUT_MS,
    });
  } catch (error) {
    await ctx.pool
      .query(
        `DELETE FROM received_orders
         WHERE merchant_id = $1 AND order_id = $2 AND written_at IS NULL AND claimed_at = $3::timestamptz`,
        [order.merchant, order.orderId, claimedAt],
      )
      .catch(() => {
        // Postgres gone too: the claim goes stale and a later retry takes it over.
      });
    throw error;
  }
  await ctx.pool.query(
    `UPDATE received_orders SET written_at = clock_timestamp()
     WHERE merchant_id = $1 AND order_id = $2 AND claimed_at = $3::timestamptz`,
    [order.merchant, order.orderId, claimedAt],
  );
  return 'accepted';
}
