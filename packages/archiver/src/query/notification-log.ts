import { createHash } from 'node:crypto';
import type { DuckDBValue } from '@duckdb/node-api';
import { Topics } from '@hoot/events';
import { daysBetween } from '../layout/archive-layout.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { type ArchiveQueryEngine, openArchiveDatabase } from './archive-database.ts';

/** A page of the notification log's query. All times epoch ms; ids as Hoot stores them. */
export interface NotificationLogQuery {
  /** The merchant asking: every row is theirs; never taken from the request's parameters. */
  merchant: string;
  subscriberId?: number;
  campaignId?: number;
  /** Notifications whose outcome was recorded (`at`) in [from, to). */
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
  /** The first delivery ping's event time, ISO 8601; null without one. */
  delivered_at: string | null;
  /** The first click ping's event time, ISO 8601; null without one. */
  clicked_at: string | null;
}

export interface NotificationLogPage {
  notifications: NotificationLogEntry[];
  /** Pass as `cursor` for the next page; null on the last page. */
  next: string | null;
}

/** Most rows one page may have. */
export const NOTIFICATION_LOG_MAX_LIMIT = 500;

const DAY_MS = 86_400_000;
/**
 * How long after its outcome a dispatch event may reach Kafka: the dispatcher writes a batch's
 * events once the batch has decided them. An outcome recorded at `at` sits in a file of the day
 * of a Kafka timestamp in [at, at + this), so a lookup of [from, to) reads those days only.
 */
const WRITE_DELAY_MS = 3_600_000;
/** Identities are Hoot's notification ids (UUIDs) or the seed's natural key: far below this. */
const MAX_CURSOR_ID_CHARS = 1000;

/** Where the next page starts: after the last row shown, in the log's order (at desc, id desc). */
interface Cursor {
  at: number;
  id: string;
  /** The filters it was made for (see cursorFilters): a cursor is refused with other filters. */
  f: string;
}

/** The filters a cursor belongs to: merchant, subscriber and campaign (the range may change). */
export type CursorFilters = Pick<NotificationLogQuery, 'merchant' | 'subscriberId' | 'campaignId'>;

function cursorFilters(filters: CursorFilters): string {
  const text = JSON.stringify([filters.merchant, filters.subscriberId ?? null, filters.campaignId ?? null]);
  return createHash('sha256').update(text).digest('base64url').slice(0, 16);
}

/**
 * Reads a cursor back. Throws RangeError when it is not one this module made, or was made for
 * other filters than `filters` (a page of one campaign's log continued with another campaign
 * would look finished). A cursor is a position, not a credential: the merchant's own rows are
 * the only ones any cursor can reach.
 */
export function decodeCursor(cursor: string, filters: CursorFilters): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new RangeError('cursor is not a cursor this api returned');
  }
  const c = parsed as Partial<Cursor> | null;
  if (
    typeof c?.at !== 'number' ||
    !Number.isSafeInteger(c.at) ||
    typeof c.id !== 'string' ||
    c.id === '' ||
    c.id.length > MAX_CURSOR_ID_CHARS ||
    typeof c.f !== 'string'
  ) {
    throw new RangeError('cursor is not a cursor this api returned');
  }
  if (c.f !== cursorFilters(filters)) {
    throw new RangeError('cursor was returned for other filters (merchant, subscriber_id, campaign_id)');
  }
  return { at: c.at, id: c.id, f: c.f };
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/** The identity of a notification in SQL, as `notificationIdentity` of the events package makes it. */
const IDENTITY = `coalesce(notification_id, merchant || '/' || source || '/' || source_id || '/' || subscriber_id)`;

/**
 * A merchant's notification log of campaigns from the archive, newest first. Reads only the days
 * of [from, to + an hour) of the dispatch topic (events reach Kafka within an hour of their
 * outcome), and of [from, to + lookahead) of the ping topic (partition pruning: other days' files
 * are not even listed); within files, row groups are skipped on the merchant and subscriber
 * statistics. The merchant and filters are bound as parameters, never spliced into the SQL; the
 * SQL itself is one of a fixed few (a filter adds its fixed condition). A notification sent again
 * after a crash shows once (its last outcome). Pages follow (at desc, notification id desc), a
 * total order, so paging with `next` shows each notification once. Throws RangeError for a bad
 * cursor or limit; storage errors (the archive unreachable) are thrown as they come.
 */
export async function queryNotificationLog(
  source: ObjectStore | ArchiveQueryEngine,
  query: NotificationLogQuery,
): Promise<NotificationLogPage> {
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > NOTIFICATION_LOG_MAX_LIMIT) {
    throw new RangeError(`limit must be an integer from 1 to ${NOTIFICATION_LOG_MAX_LIMIT}`);
  }
  const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor, query);
  const horizon = Date.now() + DAY_MS;
  const dispatchTo = Math.min(query.to + WRITE_DELAY_MS, horizon);
  const pingTo = Math.min(query.to + (query.pingLookaheadMs ?? 7 * DAY_MS), horizon);
  const days = {
    [Topics.dispatch]: daysBetween(query.from, dispatchTo),
    [Topics.ping]: daysBetween(query.from, pingTo),
    [Topics.orders]: [],
  };
  const database =
    'open' in source
      ? await source.open({ days })
      : await openArchiveDatabase(source, {
          days,
          ...(query.cacheDirectory === undefined ? {} : { cacheDirectory: query.cacheDirectory }),
        });
  try {
    const parameters: Record<string, DuckDBValue> = {
      merchant: query.merchant,
      from: query.from,
      to: query.to,
      dispatch_to: dispatchTo,
      ping_to: pingTo,
      limit: query.limit + 1,
    };
    // Fixed conditions only; what they compare with is bound.
    const scope = ['merchant = $merchant', `source = 'campaign'`];
    if (query.subscriberId !== undefined) {
      scope.push('subscriber_id = $subscriber');
      parameters.subscriber = query.subscriberId;
    }
    if (query.campaignId !== undefined) {
      scope.push('source_id = $campaign');
      parameters.campaign = query.campaignId;
    }
    let after = '';
    if (cursor !== undefined) {
      after = 'AND (at_ms < $cursor_at OR (at_ms = $cursor_at AND id < $cursor_id))';
      parameters.cursor_at = cursor.at;
      parameters.cursor_id = cursor.id;
    }
    const within = scope.join(' AND ');
    const { rows } = await database.query(
      `WITH sends AS (
         SELECT *, row_number() OVER (PARTITION BY id ORDER BY at_ms DESC, kafka_partition DESC, kafka_offset DESC) AS copy
         FROM (
           SELECT ${IDENTITY} AS id, source_id AS campaign_id, subscriber_id,
                  coalesce(outcome, CASE WHEN status_code IS NULL OR status_code BETWEEN 200 AND 299 THEN 'sent' ELSE 'failed' END) AS outcome,
                  status_code, error, attempts, push_service, title, description AS body, url, icon, ttl_seconds, urgency,
                  epoch_ms(coalesce(sent_at, decided_at, kafka_timestamp)) AS at_ms, kafka_partition, kafka_offset
           FROM dispatch
           WHERE ${within}
             AND kafka_timestamp >= make_timestamp($from * 1000) AND kafka_timestamp < make_timestamp($dispatch_to * 1000)
         )
       ),
       page AS (
         SELECT * FROM sends
         WHERE copy = 1 AND at_ms >= $from AND at_ms < $to ${after}
         ORDER BY at_ms DESC, id DESC
         LIMIT $limit
       ),
       seen AS (
         SELECT ${IDENTITY} AS id,
                epoch_ms(min(coalesce(event_time, try_cast(delivered_time AS TIMESTAMP))) FILTER (WHERE delivered_time IS NOT NULL)) AS delivered_ms,
                epoch_ms(min(coalesce(event_time, try_cast(clicked_time AS TIMESTAMP))) FILTER (WHERE clicked_time IS NOT NULL)) AS clicked_ms
         FROM pings
         WHERE ${within}
           AND kafka_timestamp >= make_timestamp($from * 1000) AND kafka_timestamp < make_timestamp($ping_to * 1000)
           AND ${IDENTITY} IN (SELECT id FROM page)
         GROUP BY 1
       )
       SELECT page.*, seen.delivered_ms, seen.clicked_ms
       FROM page LEFT JOIN seen USING (id)
       ORDER BY at_ms DESC, id DESC`,
      parameters,
    );
    const more = rows.length > query.limit;
    const kept = more ? rows.slice(0, query.limit) : rows;
    const last = kept.at(-1);
    return {
      notifications: kept.map(toEntry),
      next:
        more && last !== undefined
          ? encodeCursor({ at: Number(last.at_ms), id: String(last.id), f: cursorFilters(query) })
          : null,
    };
  } finally {
    database.close();
  }
}

const numberOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const textOrNull = (v: unknown) => (v === null || v === undefined ? null : String(v));
const isoOrNull = (ms: unknown) =>
  ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString();

function toEntry(row: Record<string, unknown>): NotificationLogEntry {
  return {
    notification_id: String(row.id),
    campaign_id: Number(row.campaign_id),
    subscriber_id: Number(row.subscriber_id),
    outcome: String(row.outcome),
    status_code: numberOrNull(row.status_code),
    error: textOrNull(row.error),
    attempts: numberOrNull(row.attempts),
    push_service: textOrNull(row.push_service),
    title: String(row.title),
    body: textOrNull(row.body),
    url: textOrNull(row.url),
    icon: textOrNull(row.icon),
    ttl_seconds: numberOrNull(row.ttl_seconds),
    urgency: textOrNull(row.urgency),
    at: new Date(Number(row.at_ms)).toISOString(),
    delivered_at: isoOrNull(row.delivered_ms),
    clicked_at: isoOrNull(row.clicked_ms),
  };
}
