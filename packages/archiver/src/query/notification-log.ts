import { Topics } from '@hoot/events';
import { daysBetween } from '../layout/archive-layout.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { openArchiveDatabase } from './archive-database.ts';

/** A page of the notification log's query. All times epoch ms; ids as Hoot stores them. */
export interface NotificationLogQuery {
  /** The merchant asking: every row is theirs; never taken from the request's parameters. */
  merchant: string;
  subscriberId?: number;
  campaignId?: number;
  /** Notifications whose outcome was recorded in [from, to). */
  from: number;
  to: number;
  /** Rows per page (1–500). */
  limit: number;
  /** The `next` of the previous page. */
  cursor?: string;
  /** How long after `to` pings of those notifications are looked for, ms (default 7 days). */
  pingLookaheadMs?: number;
  /** Where copies of S3 objects are kept. */
  cacheDirectory?: string;
}

/** One notification: what was sent to whom, when, with what outcome, when delivered and clicked. */
export interface NotificationLogEntry {
  notification_id: string;
  campaign_id: number;
  subscriber_id: number;
  outcome: string;
  status_code: number | null;
  error: string | null;
  attempts: number | null;
  push_service: string | null;
  title: string;
  body: string | null;
  url: string | null;
  icon: string | null;
  ttl_seconds: number | null;
  urgency: string | null;
  /** When the outcome was recorded (sent_at, else decided_at, else the Kafka timestamp), ISO 8601. */
  at: string;
  delivered_at: string | null;
  clicked_at: string | null;
}

export interface NotificationLogPage {
  notifications: NotificationLogEntry[];
  /** Pass as `cursor` for the next page; null on the last page. */
  next: string | null;
}

const DAY_MS = 86_400_000;

interface Cursor {
  at: number;
  id: string;
}

/** Throws RangeError when the cursor is not one this module made. */
export function decodeCursor(cursor: string): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new RangeError('cursor is not a cursor this api returned');
  }
  const c = parsed as Partial<Cursor>;
  if (typeof c?.at !== 'number' || !Number.isFinite(c.at) || typeof c.id !== 'string') {
    throw new RangeError('cursor is not a cursor this api returned');
  }
  return { at: c.at, id: c.id };
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/**
 * A merchant's notification log from the archive, newest first. Reads only the days of
 * [from, to) of the dispatch topic, and of [from, to + lookahead) of the ping topic (partition
 * pruning: other days' files are not even listed); within files, row groups are skipped on the
 * merchant and subscriber statistics. The merchant and filters are bound as parameters, never
 * spliced into the SQL. A notification sent again after a crash shows once (its last outcome).
 * Throws RangeError for a bad cursor.
 */
export async function queryNotificationLog(
  store: ObjectStore,
  query: NotificationLogQuery,
): Promise<NotificationLogPage> {
  const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const pingTo = Math.min(query.to + (query.pingLookaheadMs ?? 7 * DAY_MS), Date.now() + DAY_MS);
  const database = await openArchiveDatabase(store, {
    days: {
      [Topics.dispatch]: daysBetween(query.from, query.to - 1),
      [Topics.ping]: daysBetween(query.from, pingTo),
      [Topics.orders]: [],
    },
    ...(query.cacheDirectory === undefined ? {} : { cacheDirectory: query.cacheDirectory }),
  });
  try {
    const parameters = {
      merchant: query.merchant,
      subscriber: query.subscriberId ?? null,
      campaign: query.campaignId ?? null,
      from: query.from,
      to: query.to,
      cursor_at: cursor?.at ?? null,
      cursor_id: cursor?.id ?? null,
      limit: query.limit + 1,
    };
    const { rows } = await database.query(
      `WITH sends AS (
         SELECT coalesce(notification_id, source || ':' || source_id || ':' || subscriber_id) AS notification_id,
                source_id AS campaign_id, subscriber_id,
                coalesce(outcome, CASE WHEN status_code IS NULL OR status_code BETWEEN 200 AND 299 THEN 'sent' ELSE 'failed' END) AS outcome,
                status_code, error, attempts, push_service, title, description AS body, url, icon, ttl_seconds, urgency,
                epoch_ms(coalesce(sent_at, decided_at, kafka_timestamp)) AS at_ms
         FROM dispatch
         WHERE merchant = $merchant
           AND ($subscriber IS NULL OR subscriber_id = $subscriber)
           AND ($campaign IS NULL OR source_id = $campaign)
           AND kafka_timestamp >= make_timestamp($from * 1000) AND kafka_timestamp < make_timestamp($to * 1000)
         QUALIFY row_number() OVER (PARTITION BY notification_id ORDER BY at_ms DESC, kafka_offset DESC) = 1
       ),
       page AS (
         SELECT * FROM sends
         WHERE $cursor_at IS NULL OR at_ms < $cursor_at OR (at_ms = $cursor_at AND notification_id < $cursor_id)
         ORDER BY at_ms DESC, notification_id DESC
         LIMIT $limit
       ),
       seen AS (
         SELECT coalesce(notification_id, source || ':' || source_id || ':' || subscriber_id) AS notification_id,
                min(coalesce(event_time, try_cast(delivered_time AS TIMESTAMP))) FILTER (WHERE delivered_time IS NOT NULL) AS delivered_at,
                min(coalesce(event_time, try_cast(clicked_time AS TIMESTAMP))) FILTER (WHERE clicked_time IS NOT NULL) AS clicked_at
         FROM pings
         WHERE merchant = $merchant
           AND ($subscriber IS NULL OR subscriber_id = $subscriber)
           AND ($campaign IS NULL OR source_id = $campaign)
           AND coalesce(notification_id, source || ':' || source_id || ':' || subscriber_id) IN (SELECT notification_id FROM page)
         GROUP BY ALL
       )
       SELECT page.*, strftime(make_timestamp(at_ms * 1000), '%Y-%m-%dT%H:%M:%S.%gZ') AS at,
              strftime(seen.delivered_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS delivered_at,
              strftime(seen.clicked_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS clicked_at
       FROM page LEFT JOIN seen USING (notification_id)
       ORDER BY at_ms DESC, notification_id DESC`,
      parameters,
    );
    const more = rows.length > query.limit;
    const kept = more ? rows.slice(0, query.limit) : rows;
    const notifications = kept.map((row): NotificationLogEntry => {
      const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
      return {
        notification_id: String(row.notification_id),
        campaign_id: Number(row.campaign_id),
        subscriber_id: Number(row.subscriber_id),
        outcome: String(row.outcome),
        status_code: n(row.status_code),
        error: (row.error as string | null) ?? null,
        attempts: n(row.attempts),
        push_service: (row.push_service as string | null) ?? null,
        title: String(row.title),
        body: (row.body as string | null) ?? null,
        url: (row.url as string | null) ?? null,
        icon: (row.icon as string | null) ?? null,
        ttl_seconds: n(row.ttl_seconds),
        urgency: (row.urgency as string | null) ?? null,
        at: String(row.at),
        delivered_at: (row.delivered_at as string | null) ?? null,
        clicked_at: (row.clicked_at as string | null) ?? null,
      };
    });
    const last = kept.at(-1);
    return {
      notifications,
      next:
        more && last !== undefined
          ? encodeCursor({ at: Number(last.at_ms), id: String(last.notification_id) })
          : null,
    };
  } finally {
    database.close();
  }
}
