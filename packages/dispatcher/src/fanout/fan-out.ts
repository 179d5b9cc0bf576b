import { type AvroSerde, type CampaignSendBatch, type CampaignSendRequest, campaignKey } from '@hoot/events';
import type { Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { DispatcherMetrics } from '../metrics.ts';
import type { Campaign } from '../notification/campaign.ts';
import type { DispatchStore } from '../store/dispatch-store.ts';

export interface FanOutOptions {
  store: DispatchStore;
  producer: Producer;
  batchSerde: AvroSerde<CampaignSendBatch>;
  batchesTopic: string;
  batchSize: number;
  /** Why a campaign cannot be sent at all (its payload is too large), or undefined. */
  validateCampaign: (campaign: Campaign) => string | undefined;
  metrics: DispatcherMetrics;
  logger: Logger;
}

/** The key of a batch: spreads a campaign's batches over the partitions, keeps copies of one together. */
export function batchKey(batch: Pick<CampaignSendBatch, 'merchant' | 'campaign_id' | 'batch_index'>): string {
  return `${campaignKey({ merchant: batch.merchant, source: 'campaign', source_id: batch.campaign_id })}/${batch.batch_index}`;
}

/**
 * Acts on one campaign send request, idempotently: 'send' splits the campaign's audience into
 * batches (recorded in Postgres) and publishes them to the batches topic; 'cancel' marks the
 * campaign canceled so that every batch still queued is skipped. A request delivered again is
 * recognised by its request_id.
 */
export function createFanOut(options: FanOutOptions) {
  const { store, logger, metrics } = options;
  return async function handle(request: CampaignSendRequest): Promise<void> {
    const ids = {
      requestId: request.request_id,
      merchant: request.merchant,
      campaignId: request.campaign_id,
    };
    const log = logger.child({ requestId: request.request_id, campaignId: request.campaign_id });
    if (request.action === 'cancel') {
      const outcome = await store.cancel(ids);
      metrics.requests.inc({ outcome });
      log.info({ outcome }, 'cancel request');
      return;
    }
    const plan = await store.planFanOut(ids, options.batchSize, options.validateCampaign);
    if (plan.kind === 'nothing') {
      metrics.requests.inc({ outcome: plan.outcome });
      (plan.outcome === 'rejected' ? log.error.bind(log) : log.info.bind(log))(
        { outcome: plan.outcome, detail: plan.detail },
        'send request',
      );
      return;
    }
    const messages = await Promise.all(
      plan.batches.map(async (range) => {
        const batch: CampaignSendBatch = {
          request_id: request.request_id,
          merchant: plan.campaign.merchant,
          campaign_id: plan.campaign.id,
          batch_index: range.batchIndex,
          batch_count: plan.batchCount,
          first_subscriber_id: range.firstSubscriberId,
          last_subscriber_id: range.lastSubscriberId,
        };
        return { key: batchKey(batch), value: await options.batchSerde.encode(batch) };
      }),
    );
    for (let i = 0; i < messages.length; i += 1000) {
      await options.producer.send({
        topic: options.batchesTopic,
        acks: -1,
        messages: messages.slice(i, i + 1000),
      });
    }
    await store.markPublished(request.request_id);
    metrics.requests.inc({ outcome: 'fanned_out' });
    log.info(
      {
        batches: plan.batches.length,
        batchCount: plan.batchCount,
        notifications: plan.batches.reduce((n, b) => n + b.subscriberCount, 0),
      },
      'campaign fanned out',
    );
  };
}
