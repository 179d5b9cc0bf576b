import type { Schema } from 'avsc';

/**
 * The two schemas the system Hoot replaces wrote with (see the design's seed articles), verbatim.
 * Hoot's own schemas only add fields with defaults to these, so every message written with them
 * still decodes; they stay in the catalog so such messages can be framed and read.
 */
export const seedDispatchSchema = {
  namespace: 'com.pushowl',
  type: 'record',
  name: 'push_notification_dispatch',
  fields: [
    { name: 'title', type: 'string' },
    { name: 'description', type: ['string', 'null'] },
    { name: 'source', type: 'string' },
    { name: 'source_id', type: 'long' },
    { name: 'merchant', type: 'string' },
    { name: 'subscriber_id', type: 'long' },
  ],
} as const satisfies Schema;

export const seedPingSchema = {
  namespace: 'com.pushowl',
  type: 'record',
  name: 'push_notification_ping',
  fields: [
    { name: 'merchant', type: 'string' },
    { name: 'source', type: 'string' },
    { name: 'source_id', type: 'long' },
    { name: 'subscriber_id', type: 'long' },
    { name: 'delivered_time', type: ['null', 'string'] },
    { name: 'clicked_time', type: ['null', 'string'] },
  ],
} as const satisfies Schema;

export interface SeedPing {
  merchant: string;
  source: string;
  source_id: number;
  subscriber_id: number;
  delivered_time: string | null;
  clicked_time: string | null;
}

export interface SeedDispatch {
  title: string;
  description: string | null;
  source: string;
  source_id: number;
  merchant: string;
  subscriber_id: number;
}
