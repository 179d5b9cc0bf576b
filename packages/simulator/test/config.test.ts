import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { audienceBehaviour, loadSimulatorConfig } from '@hoot/simulator';

const required = { MERCHANT_FILE: 'm.json', TLS_CERT: 'c.pem', TLS_KEY: 'k.pem' };

describe('simulator configuration', () => {
  it('runs a demo audience of 2000 browsers with defaults', () => {
    const config = loadSimulatorConfig(required);
    assert.equal(config.AUDIENCE_SIZE, 2000);
    assert.equal(config.PUSH_PORT, 8443);
    assert.equal(config.HTTP_PORT, 9470);
    assert.equal(config.API_URL, 'http://127.0.0.1:3000');
    assert.equal(config.DEMO_CAMPAIGNS, true);
    const behaviour = audienceBehaviour(config);
    assert.equal(behaviour.clickShare, 0.05);
    assert.deepEqual(behaviour.deliveryDelay, { minMs: 200, maxMs: 20_000 });
  });

  it('takes shares, delays and size from the environment', () => {
    const config = loadSimulatorConfig({
      ...required,
      AUDIENCE_SIZE: '50',
      CLICK_SHARE: '0.5',
      ORDER_DELAY_MIN_MS: '0',
      ORDER_DELAY_MAX_MS: '10',
      DEMO_CAMPAIGNS: 'false',
    });
    assert.equal(config.AUDIENCE_SIZE, 50);
    assert.equal(config.CLICK_SHARE, 0.5);
    assert.deepEqual(audienceBehaviour(config).orderDelay, { minMs: 0, maxMs: 10 });
    assert.equal(config.DEMO_CAMPAIGNS, false);
  });

  it('names each variable at fault: missing files, shares over 1, a minimum above its maximum', () => {
    assert.throws(
      () => loadSimulatorConfig({ CLICK_SHARE: '1.5', AUDIENCE_SIZE: 'many' }),
      (error: Error) =>
        ['MERCHANT_FILE', 'TLS_CERT', 'TLS_KEY', 'CLICK_SHARE', 'AUDIENCE_SIZE'].every((name) =>
          error.message.includes(name),
        ),
    );
    assert.throws(
      () => loadSimulatorConfig({ ...required, CLICK_DELAY_MIN_MS: '5000', CLICK_DELAY_MAX_MS: '100' }),
      /CLICK_DELAY_MIN_MS \(5000\) is larger than CLICK_DELAY_MAX_MS \(100\)/,
    );
  });
});
