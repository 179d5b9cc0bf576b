import { createHmac } from 'node:crypto';

/** An order as a store posts it to `POST /v1/webhooks/orders/:merchant`. */
export interface StoreOrder {
  order_id: string;
  subscriber_id: number;
  /** Order total in minor units (cents). */
  total_minor: number;
  /** ISO 4217 code. */
  currency: string;
  /** ISO 8601. */
  created_at: string;
}

/** The header the api checks, in the style of Shopify's X-Shopify-Hmac-Sha256. */
export const ORDER_SIGNATURE_HEADER = 'X-Hoot-Hmac-Sha256';

/**
 * The raw JSON body and its signature: base64 of HMAC-SHA256 over exactly those bytes with the
 * merchant's webhook secret. The body must be sent byte for byte as returned, since the api
 * verifies the signature over the raw bytes before parsing.
 */
export function signedOrder(order: StoreOrder, webhookSecret: string): { body: string; signature: string } {
  const body = JSON.stringify(order);
  return { body, signature: createHmac('sha256', webhookSecret).update(body).digest('base64') };
}
