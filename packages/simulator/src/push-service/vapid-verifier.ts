import { createPublicKey, type KeyObject, verify } from 'node:crypto';

/** Who signed a push request (RFC 8292): the JWT's `sub` contact and the `k` public key, base64url. */
export interface VapidIdentity {
  sub: string;
  k: string;
}

/** A push request whose VAPID credentials do not hold; push services answer it 403. */
export class VapidRejectedError extends Error {
  readonly status = 403;
  constructor(reason: string) {
    super(reason);
    this.name = 'VapidRejectedError';
  }
}

function reject(reason: string): never {
  throw new VapidRejectedError(reason);
}

/** RFC 8292 section 3.2: `k` is an uncompressed P-256 point, 65 bytes starting 0x04. */
function publicKeyFromRaw(raw: Buffer): KeyObject {
  if (raw.length !== 65 || raw[0] !== 4) reject('k is not an uncompressed P-256 point');
  return createPublicKey({
    format: 'jwk',
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: raw.subarray(1, 33).toString('base64url'),
      y: raw.subarray(33).toString('base64url'),
    },
  });
}

const VAPID_HEADER = /^vapid t=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+),\s*k=([A-Za-z0-9_-]+)$/;
/** RFC 8292 section 2: a JWT expiring more than 24 hours ahead is refused. */
const MAX_LIFETIME_SECONDS = 24 * 3600;
/** Clock skew tolerated between the application server and us. */
const SKEW_SECONDS = 60;
/** Above this many remembered headers, expired ones are dropped before adding another. */
const MAX_CACHED_HEADERS = 1000;

export interface VapidVerifierOptions {
  now?: () => number;
}

/**
 * Verifies `Authorization: vapid t=<JWT>, k=<key>` (RFC 8292): an ES256 JWT signed by `k`, whose
 * `aud` is the push service's origin, `exp` in the future and at most 24 h ahead, and `sub` a
 * `mailto:` or `https:` contact. A header already verified is remembered until its `exp`, as
 * production push services cache it: application servers reuse one JWT for many pushes.
 * Throws VapidRejectedError naming the first rule broken.
 */
export function createVapidVerifier(options: VapidVerifierOptions = {}) {
  const now = options.now ?? Date.now;
  const verified = new Map<string, VapidIdentity & { exp: number }>();
  let signaturesVerified = 0;

  function verifyHeader(authorization: string | undefined, audience: string): VapidIdentity {
    if (authorization === undefined) reject('no Authorization header');
    const nowSeconds = now() / 1000;
    // Keyed by audience too: a header verified for one origin proves nothing for another.
    const cacheKey = `${audience} ${authorization}`;
    const cached = verified.get(cacheKey);
    if (cached !== undefined) {
      if (cached.exp > nowSeconds) return { sub: cached.sub, k: cached.k };
      verified.delete(cacheKey);
    }
    const match = VAPID_HEADER.exec(authorization);
    if (match === null) reject('Authorization is not "vapid t=…, k=…"');
    const [, jwt, k] = match as unknown as [string, string, string];
    const [headerPart, payloadPart, signaturePart] = jwt.split('.') as [string, string, string];
    let header: { alg?: unknown };
    let claims: { aud?: unknown; exp?: unknown; sub?: unknown };
    try {
      header = JSON.parse(Buffer.from(headerPart, 'base64url').toString());
      claims = JSON.parse(Buffer.from(payloadPart, 'base64url').toString());
    } catch {
      reject('JWT header or claims are not JSON');
    }
    if (header.alg !== 'ES256') reject(`JWT alg ${String(header.alg)} is not ES256`);
    const ok = verify(
      'sha256',
      Buffer.from(`${headerPart}.${payloadPart}`),
      { key: publicKeyFromRaw(Buffer.from(k, 'base64url')), dsaEncoding: 'ieee-p1363' },
      Buffer.from(signaturePart, 'base64url'),
    );
    if (!ok) reject('JWT signature does not verify against k');
    if (claims.aud !== audience) reject(`JWT aud ${String(claims.aud)} is not ${audience}`);
    if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds) reject('JWT expired');
    if (claims.exp > nowSeconds + MAX_LIFETIME_SECONDS + SKEW_SECONDS) {
      reject('JWT exp more than 24 h ahead');
    }
    if (typeof claims.sub !== 'string' || !/^(mailto:|https:)/.test(claims.sub)) {
      reject('JWT sub is not mailto: or https:');
    }
    if (verified.size >= MAX_CACHED_HEADERS) {
      for (const [key, entry] of verified) if (entry.exp <= nowSeconds) verified.delete(key);
    }
    verified.set(cacheKey, { exp: claims.exp, sub: claims.sub, k });
    signaturesVerified++;
    return { sub: claims.sub, k };
  }

  return {
    verify: verifyHeader,
    /** JWTs verified so far (cache hits excluded). */
    signaturesVerified: () => signaturesVerified,
  };
}

export type VapidVerifier = ReturnType<typeof createVapidVerifier>;
