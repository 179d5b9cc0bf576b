import type { Schema } from 'avsc';

/** The api asks the dispatcher to send (or stop sending) a campaign. */
export const campaignSendRequestSchema = {
  namespace: 'dev.hoot',
  type: 'record',
  name: 'campaign_send_request',
  fields: [
    { name: 'request_id', type: 'string', doc: 'Unique per request; the dispatcher acts on it once.' },
    { name: 'merchant', type: 'string' },
    { name: 'campaign_id', type: 'long' },
    { name: 'action', type: { type: 'enum', name: 'campaign_send_action', symbols: ['send', 'cancel'] } },
    { name: 'requested_at', type: 'long', doc: 'Epoch milliseconds.' },
  ],
} as const satisfies Schema;

export interface CampaignSendRequest {
  request_id: string;
  merchant: string;
  campaign_id: number;
  action: 'send' | 'cancel';
  requested_at: number;
}
