import type { ITopicConfig } from 'kafkajs';
import { campaignReportSchema } from './schemas/campaign-report.ts';
import { campaignSendBatchSchema } from './schemas/campaign-send-batch.ts';
import { campaignSendRequestSchema } from './schemas/campaign-send-request.ts';
import { dispatchSchema } from './schemas/dispatch.ts';
import { orderSchema } from './schemas/order.ts';
import { pingSchema } from './schemas/ping.ts';

/** Topics Hoot's services share. The first two keep the names of the system Hoot replaces. */
export const Topics = {
  dispatch: 'pushnotification-dispatch',
  ping: 'pushnotification-ping',
  orders: 'orders',
  campaignSendRequests: 'campaign-send-requests',
  campaignReporting: 'campaign-reporting',
  /** Slices of campaign audiences; the dispatcher's unit of parallel, resumable work. */
  campaignSendBatches: 'campaign-send-batches',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

/** The schema each topic's values are written with. */
export const topicSchemas = {
  [Topics.dispatch]: dispatchSchema,
  [Topics.ping]: pingSchema,
  [Topics.orders]: orderSchema,
  [Topics.campaignSendRequests]: campaignSendRequestSchema,
  [Topics.campaignReporting]: campaignReportSchema,
  [Topics.campaignSendBatches]: campaignSendBatchSchema,
} as const;

/** Confluent's TopicNameStrategy. */
export function valueSubject(topic: string): string {
  return `${topic}-value`;
}

export interface TopicLayout {
  partitions: number;
  replicationFactor: number;
}

/**
 * Topic settings for topics that producers outside Hoot write to (pings, dispatches, orders), whose
 * clocks may run ahead: the broker takes a record whatever its timestamp, and the stream engine's
 * event-time bound keeps a far-future record from moving stream time. Kafka before 4.0 did so by
 * default; 4.0 (KIP-1030) refuses records stamped more than an hour ahead of the broker's clock with
 * INVALID_TIMESTAMP, which the producer cannot retry. The topic setting exists since Kafka 3.6
 * (KIP-937). Value: Long.MAX_VALUE milliseconds, as a topic config string.
 */
export const anyTimestampTopicConfig = {
  'message.timestamp.after.max.ms': '9223372036854775807',
} as const;

/** The shared topics with their settings; campaign-reporting is compacted (latest value per key). */
export function sharedTopicConfigs(layout: TopicLayout): ITopicConfig[] {
  return Object.values(Topics).map((topic) => ({
    topic,
    numPartitions: layout.partitions,
    replicationFactor: layout.replicationFactor,
    configEntries:
      topic === Topics.campaignReporting
        ? [{ name: 'cleanup.policy', value: 'compact' }]
        : [
            { name: 'retention.ms', value: String(30 * 24 * 3600 * 1000) },
            ...Object.entries(anyTimestampTopicConfig).map(([name, value]) => ({ name, value })),
          ],
  }));
}
