import type { Schema } from 'avsc';
import { optional } from './optional.ts';
import { type SeedPing, seedPingSchema } from './seed.ts';

/** A delivery or click ping from a browser's service worker, as the api writes it. */
export const pingSchema = {
  ...seedPingSchema,
  doc: 'A delivery or click of one push notification. delivered_time or clicked_time is set.',
  fields: [
    ...seedPingSchema.fields,
    optional('notification_id', 'string', 'Identity of the notification; absent in seed-era pings.'),
    optional('token', 'string', 'The signed ping token issued at dispatch.'),
    optional('received_at', 'long', 'When the api accepted the ping, epoch milliseconds.'),
    optional(
      'event_time',
      'long',
      'delivered_time or clicked_time as epoch milliseconds, parsed by the api.',
    ),
  ],
} as const satisfies Schema;

export interface Ping extends SeedPing {
  notification_id: string | null;
  token: string | null;
  received_at: number | null;
  event_time: number | null;
}
