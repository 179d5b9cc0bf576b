import { Type } from '@sinclair/typebox';
import type pg from 'pg';

export const SubscriberStatsQuery = Type.Object(
  {
    days: Type.Integer({
      minimum: 1,
      maximum: 366,
      default: 30,
      description: 'Days of growth, today included',
    }),
  },
  { additionalProperties: false },
);

const count = Type.Integer({ minimum: 0 });

export const SubscriberStats = Type.Object({
  total: count,
  sendable: Type.Integer({ minimum: 0, description: 'Neither unsubscribed nor expired' }),
  expired: Type.Integer({ minimum: 0, description: 'The push service answered 404/410' }),
  unsubscribed: count,
  time_zone: Type.String({ description: 'The days of `growth` are days in this zone' }),
  by_push_service: Type.Array(
    Type.Object({
      push_service: Type.String({ description: 'Host of the subscription endpoints' }),
      total: count,
      sendable: count,
      expired: count,
    }),
  ),
  growth: Type.Array(
    Type.Object({
      day: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
      subscribed: count,
      expired: count,
      unsubscribed: count,
    }),
    { description: 'Oldest first; every day of the range, zeros included' },
  ),
});

export interface SubscriberStatsView {
  total: number;
  sendable: number;
  expired: number;
  unsubscribed: number;
  time_zone: string;
  by_push_service: Array<{ push_service: string; total: number; sendable: number; expired: number }>;
  growth: Array<{ day: string; subscribed: number; expired: number; unsubscribed: number }>;
}

/** As the dispatcher's: neither unsubscribed nor expired, nor past the browser's expirationTime. */
const SENDABLE =
  'unsubscribed_at IS NULL AND expired_at IS NULL AND (expiration_time IS NULL OR expiration_time > now())';

/**
 * A merchant's audience: totals, the split by push-service host, and per day of its time zone how
 * many subscribed, expired and unsubscribed over the last `days` days.
 */
export async function subscriberStats(
  pool: pg.Pool,
  merchantId: string,
  timeZone: string,
  days: number,
): Promise<SubscriberStatsView> {
  type Counts = { total: string; sendable: string; expired: string; unsubscribed: string };
  const [totals, services, growth] = await Promise.all([
    pool.query<Counts>(
      `SELECT count(*) AS total, count(*) FILTER (WHERE ${SENDABLE}) AS sendable,
              count(*) FILTER (WHERE expired_at IS NOT NULL) AS expired,
              count(*) FILTER (WHERE unsubscribed_at IS NOT NULL) AS unsubscribed
       FROM subscribers WHERE merchant_id = $1`,
      [merchantId],
    ),
    pool.query<Counts & { push_service: string }>(
      `SELECT lower(substring(endpoint from '^[A-Za-z]+://([^/:?#]+)')) AS push_service,
              count(*) AS total, count(*) FILTER (WHERE ${SENDABLE}) AS sendable,
              count(*) FILTER (WHERE expired_at IS NOT NULL) AS expired, 0 AS unsubscribed
       FROM subscribers WHERE merchant_id = $1 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 100`,
      [merchantId],
    ),
    pool.query<{ day: string; subscribed: string; expired: string; unsubscribed: string }>(
      `WITH days AS (
         SELECT day::date AS day FROM generate_series(
           (now() AT TIME ZONE $2)::date - ($3::int - 1), (now() AT TIME ZONE $2)::date, interval '1 day') AS day
       ), since AS (SELECT (min(day)::timestamp AT TIME ZONE $2) AS at FROM days),
       events AS (
         SELECT 'subscribed' AS kind, created_at AS at FROM subscribers
           WHERE merchant_id = $1 AND created_at >= (SELECT at FROM since)
         UNION ALL SELECT 'expired', expired_at FROM subscribers
           WHERE merchant_id = $1 AND expired_at >= (SELECT at FROM since)
         UNION ALL SELECT 'unsubscribed', unsubscribed_at FROM subscribers
           WHERE merchant_id = $1 AND unsubscribed_at >= (SELECT at FROM since)
       )
       SELECT to_char(d.day, 'YYYY-MM-DD') AS day,
              count(e.kind) FILTER (WHERE e.kind = 'subscribed') AS subscribed,
              count(e.kind) FILTER (WHERE e.kind = 'expired') AS expired,
              count(e.kind) FILTER (WHERE e.kind = 'unsubscribed') AS unsubscribed
       FROM days d LEFT JOIN events e ON (e.at AT TIME ZONE $2)::date = d.day
       GROUP BY d.day ORDER BY d.day`,
      [merchantId, timeZone, days],
    ),
  ]);
  const row = totals.rows[0]!;
  return {
    total: Number(row.total),
    sendable: Number(row.sendable),
    expired: Number(row.expired),
    unsubscribed: Number(row.unsubscribed),
    time_zone: timeZone,
    by_push_service: services.rows.map((s) => ({
      push_service: s.push_service ?? '',
      total: Number(s.total),
      sendable: Number(s.sendable),
      expired: Number(s.expired),
    })),
    growth: growth.rows.map((g) => ({
      day: g.day,
      subscribed: Number(g.subscribed),
      expired: Number(g.expired),
      unsubscribed: Number(g.unsubscribed),
    })),
  };
}
