import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';

/**
 * What a ping token vouches for: one notification sent to one subscriber of one campaign, until
 * `expiresAt`. The dispatcher signs it into the push payload; the api checks it on every ping, so
 * nobody without the secret can forge impressions or clicks.
 */
export interface PingTokenClaims {
  notificationId: string;
  merchant: string;
  source: string;
  sourceId: number;
  subscriberId: number;
  /** Epoch seconds. */
  expiresAt: number;
  /**
   * When the token was signed, epoch seconds. Optional so tokens signed without it stay valid; the
   * api uses it to refuse a browser's claimed event time from before the notification existed.
   */
  issuedAt?: number;
}

export type PingTokenFailure = 'malformed' | 'bad_signature' | 'expired';

export type PingTokenResult = { ok: true; claims: PingTokenClaims } | { ok: false; reason: PingTokenFailure };

const VERSION = 'v1';
/** Secrets shorter than this are refused: an HMAC key is only as strong as its entropy. */
export const MIN_PING_TOKEN_SECRET_BYTES = 32;

/**
 * The key of the last secret used: a process signs or checks with one secret, and an HMAC keyed by
 * a KeyObject skips the per-call key checks that cost Node 24 more than the HMAC itself.
 */
let cachedKey: { secret: string; key: KeyObject } | undefined;

function mac(secret: string, body: string): Buffer {
  if (cachedKey?.secret !== secret) cachedKey = { secret, key: createSecretKey(Buffer.from(secret)) };
  return createHmac('sha256', cachedKey.key).update(`${VERSION}.${body}`).digest();
}

function assertSecret(secret: string): void {
  if (Buffer.byteLength(secret) < MIN_PING_TOKEN_SECRET_BYTES) {
    throw new RangeError(`a ping token secret needs at least ${MIN_PING_TOKEN_SECRET_BYTES} bytes`);
  }
}

/** `v1.<base64url JSON claims>.<base64url HMAC-SHA256>`. */
export function signPingToken(claims: PingTokenClaims, secret: string): string {
  assertSecret(secret);
  const fields: unknown[] = [
    claims.notificationId,
    claims.merchant,
    claims.source,
    claims.sourceId,
    claims.subscriberId,
    claims.expiresAt,
  ];
  if (claims.issuedAt !== undefined) fields.push(claims.issuedAt);
  const body = Buffer.from(JSON.stringify(fields)).toString('base64url');
  return `${VERSION}.${body}.${mac(secret, body).toString('base64url')}`;
}

function parseClaims(body: string): PingTokenClaims | undefined {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(decoded) || (decoded.length !== 6 && decoded.length !== 7)) return undefined;
  const [notificationId, merchant, source, sourceId, subscriberId, expiresAt, issuedAt] =
    decoded as unknown[];
  if (typeof notificationId !== 'string' || typeof merchant !== 'string' || typeof source !== 'string') {
    return undefined;
  }
  if (![sourceId, subscriberId, expiresAt].every(Number.isSafeInteger)) return undefined;
  if (issuedAt !== undefined && !Number.isSafeInteger(issuedAt)) return undefined;
  const claims: PingTokenClaims = {
    notificationId,
    merchant,
    source,
    sourceId: sourceId as number,
    subscriberId: subscriberId as number,
    expiresAt: expiresAt as number,
  };
  if (issuedAt !== undefined) claims.issuedAt = issuedAt as number;
  return claims;
}

/**
 * Checks a token against the current secret and any previous ones still accepted (rotation):
 * the signature first, in constant time, then the expiry against `nowMs`.
 */
export function verifyPingToken(
  token: string,
  secrets: readonly string[],
  nowMs = Date.now(),
): PingTokenResult {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION) return { ok: false, reason: 'malformed' };
  const [, body = '', signature = ''] = parts;
  if (!/^[A-Za-z0-9_-]+$/.test(body) || !/^[A-Za-z0-9_-]{43}$/.test(signature)) {
    return { ok: false, reason: 'malformed' };
  }
  const given = Buffer.from(signature, 'base64url');
  const signedBy = secrets.some((secret) => {
    const expected = mac(secret, body);
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!signedBy) return { ok: false, reason: 'bad_signature' };
  const claims = parseClaims(body);
  if (claims === undefined) return { ok: false, reason: 'malformed' };
  if (claims.expiresAt * 1000 <= nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}
