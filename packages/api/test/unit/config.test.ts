import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '@hoot/runtime';
import { listOf, loadApiConfig } from '../../src/index.ts';

const secret = 's'.repeat(32);

describe('api configuration', () => {
  it('has defaults that run locally once a ping secret is given', () => {
    const config = loadApiConfig({ PING_TOKEN_SECRETS: secret });
    assert.equal(config.PORT, 3000);
    assert.equal(config.PING_TOPIC, 'pushnotification-ping');
    assert.deepEqual(listOf(config.PUSH_SERVICE_HOSTS).slice(0, 2), [
      'fcm.googleapis.com',
      'updates.push.services.mozilla.com',
    ]);
  });

  it('requires PING_TOKEN_SECRETS, each secret long enough', () => {
    assert.throws(
      () => loadApiConfig({}),
      (error: unknown) => error instanceof ConfigError && /PING_TOKEN_SECRETS/.test(error.message),
    );
    assert.throws(() => loadApiConfig({ PING_TOKEN_SECRETS: `${secret},short` }), /shorter than 32 bytes/);
  });
});
