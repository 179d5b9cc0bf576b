import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header carrying the signature, in the style of Shopify's X-Shopify-Hmac-Sha256. */
export const SIGNATURE_HEADER = 'x-hoot-hmac-sha256';

/** Base64 of HMAC-SHA256 over the raw body bytes, with the merchant's webhook secret as key. */
export function signWebhook(body: Buffer | string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

/** Compares in constant time; a header of the wrong length or encoding simply does not match. */
export function webhookSignatureValid(body: Buffer, secret: string, header: string | undefined): boolean {
  if (header === undefined || !/^[A-Za-z0-9+/]{43}=$/.test(header)) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  const given = Buffer.from(header, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
