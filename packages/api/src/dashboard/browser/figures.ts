import type { Report } from './api-types.ts';
import { formatCount, formatPercent } from './format.ts';
import { formatRevenue, formatRevenueAmounts, NO_FIGURE } from './money.ts';

/** The figures of a campaign report, in the order every table and total shows them. */
export const FIGURE_FIELDS = ['sent', 'impressions', 'clicks', 'ctr', 'orders', 'revenue'] as const;
export type FigureField = (typeof FIGURE_FIELDS)[number];

type Figures = Pick<Report, 'sent' | 'impressions' | 'clicks' | 'ctr' | 'orders' | 'revenue_minor'> & {
  revenue?: Report['revenue'];
};

/**
 * Writes one figure into an element: the formatted text for the reader and the raw number in
 * `data-value` for scripts and tests (revenue in minor units, CTR as a ratio), so neither has
 * to parse a locale's formatting.
 */
export function showFigure(
  element: HTMLElement,
  figures: Figures,
  field: FigureField,
  currency: string | null,
): void {
  let value: number;
  let text: string;
  if (field === 'revenue') {
    // Each currency apart, never added; data-value stays the first currency's minor units.
    value = figures.revenue_minor;
    const amounts = figures.revenue ?? [];
    text = amounts.length > 0 ? formatRevenueAmounts(amounts) : formatRevenue(value, currency);
    if (currency === null) delete element.dataset.currency;
    else element.dataset.currency = currency;
    element.dataset.currencies = amounts.map((a) => a.currency).join(' ');
  } else if (field === 'ctr') {
    value = figures.ctr;
    // No impressions: a rate of nothing, not 0%.
    text = figures.impressions === 0 ? NO_FIGURE : formatPercent(value);
  } else {
    value = figures[field];
    text = formatCount(value);
  }
  element.dataset.value = String(value);
  element.textContent = text;
}

/** Fills every `[data-field]` figure inside `root`. */
export function showFigures(root: ParentNode, figures: Figures, currency: string | null): void {
  for (const field of FIGURE_FIELDS) {
    const element = root.querySelector<HTMLElement>(`[data-field="${field}"]`);
    if (element !== null) showFigure(element, figures, field, currency);
  }
}
