import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { Counter, Registry } from 'prom-client';
import { startOpsServer } from '../src/index.ts';

describe('ops server', () => {
  it('serves metrics, health and readiness naming the failed check', async () => {
    const registry = new Registry();
    new Counter({ name: 'hoot_test_total', help: 'test', registers: [registry] }).inc(3);
    let kafkaDown = false;
    const app = await startOpsServer({
      host: '127.0.0.1',
      port: 0,
      registry,
      logger: pino({ level: 'silent' }),
      readiness: {
        kafka: () => (kafkaDown ? 'no broker answers' : undefined),
        postgres: async () => undefined,
      },
    });
    try {
      const metrics = await app.inject('/metrics');
      assert.match(metrics.body, /hoot_test_total 3/);
      assert.equal((await app.inject('/healthz')).statusCode, 200);
      assert.equal((await app.inject('/readyz')).statusCode, 200);
      kafkaDown = true;
      const notReady = await app.inject('/readyz');
      assert.equal(notReady.statusCode, 503);
      assert.deepEqual(notReady.json(), { status: 'unavailable', failed: { kafka: 'no broker answers' } });
    } finally {
      await app.close();
    }
  });
});
