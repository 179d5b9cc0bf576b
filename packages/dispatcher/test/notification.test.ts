import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Campaign,
  createPayloadBuilder,
  notificationIdFor,
  PayloadTooLargeError,
} from '@hoot/dispatcher';
import { MAX_PUSH_PAYLOAD_BYTES, verifyPingToken } from '@hoot/events';

const secret = 'unit-test-secret-0123456789abcdef0123456789';
const campaign: Campaign = {
  id: 42,
  merchant: 'shop.example',
  title: 'Sale',
  body: 'Half price',
  url: 'https://shop.example/sale',
  icon: null,
  status: 'sending',
  ttlSeconds: 3600,
  urgency: 'normal',
};

describe('notificationIdFor', () => {
  it('is deterministic per campaign and subscriber, distinct otherwise, and a valid Topic header', () => {
    const ref = { merchant: 'shop.example', source: 'campaign', source_id: 42 };
    const id = notificationIdFor(ref, 7);
    assert.equal(notificationIdFor(ref, 7), id);
    assert.notEqual(notificationIdFor(ref, 8), id);
    assert.notEqual(notificationIdFor({ ...ref, source_id: 43 }, 7), id);
    assert.notEqual(notificationIdFor({ ...ref, merchant: 'other.example' }, 7), id);
    assert.match(id, /^[A-Za-z0-9_-]{22}$/);
  });
});

describe('payload builder', () => {
  const now = 1_800_000_000_000;
  const build = createPayloadBuilder({
    secret,
    pingUrl: 'https://api.example/pings',
    attributionWindowMs: 72 * 3600 * 1000,
    now: () => now,
  });

  it('writes what the service worker needs and a token that expires after TTL + attribution window', () => {
    const built = build(campaign, 7);
    const payload = JSON.parse(built.plaintext.toString()) as Record<string, unknown>;
    assert.equal(payload.notification_id, built.notificationId);
    assert.equal(payload.subscriber_id, 7);
    assert.equal(payload.source, 'campaign');
    assert.equal(payload.source_id, 42);
    assert.equal(payload.ping_url, 'https://api.example/pings');
    assert.equal(payload.icon, null);
    const verified = verifyPingToken(String(payload.token), [secret], now);
    assert.ok(verified.ok);
    assert.equal(verified.claims.expiresAt, now / 1000 + 3600 + 72 * 3600);
    assert.equal(verified.claims.notificationId, built.notificationId);
    assert.equal(verifyPingToken(String(payload.token), [secret], now + (3600 + 72 * 3600) * 1000).ok, false);
  });

  it('refuses a payload that would not fit 4096 bytes once encrypted, naming sizes and the fix', () => {
    const long = { ...campaign, body: 'é'.repeat(2000) };
    assert.throws(
      () => build(long, 7),
      (error: unknown) =>
        error instanceof PayloadTooLargeError &&
        error.plaintextBytes > MAX_PUSH_PAYLOAD_BYTES - 103 &&
        /campaign 42 for subscriber 7 is \d+ bytes; push services accept at most 4096 bytes encrypted, i\.e\. 3993 bytes of JSON: shorten the title, body, url or icon/.test(
          error.message,
        ),
    );
  });
});
