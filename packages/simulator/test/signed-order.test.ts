import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ORDER_SIGNATURE_HEADER, signedOrder } from '@hoot/simulator';

describe('signed orders', () => {
  const order = {
    order_id: 'o-1',
    subscriber_id: 42,
    total_minor: 1999,
    currency: 'EUR',
    created_at: '2026-01-02T03:04:05.000Z',
  };

  it('signs the exact body bytes: base64 HMAC-SHA256 with the webhook secret', () => {
    const { body, signature } = signedOrder(order, 'shop-secret');
    assert.equal(
      body,
      '{"order_id":"o-1","subscriber_id":42,"total_minor":1999,"currency":"EUR","created_at":"2026-01-02T03:04:05.000Z"}',
    );
    // openssl dgst -sha256 -hmac shop-secret -binary | base64, over the body above
    assert.equal(signature, 'DXwfDl7KvsfkCBz+NXJLoyKTsh+vpk7ntTZkubZh8Sg=');
    assert.equal(ORDER_SIGNATURE_HEADER.toLowerCase(), 'x-hoot-hmac-sha256');
  });

  it('gives another signature for another secret or another total', () => {
    const base = signedOrder(order, 'shop-secret').signature;
    assert.notEqual(signedOrder(order, 'other-secret').signature, base);
    assert.notEqual(signedOrder({ ...order, total_minor: 2000 }, 'shop-secret').signature, base);
  });
});
