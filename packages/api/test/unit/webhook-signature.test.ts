import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { signWebhook } from '../../src/index.ts';
import { webhookSignatureValid } from '../../src/orders/webhook-signature.ts';

describe('order webhook signature', () => {
  const secret = 'whsec-test';
  const body = Buffer.from('{"order_id":"1001","total_minor":2500}');

  it('is the base64 HMAC-SHA256 of the raw body, as Shopify computes it', () => {
    const expected = createHmac('sha256', secret).update(body).digest('base64');
    assert.equal(signWebhook(body, secret), expected);
    assert.equal(webhookSignatureValid(body, secret, expected), true);
  });

  it('refuses a missing, malformed, truncated or other-secret signature and a changed body', () => {
    const good = signWebhook(body, secret);
    for (const header of [undefined, '', 'abc', good.slice(0, -2), signWebhook(body, 'other'), `${good}x`]) {
      assert.equal(webhookSignatureValid(body, secret, header), false, String(header));
    }
    assert.equal(webhookSignatureValid(Buffer.from(`${body} `), secret, good), false);
  });
});
