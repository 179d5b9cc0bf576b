import { type CampaignReport, parseCampaignKey } from '@hoot/events';
import { type CampaignFigures, revenueByCurrency } from './campaign-figures.ts';

/** The campaign-reporting record of a campaign's figures in one hour (or in total when null). */
export function toReport(
  campaign: string,
  windowStart: number | null,
  figures: CampaignFigures,
): CampaignReport {
  const ref = parseCampaignKey(campaign);
  if (ref === undefined) throw new Error(`not a campaign key: ${campaign}`);
  return {
    ...ref,
    window_start: windowStart,
    sent: figures.sent,
    impressions: figures.impressions,
    clicks: figures.clicks,
    orders: figures.orders,
    revenue_minor: figures.revenueMinor,
    currency: figures.currency,
    updated_at: Date.now(),
    revenue_by_currency: revenueByCurrency(figures),
  };
}
