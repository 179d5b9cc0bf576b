import { code as iso4217 } from 'currency-codes';

/**
 * ISO 4217 codes whose minor unit is "N.A." in the standard's list one (precious metals, bond
 * market units, SDR, testing, no currency). currency-codes reports 0 digits for them; an order
 * cannot be priced in them.
 */
const NOT_MONEY = new Set([
  'XAG',
  'XAU',
  'XBA',
  'XBB',
  'XBC',
  'XBD',
  'XDR',
  'XPD',
  'XPT',
  'XSU',
  'XTS',
  'XUA',
  'XXX',
]);

/**
 * The number of decimal places of a currency's minor unit by ISO 4217 list one (USD 2, JPY 0,
 * KWD 3, CLF 4), from the currency-codes package. Undefined for a code that is not a current
 * ISO 4217 currency (a typo such as `XXQ`, a withdrawn code, lower case) or has no minor unit.
 * Not Intl.NumberFormat: CLDR's digits are display conventions and differ from ISO 4217 for
 * some currencies (e.g. IQD, RSD).
 */
export function minorUnitDigits(currency: string): number | undefined {
  if (!/^[A-Z]{3}$/.test(currency) || NOT_MONEY.has(currency)) return undefined;
  return iso4217(currency)?.digits;
}

/** Why a decimal amount cannot be expressed in minor units. */
export type AmountProblem = 'not_a_decimal' | 'too_precise' | 'too_large';

/**
 * A decimal amount as stores send it ("19.99", "1700", "1.250") in minor units of its currency
 * by the currency's ISO 4217 exponent, exactly: digits are shifted as text, never through a
 * float. Fraction digits beyond the exponent are accepted only when they are zeros ("1700.00"
 * in JPY is 1700); "19.999" in USD is `too_precise`. Negative amounts are `not_a_decimal`
 * (an order total is never negative). Above Number.MAX_SAFE_INTEGER minor units is `too_large`.
 */
export function decimalToMinor(
  amount: string,
  digits: number,
): { minor: number } | { problem: AmountProblem } {
  const match = /^(\d{1,30})(?:\.(\d{1,30}))?$/.exec(amount);
  if (match === null) return { problem: 'not_a_decimal' };
  const whole = match[1] ?? '';
  const fraction = match[2] ?? '';
  if (/[^0]/.test(fraction.slice(digits))) return { problem: 'too_precise' };
  const minor = BigInt(whole + fraction.slice(0, digits).padEnd(digits, '0'));
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) return { problem: 'too_large' };
  return { minor: Number(minor) };
}
