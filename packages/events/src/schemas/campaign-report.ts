import type { Schema } from 'avsc';

/**
 * Absolute figures of one campaign, for one UTC hour (window_start set) or in total (window_start
 * null). Each record replaces the previous one with the same key and window: readers upsert.
 */
export const campaignReportSchema = {
  namespace: 'dev.hoot',
  type: 'record',
  name: 'campaign_report',
  fields: [
    { name: 'merchant', type: 'string' },
    { name: 'source', type: 'string' },
    { name: 'source_id', type: 'long' },
    {
      name: 'window_start',
      type: ['null', 'long'],
      default: null,
      doc: 'Hour start, epoch ms; null for totals.',
    },
    { name: 'sent', type: 'long' },
    { name: 'impressions', type: 'long' },
    { name: 'clicks', type: 'long' },
    { name: 'orders', type: 'long' },
    { name: 'revenue_minor', type: 'long' },
    { name: 'currency', type: ['null', 'string'], default: null },
    { name: 'updated_at', type: 'long', doc: 'Epoch milliseconds.' },
  ],
} as const satisfies Schema;

export interface CampaignReport {
  merchant: string;
  source: string;
  source_id: number;
  window_start: number | null;
  sent: number;
  impressions: number;
  clicks: number;
  orders: number;
  revenue_minor: number;
  currency: string | null;
  updated_at: number;
}
