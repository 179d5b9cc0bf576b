import type { Schema } from 'avsc';

/**
 * One slice of a campaign's audience, handed by the dispatcher's fan-out to whichever dispatcher
 * instance owns its partition: the sendable subscribers of `merchant` whose ids lie in
 * [first_subscriber_id, last_subscriber_id].
 */
export const campaignSendBatchSchema = {
  namespace: 'dev.hoot',
  type: 'record',
  name: 'campaign_send_batch',
  fields: [
    { name: 'request_id', type: 'string', doc: 'The send request this batch was fanned out for.' },
    { name: 'merchant', type: 'string' },
    { name: 'campaign_id', type: 'long' },
    { name: 'batch_index', type: 'int', doc: '0-based; (campaign_id, batch_index) names the batch.' },
    { name: 'batch_count', type: 'int', doc: 'How many batches the campaign was split into.' },
    { name: 'first_subscriber_id', type: 'long' },
    { name: 'last_subscriber_id', type: 'long' },
  ],
} as const satisfies Schema;

export interface CampaignSendBatch {
  request_id: string;
  merchant: string;
  campaign_id: number;
  batch_index: number;
  batch_count: number;
  first_subscriber_id: number;
  last_subscriber_id: number;
}
