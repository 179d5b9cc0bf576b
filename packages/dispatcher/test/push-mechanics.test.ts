import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHostBackoff, createVapidHeaderCache, retryAfterMs, retryDelayMs } from '@hoot/dispatcher';
import webpush from 'web-push';

describe('VAPID header cache', () => {
  const keys = webpush.generateVAPIDKeys();

  it('signs once per origin and renews when a tenth of the lifetime is left', () => {
    let now = Math.floor(Date.now() / 1000) * 1000;
    const signed: string[] = [];
    const cache = createVapidHeaderCache({
      subject: 'mailto:ops@hoot.example',
      publicKey: keys.publicKey,
      privateKey: keys.privateKey,
      ttlSeconds: 3600,
      now: () => now,
      onSign: (origin) => signed.push(origin),
    });
    const first = cache.headerFor('https://fcm.googleapis.com');
    assert.match(first, new RegExp(`^vapid t=[\\w-]+\\.[\\w-]+\\.[\\w-]+, k=${keys.publicKey}$`));
    assert.equal(cache.headerFor('https://fcm.googleapis.com'), first);
    cache.headerFor('https://updates.push.services.mozilla.com');
    assert.deepEqual(signed, ['https://fcm.googleapis.com', 'https://updates.push.services.mozilla.com']);
    const claims = JSON.parse(Buffer.from(first.split('.')[1]!, 'base64url').toString()) as {
      aud: string;
      exp: number;
    };
    assert.equal(claims.aud, 'https://fcm.googleapis.com');
    assert.equal(claims.exp, now / 1000 + 3600);
    now += 3000 * 1000; // 10 minutes left: still valid, kept
    assert.equal(cache.headerFor('https://fcm.googleapis.com'), first);
    now += 300 * 1000; // 5 minutes left: renewed
    assert.notEqual(cache.headerFor('https://fcm.googleapis.com'), first);
    assert.equal(signed.length, 3);
  });
});

describe('retry timing', () => {
  it('backs off exponentially with jitter, capped', () => {
    assert.equal(
      retryDelayMs(1, 500, 60_000, () => 1),
      500,
    );
    assert.equal(
      retryDelayMs(3, 500, 60_000, () => 1),
      2000,
    );
    assert.equal(
      retryDelayMs(3, 500, 60_000, () => 0),
      1000,
    );
    assert.equal(
      retryDelayMs(20, 500, 60_000, () => 1),
      60_000,
    );
  });

  it('reads Retry-After as seconds or an HTTP date, capped, and ignores nonsense', () => {
    const now = Date.parse('2026-11-22T00:00:00Z');
    assert.equal(retryAfterMs('2', 60_000, now), 2000);
    assert.equal(retryAfterMs('3600', 60_000, now), 60_000);
    assert.equal(retryAfterMs('Sun, 22 Nov 2026 00:00:30 GMT', 60_000, now), 30_000);
    assert.equal(retryAfterMs(undefined, 60_000, now), undefined);
    assert.equal(retryAfterMs('soon', 60_000, now), undefined);
  });

  it('pauses one host without pausing the others', async () => {
    const backoff = createHostBackoff();
    backoff.pause('a.example', 150);
    assert.equal(backoff.isPaused('a.example'), true);
    assert.equal(backoff.isPaused('b.example'), false);
    const started = Date.now();
    await backoff.wait('b.example');
    assert.ok(Date.now() - started < 50);
    await backoff.wait('a.example');
    assert.ok(Date.now() - started >= 140);
  });
});
