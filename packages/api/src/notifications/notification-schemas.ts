import { type TSchema, Type } from '@sinclair/typebox';

/** Rows per page when `limit` is not given, and the most a page may have. */
export const DEFAULT_LOG_LIMIT = 50;
export const MAX_LOG_LIMIT = 500;
/** The range when `from` is not given: this long before `to`. */
export const DEFAULT_LOG_DAYS = 7;
/** The widest range one request may ask for: each day is one more partition of files to read. */
export const MAX_LOG_DAYS = 31;

/** An instant of the range: RFC 3339 (ISO 8601 with a time zone), years 1970 to 9999. */
const Instant = Type.String({
  format: 'date-time',
  pattern: '^(19[7-9][0-9]|[2-9][0-9]{3})-',
  description: 'RFC 3339 date-time (ISO 8601 with a time zone), e.g. 2025-03-01T00:00:00Z',
});

const Id = (description: string) =>
  Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description });

export const NotificationLogQuery = Type.Object(
  {
    subscriber_id: Type.Optional(Id('Only notifications to this subscriber')),
    campaign_id: Type.Optional(Id("Only notifications of this campaign (another merchant's: none)")),
    from: Type.Optional(
      Type.String({
        ...Instant,
        description: `Notifications recorded at or after this instant; default ${DEFAULT_LOG_DAYS} days before \`to\``,
      }),
    ),
    to: Type.Optional(
      Type.String({
        ...Instant,
        description: `Notifications recorded before this instant; default now. At most ${MAX_LOG_DAYS} days after \`from\``,
      }),
    ),
    limit: Type.Integer({ minimum: 1, maximum: MAX_LOG_LIMIT, default: DEFAULT_LOG_LIMIT }),
    cursor: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 2048,
        pattern: '^[A-Za-z0-9_-]+$',
        description: 'The `next` of the previous page',
      }),
    ),
  },
  { additionalProperties: false },
);

const nullable = <T extends TSchema>(type: T) => Type.Union([type, Type.Null()]);

export const NotificationLogEntry = Type.Object({
  notification_id: Type.String(),
  campaign_id: Type.Integer(),
  subscriber_id: Type.Integer(),
  outcome: Type.String({
    // The dashboard's types come from this file: nothing here may need Node (no @hoot/events).
    description: `One of sent, expired, failed, refused. sent: a push service accepted it; expired: it answered 404/410 and the subscriber expired; failed: no 2xx in the end; refused: the endpoint was refused before any request`,
  }),
  status_code: nullable(Type.Integer({ description: "The push service's last HTTP status" })),
  error: nullable(
    Type.String({
      description: 'Why it was not sent: a kind (gone, too_large, failed, …), a colon, a detail',
    }),
  ),
  attempts: nullable(Type.Integer({ description: 'Requests made to the push service' })),
  push_service: nullable(Type.String({ description: "The push service's host" })),
  title: Type.String(),
  body: nullable(Type.String()),
  url: nullable(Type.String()),
  icon: nullable(Type.String()),
  ttl_seconds: nullable(Type.Integer()),
  urgency: nullable(Type.String()),
  at: Type.String({
    format: 'date-time',
    description: 'When the outcome was recorded (sent: when accepted)',
  }),
  delivered_at: nullable(
    Type.String({ format: 'date-time', description: 'First delivery ping; null before any' }),
  ),
  clicked_at: nullable(
    Type.String({ format: 'date-time', description: 'First click ping; null before any' }),
  ),
});

export const NotificationLog = Type.Object({
  notifications: Type.Array(NotificationLogEntry, { description: 'Newest first' }),
  next: Type.Union([Type.String(), Type.Null()], {
    description: 'Pass as `cursor` (with the same filters) for the next page; null on the last page',
  }),
  from: Type.String({ format: 'date-time', description: 'The range read: `from`, defaults applied' }),
  to: Type.String({ format: 'date-time', description: 'The range read: `to`, defaults applied' }),
});
