/** What `PushSubscription.toJSON()` gives in a browser (W3C Push API), as sites post it to the api. */
export interface PushSubscriptionJson {
  endpoint: string;
  /** Browsers give null: none of the push services browsers use today expires subscriptions. */
  expirationTime: null;
  keys: {
    /** The browser's P-256 public key, uncompressed (65 bytes), base64url without padding. */
    p256dh: string;
    /** The 16-byte authentication secret (RFC 8291 section 3.2), base64url without padding. */
    auth: string;
  };
}

/**
 * The subscription JSON of a browser with this endpoint, public key and auth secret. Throws when
 * the key is not an uncompressed P-256 point or the secret is not 16 bytes (RFC 8291 section 3),
 * which no browser would produce.
 */
export function pushSubscriptionJson(
  endpoint: string,
  publicKey: Buffer,
  auth: Buffer,
): PushSubscriptionJson {
  if (publicKey.length !== 65 || publicKey[0] !== 0x04) {
    throw new Error('p256dh must be a 65-byte uncompressed P-256 point');
  }
  if (auth.length !== 16) throw new Error('auth must be 16 bytes');
  return {
    endpoint,
    expirationTime: null,
    keys: { p256dh: publicKey.toString('base64url'), auth: auth.toString('base64url') },
  };
}
