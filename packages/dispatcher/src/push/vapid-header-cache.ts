import webpush from 'web-push';

export interface VapidKeys {
  subject: string;
  publicKey: string;
  privateKey: string;
}

export interface VapidHeaderCacheOptions extends VapidKeys {
  /** Lifetime of each signed JWT. Push services accept at most 24 h. */
  ttlSeconds: number;
  now?: () => number;
  /** Called on each signing (a metric). */
  onSign?: (origin: string) => void;
}

/**
 * The VAPID Authorization header per push-service origin (the JWT's audience). Signing an ES256
 * JWT for every send would cost more CPU than the request itself, so each origin's header is
 * signed once and reused until a tenth of its lifetime is left, then signed anew.
 */
export function createVapidHeaderCache(options: VapidHeaderCacheOptions) {
  const now = options.now ?? Date.now;
  const renewBeforeMs = (options.ttlSeconds * 1000) / 10;
  const cache = new Map<string, { header: string; expiresAtMs: number }>();
  return {
    headerFor(origin: string): string {
      const cached = cache.get(origin);
      if (cached !== undefined && now() < cached.expiresAtMs - renewBeforeMs) return cached.header;
      const expiresAt = Math.floor(now() / 1000) + options.ttlSeconds;
      const headers = webpush.getVapidHeaders(
        origin,
        options.subject,
        options.publicKey,
        options.privateKey,
        'aes128gcm',
        expiresAt,
      );
      const header = headers.Authorization;
      cache.set(origin, { header, expiresAtMs: expiresAt * 1000 });
      options.onSign?.(origin);
      return header;
    },
  };
}

export type VapidHeaderCache = ReturnType<typeof createVapidHeaderCache>;
