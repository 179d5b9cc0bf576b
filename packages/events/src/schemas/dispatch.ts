import type { Schema } from 'avsc';
import { optional } from './optional.ts';
import { type SeedDispatch, seedDispatchSchema } from './seed.ts';

/**
 * The first version of Hoot's dispatch event (schema id 3), written only for notifications a push
 * service accepted: kept so records written with it still decode.
 */
export const dispatchSchemaV1 = {
  ...seedDispatchSchema,
  doc: 'One push notification sent. Seed-era events carry no status and count as sent.',
  fields: [
    ...seedDispatchSchema.fields,
    optional('notification_id', 'string', 'Identity of the notification.'),
    optional('sent_at', 'long', 'When the push service answered, epoch milliseconds.'),
    optional('status_code', 'int', "The push service's HTTP status; 2xx means sent."),
    optional('push_service', 'string', 'Host of the push service.'),
    optional('url', 'string', 'The URL the notification opens.'),
  ],
} as const satisfies Schema;

/** The final outcomes of a notification, as the `outcome` field of a dispatch event names them. */
export const DISPATCH_OUTCOMES = ['sent', 'expired', 'failed', 'refused'] as const;

/**
 * A notification's final outcome in one send of its batch: `sent`, a push service answered 2xx;
 * `expired`, it answered 404/410 and the subscriber is expired; `failed`, anything else that
 * ended without a 2xx (another status, network errors, retries spent, a payload too large, our
 * request refused, a push-service incident outlasting the batch; the subscriber is kept);
 * `refused`, the dispatcher's endpoint policy (or, at connect, its address guard) refused the
 * endpoint, so no request reached it.
 */
export type DispatchOutcome = (typeof DISPATCH_OUTCOMES)[number];

/**
 * The final outcome of one notification, whatever it was: one event per notification and send of
 * its batch (a batch sent again after a crash repeats its notification ids). Adds to the first
 * version, with null defaults, the outcome and what an audit needs: the rest of the payload as
 * sent, the push headers, the number of requests and why a notification was not sent. Never the
 * subscription's endpoint or keys: `push_service` is the endpoint's host only.
 */
export const dispatchSchema = {
  ...dispatchSchemaV1,
  doc: "One push notification's final outcome. Without an outcome (older events), a null or 2xx status means sent.",
  fields: [
    ...dispatchSchemaV1.fields,
    optional(
      'outcome',
      'string',
      'sent, expired, failed or refused; null in older events, which were written for sent notifications only.',
    ),
    optional(
      'error',
      'string',
      'Why the notification was not sent: a short kind (gone, too_large, config_error, failed, incident, refused), a colon and a detail; at most 300 characters. Null when sent.',
    ),
    optional('attempts', 'int', 'Requests made to the push service for this notification in this send.'),
    optional('ttl_seconds', 'int', 'The TTL header sent, in seconds.'),
    optional('urgency', 'string', 'The Urgency header sent: very-low, low, normal or high.'),
    optional('icon', 'string', 'The icon URL in the payload; null when the campaign has none.'),
    optional('decided_at', 'long', 'When the outcome was decided, epoch milliseconds.'),
  ],
} as const satisfies Schema;

/**
 * A dispatch event. Fields after `url` are absent or null in events written with the first
 * version (schema id 3) or the seed's schema (id 1); a reader of this schema sees them null.
 */
export interface Dispatch extends SeedDispatch {
  /** The payload's `body`. */
  description: string | null;
  notification_id: string | null;
  /** When the push service accepted the notification, epoch ms; null unless the outcome is sent. */
  sent_at: number | null;
  /** The push service's last HTTP status; null when it never answered (or in seed-era events). */
  status_code: number | null;
  /** The endpoint's host (never the endpoint); null when the endpoint was refused unparsed. */
  push_service: string | null;
  url: string | null;
  /** Null in older events, where a null or 2xx `status_code` means sent. */
  outcome?: DispatchOutcome | null;
  /** `<kind>: <detail>`, at most 300 characters; null when sent. */
  error?: string | null;
  /** Requests made to the push service in this send (0: none was made). */
  attempts?: number | null;
  ttl_seconds?: number | null;
  urgency?: 'very-low' | 'low' | 'normal' | 'high' | null;
  icon?: string | null;
  /** When the outcome was decided, epoch ms (for expiries: when the batch let them stand). */
  decided_at?: number | null;
}
