import type { Aggregator } from '../engine/index.ts';
import type { CampaignFact } from './campaign-fact.ts';

/** A campaign's absolute figures, in one hour or in total. */
export interface CampaignFigures {
  sent: number;
  impressions: number;
  clicks: number;
  orders: number;
  revenueMinor: number;
  currency: string | null;
}

const FIELD = { sent: 'sent', impression: 'impressions', click: 'clicks', order: 'orders' } as const;

/** Adds a fact (or, with delta -1, takes one back). Revenue sums in the merchant's currency. */
export const figuresAggregator: Aggregator<CampaignFact, CampaignFigures> = {
  initialize: () => ({ sent: 0, impressions: 0, clicks: 0, orders: 0, revenueMinor: 0, currency: null }),
  add(figures, fact) {
    const field = FIELD[fact.kind];
    return {
      ...figures,
      [field]: figures[field] + fact.delta,
      revenueMinor: figures.revenueMinor + fact.revenueMinor,
      currency: fact.currency ?? figures.currency,
    };
  },
};
