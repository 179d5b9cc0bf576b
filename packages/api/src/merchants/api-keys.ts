import { createHash, randomBytes } from 'node:crypto';

export interface NewApiKey {
  /** The key itself: shown once, never stored. */
  key: string;
  /** Its first characters, stored to tell keys apart in listings. */
  prefix: string;
  hash: Buffer;
}

/**
 * SHA-256 is enough here (no slow hash needed): keys are 256 random bits, so there is nothing
 * to brute-force, and a lookup by hash costs one index probe.
 */
export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

/** `hoot_sk_<43 base64url chars>`: 32 random bytes behind a prefix secret scanners can match. */
export function generateApiKey(): NewApiKey {
  const key = `hoot_sk_${randomBytes(32).toString('base64url')}`;
  return { key, prefix: key.slice(0, 12), hash: hashApiKey(key) };
}

/** A webhook signing secret: 32 random bytes, base64url. */
export function generateWebhookSecret(): string {
  return randomBytes(32).toString('base64url');
}
