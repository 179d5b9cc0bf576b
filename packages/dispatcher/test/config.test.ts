import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadDispatcherConfig, signingSecret } from '@hoot/dispatcher';

describe('dispatcher configuration', () => {
  it('runs locally with defaults, private addresses refused', () => {
    const config = loadDispatcherConfig({});
    assert.equal(config.PUSH_ALLOW_PRIVATE_ADDRESSES, false);
    assert.equal(config.ATTRIBUTION_WINDOW_HOURS, 72);
    assert.equal(config.SEND_REQUESTS_TOPIC, 'campaign-send-requests');
    assert.equal(config.SEND_BATCHES_TOPIC, 'campaign-send-batches');
    assert.equal(config.DISPATCH_TOPIC, 'pushnotification-dispatch');
  });

  it('signs with the first of PING_TOKEN_SECRETS', () => {
    const config = loadDispatcherConfig({
      PING_TOKEN_SECRETS: 'new-secret-0123456789abcdef0123456789ab,old-secret-0123456789abcdef0123456789ab',
    });
    assert.equal(signingSecret(config), 'new-secret-0123456789abcdef0123456789ab');
  });

  it('names each bad variable', () => {
    assert.throws(
      () =>
        loadDispatcherConfig({
          VAPID_SUBJECT: 'ops@example',
          ATTRIBUTION_WINDOW_HOURS: '3 days',
          PUSH_ALLOW_PRIVATE_ADDRESSES: 'maybe',
        }),
      (error: Error) =>
        /VAPID_SUBJECT/.test(error.message) &&
        /ATTRIBUTION_WINDOW/.test(error.message) &&
        /PUSH_ALLOW_PRIVATE_ADDRESSES/.test(error.message),
    );
  });
});
