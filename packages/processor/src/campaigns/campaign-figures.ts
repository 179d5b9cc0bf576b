import type { Aggregator } from '@hoot/streams';
import type { CampaignFact } from './campaign-fact.ts';

/** A campaign's absolute figures, in one hour or in total. */
export interface CampaignFigures {
  sent: number;
  impressions: number;
  clicks: number;
  orders: number;
  /** Revenue in `currency` only, minor units (the report's single-currency field). */
  revenueMinor: number;
  /** The first currency an attributed order of this campaign was counted in; it never changes. */
  currency: string | null;
  /**
   * Minor units per ISO 4217 code. Amounts in different currencies are never added. Absent in
   * state written before revenue was kept per currency: read as `{[currency]: revenueMinor}`.
   */
  revenueByCurrency?: Record<string, number>;
}

const FIELD = { sent: 'sent', impression: 'impressions', click: 'clicks', order: 'orders' } as const;

/** Revenue per currency of figures, including those kept before the map existed. */
export function revenueByCurrency(figures: CampaignFigures): Record<string, number> {
  if (figures.revenueByCurrency !== undefined) return figures.revenueByCurrency;
  return figures.currency === null || figures.revenueMinor === 0
    ? {}
    : { [figures.currency]: figures.revenueMinor };
}

/**
 * Adds a fact (or, with delta -1, takes one back). Revenue sums per currency; a currency whose
 * sum returns to zero (its only order moved to another hour) leaves the map.
 */
export const figuresAggregator: Aggregator<CampaignFact, CampaignFigures> = {
  initialize: () => ({
    sent: 0,
    impressions: 0,
    clicks: 0,
    orders: 0,
    revenueMinor: 0,
    currency: null,
    revenueByCurrency: {},
  }),
  add(figures, fact) {
    const field = FIELD[fact.kind];
    const revenue = { ...revenueByCurrency(figures) };
    if (fact.currency !== null && fact.revenueMinor !== 0) {
      const sum = (revenue[fact.currency] ?? 0) + fact.revenueMinor;
      if (sum === 0) delete revenue[fact.currency];
      else revenue[fact.currency] = sum;
    }
    const currency = figures.currency ?? fact.currency;
    return {
      ...figures,
      [field]: figures[field] + fact.delta,
      currency,
      revenueMinor: currency === null ? 0 : (revenue[currency] ?? 0),
      revenueByCurrency: revenue,
    };
  },
};
