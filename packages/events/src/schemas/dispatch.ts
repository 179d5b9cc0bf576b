import type { Schema } from 'avsc';
import { optional } from './optional.ts';
import { type SeedDispatch, seedDispatchSchema } from './seed.ts';

/** One notification handed to a push service by the dispatcher. */
export const dispatchSchema = {
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

export interface Dispatch extends SeedDispatch {
  notification_id: string | null;
  sent_at: number | null;
  status_code: number | null;
  push_service: string | null;
  url: string | null;
}
