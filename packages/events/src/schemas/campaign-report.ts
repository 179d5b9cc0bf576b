import type { Schema } from 'avsc';

/** The first version of the report (schema id 7): kept so records written with it still decode. */
export const campaignReportSchemaV1 = {
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

/**
 * Absolute figures of one campaign, for one UTC hour (window_start set) or in total (window_start
 * null). Each record replaces the previous one with the same key and window: readers upsert.
 *
 * Revenue is per currency: `revenue_by_currency` maps ISO 4217 codes to minor units, and amounts
 * in different currencies are never added. `currency` is the campaign's first currency (of the
 * first attributed order counted) and `revenue_minor` the revenue in that currency only, so
 * readers of the first version still read a meaningful, single-currency amount.
 */
export const campaignReportSchema = {
  ...campaignReportSchemaV1,
  fields: [
    ...campaignReportSchemaV1.fields,
    {
      name: 'revenue_by_currency',
      type: { type: 'map', values: 'long' },
      default: {},
      doc: 'Attributed revenue in minor units per ISO 4217 currency code.',
    },
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
  /** Revenue in `currency` only, minor units. */
  revenue_minor: number;
  /** The campaign's first currency; null before any attributed order. */
  currency: string | null;
  updated_at: number;
  /** Minor units per currency code; empty in records of the first version. */
  revenue_by_currency: Record<string, number>;
}
