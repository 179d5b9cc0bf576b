import { RequestError } from '../http/request-error.ts';
import { decimalToMinor, minorUnitDigits } from './money.ts';

/** The Shopify topics Hoot takes orders from (X-Shopify-Topic). Both carry the whole order. */
export const SHOPIFY_ORDER_TOPICS = ['orders/create', 'orders/paid'] as const;

/** The cart/order attribute the storefront script writes the subscriber id into. */
export const SUBSCRIBER_ATTRIBUTE = 'hoot_subscriber_id';

/** What Hoot takes from a Shopify order webhook body. Ids are exact decimal strings. */
export interface ShopifyOrder {
  /** The order's id ("820982911946154508"): beyond 2^53, so never a JS number. */
  orderId: string;
  /** The customer's id, when the order has a customer. */
  customerId: string | null;
  /** Total in minor units of `currency`, from total_price_set.shop_money. */
  totalMinor: number;
  /** The shop's currency (ISO 4217), never the buyer's presentment currency. */
  currency: string;
  /** When the order was placed, epoch ms. */
  createdAt: number;
  /** From note_attributes or the landing site's query; null when the order carries none. */
  subscriberId: number | null;
  /** Why there is no subscriber id: absent, or present but not a subscriber id. */
  attribution: 'attributed' | 'none' | 'invalid';
}

/**
 * JSON.parse keeping every number as its source text (Node's JSON.parse source text access), so
 * that 820982911946154509 stays itself instead of becoming 820982911946154500. Callers read the
 * numbers they expect from the strings.
 */
export function parseJsonKeepingNumbers(text: string): unknown {
  const keepSource = (_key: string, value: unknown, context?: { source?: string }) =>
    typeof value === 'number' && context?.source !== undefined ? context.source : value;
  return JSON.parse(text, keepSource as (key: string, value: unknown) => unknown);
}

function bad(field: string, message: string): RequestError {
  return new RequestError(400, 'invalid_order', message, `body.${field}`);
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** A Shopify id: a JSON number (kept as its source text) or a string of decimal digits. */
function decimalId(value: unknown): string | undefined {
  return typeof value === 'string' && /^[1-9]\d{0,19}$/.test(value) ? value : undefined;
}

/** A Hoot subscriber id as the snippet writes it: a positive safe integer in decimal. */
function subscriberIdFrom(value: unknown): number | 'invalid' | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const text = typeof value === 'string' ? value.trim() : undefined;
  if (text === undefined || !/^[1-9]\d{0,15}$/.test(text)) return 'invalid';
  const id = Number(text);
  return Number.isSafeInteger(id) ? id : 'invalid';
}

function noteAttribute(order: Record<string, unknown>): unknown {
  const attributes = order.note_attributes;
  if (!Array.isArray(attributes)) return undefined;
  for (const item of attributes) {
    const attribute = record(item);
    if (attribute?.name === SUBSCRIBER_ATTRIBUTE) return attribute.value;
  }
  return undefined;
}

/** landing_site is the path and query the buyer first landed on ("/products/x?hoot_subscriber_id=42"). */
function landingSiteParameter(order: Record<string, unknown>): unknown {
  const landing = order.landing_site;
  if (typeof landing !== 'string' || landing === '') return undefined;
  try {
    return new URL(landing, 'https://shop.invalid').searchParams.get(SUBSCRIBER_ATTRIBUTE) ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads a Shopify order webhook body (already parsed with parseJsonKeepingNumbers) as Shopify's
 * Order resource documents it: `id`, `created_at` (ISO 8601 with offset), `total_price_set.shop_money`
 * `{amount, currency_code}` (the shop's currency; `presentment_money` is what the buyer saw and is
 * ignored), `customer.id`, `note_attributes` `[{name, value}]` (the cart's attributes) and
 * `landing_site`. Throws a 400 RequestError naming the field at fault. A subscriber id that is
 * missing or unreadable does not refuse the order: it is accepted unattributed.
 */
export function readShopifyOrder(body: unknown): ShopifyOrder {
  const order = record(body);
  if (order === undefined) throw bad('', 'the body must be a Shopify order object');
  const orderId = decimalId(order.id);
  if (orderId === undefined) throw bad('id', 'id must be the order id, a positive integer');
  const customer = record(order.customer);
  const customerId = customer === undefined ? null : (decimalId(customer.id) ?? null);

  const createdText = order.created_at;
  const createdAt =
    typeof createdText === 'string' && createdText.length <= 64 ? Date.parse(createdText) : NaN;
  if (!Number.isFinite(createdAt)) throw bad('created_at', 'created_at must be an ISO 8601 date-time');

  const money = record(record(order.total_price_set)?.shop_money);
  const currency = money?.currency_code;
  if (typeof currency !== 'string') {
    throw bad(
      'total_price_set.shop_money.currency_code',
      'total_price_set.shop_money.currency_code is required',
    );
  }
  const digits = minorUnitDigits(currency);
  if (digits === undefined) {
    throw bad(
      'total_price_set.shop_money.currency_code',
      `total_price_set.shop_money.currency_code ${JSON.stringify(currency).slice(0, 40)} is not an ISO 4217 currency`,
    );
  }
  const amount = money?.amount;
  const total = typeof amount === 'string' ? decimalToMinor(amount, digits) : { problem: 'not_a_decimal' };
  if ('problem' in total) {
    throw bad(
      'total_price_set.shop_money.amount',
      `total_price_set.shop_money.amount must be a non-negative decimal with at most ${digits} fraction digits in ${currency} (${total.problem})`,
    );
  }

  const fromNote = subscriberIdFrom(noteAttribute(order));
  const found = fromNote === undefined ? subscriberIdFrom(landingSiteParameter(order)) : fromNote;
  return {
    orderId,
    customerId,
    totalMinor: total.minor,
    currency,
    createdAt,
    subscriberId: typeof found === 'number' ? found : null,
    attribution: found === undefined ? 'none' : found === 'invalid' ? 'invalid' : 'attributed',
  };
}
