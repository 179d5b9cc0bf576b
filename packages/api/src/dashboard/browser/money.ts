/**
 * Money from the api: amounts arrive as integers in the currency's minor unit (cents for EUR,
 * yen for JPY, fils for KWD) together with an ISO 4217 code. They are turned into decimal strings
 * by integer arithmetic and handed to Intl.NumberFormat as strings, so no amount ever passes
 * through a binary float on its way to the screen.
 */

/** Shown where a figure has no meaning yet (no currency, no impressions to divide by). */
export const NO_FIGURE = '–';

const fractionDigitsCache = new Map<string, number>();

/** How many minor-unit digits a currency has, as Intl knows it: EUR 2, JPY 0, KWD 3. */
export function currencyFractionDigits(currency: string): number {
  const code = currency.toUpperCase();
  let digits = fractionDigitsCache.get(code);
  if (digits === undefined) {
    digits =
      new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions()
        .maximumFractionDigits ?? 2;
    fractionDigitsCache.set(code, digits);
  }
  return digits;
}

/** The exact decimal string of an amount in minor units: (12345, 2) → '123.45', (-5, 2) → '-0.05'. */
export function minorToDecimal(minor: number | bigint, fractionDigits: number): `${number}` {
  const value = BigInt(minor);
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(fractionDigits + 1, '0');
  const whole = digits.slice(0, digits.length - fractionDigits);
  const fraction = digits.slice(digits.length - fractionDigits);
  const text = fractionDigits === 0 ? whole : `${whole}.${fraction}`;
  return (negative ? `-${text}` : text) as `${number}`;
}

/**
 * An amount in minor units formatted in its currency for the reader's locale:
 * (123456, 'EUR', 'en-US') → '€1,234.56', (1500, 'JPY', 'en-US') → '¥1,500'. `digits`, when the
 * api gives it, is the currency's ISO 4217 exponent the amount was counted in; Intl's own (CLDR)
 * digits differ for some currencies (IQD: ISO 3, CLDR 0), and the amount must be read with the
 * exponent it was written with.
 */
export function formatMinor(
  minor: number | bigint,
  currency: string,
  locale?: string,
  digits?: number,
): string {
  const code = currency.toUpperCase();
  const fractionDigits = digits ?? currencyFractionDigits(code);
  const options: Intl.NumberFormatOptions = { style: 'currency', currency: code };
  if (digits !== undefined) {
    options.minimumFractionDigits = digits;
    options.maximumFractionDigits = digits;
  }
  return new Intl.NumberFormat(locale, options).format(minorToDecimal(minor, fractionDigits));
}

/**
 * Revenue in several currencies as one text, each amount in its own currency and never added:
 * '$20.00 + ¥1,700 + KWD 1.250'; '–' when there is none.
 */
export function formatRevenueAmounts(
  amounts: ReadonlyArray<{ currency: string; revenue_minor: number; digits: number }>,
  locale?: string,
): string {
  if (amounts.length === 0) return NO_FIGURE;
  return amounts.map((a) => formatMinor(a.revenue_minor, a.currency, locale, a.digits)).join(' + ');
}

/**
 * Revenue of a report as text: formatted in its currency ('€0.00' once it has one), or '–' when
 * there is none yet (a campaign without orders has no currency, and a bare number says nothing).
 */
export function formatRevenue(minor: number, currency: string | null, locale?: string): string {
  if (currency === null) return minor === 0 ? NO_FIGURE : new Intl.NumberFormat(locale).format(minor);
  return formatMinor(minor, currency, locale);
}

/**
 * Minor units as a number of major units, for chart scales only: a chart needs a number, and one
 * amount divided once is as exact as a pixel can show. Never sum these.
 */
export function minorToMajor(minor: number, currency: string | null): number {
  const digits = currency === null ? 2 : currencyFractionDigits(currency);
  return minor / 10 ** digits;
}
