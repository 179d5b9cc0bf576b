import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createBuiltinCatalog } from '@hoot/events';
import pg from 'pg';
import { buildApi } from '../../src/index.ts';
import { type ApiHarness, bearer, startApi } from './api-harness.ts';
import { browserSubscription } from './browser-subscription.ts';

describe('operations, documentation and limits', () => {
  let h: ApiHarness;
  let merchant: string;
  let apiKey: string;
  before(async () => {
    h = await startApi({ RATE_LIMIT_MAX: '5', RATE_LIMIT_WINDOW_MS: '60000', BODY_LIMIT_BYTES: '4096' });
    const created = await h.newMerchant();
    merchant = created.id;
    apiKey = created.apiKey;
  });
  after(async () => {
    await h.close();
  });

  it('serves /healthz, /readyz with Kafka and Postgres reachable, and Prometheus /metrics', async () => {
    assert.deepEqual((await h.app.inject('/healthz')).json(), { status: 'ok' });
    const ready = await h.app.inject('/readyz');
    assert.equal(ready.statusCode, 200, ready.body);
    const metrics = await h.app.inject('/metrics');
    assert.equal(metrics.statusCode, 200);
    assert.match(
      metrics.body,
      /hoot_api_http_requests_total\{method="GET",route="\/readyz",status="200"\} 1/,
    );
    assert.match(metrics.body, /# TYPE hoot_api_pings_rejected_total counter/);
  });

  it('answers /readyz 503 naming Postgres when it is unreachable', async () => {
    const deadPool = new pg.Pool({
      connectionString: 'postgres://postgres@127.0.0.1:1/none',
      connectionTimeoutMillis: 500,
    });
    const app = await buildApi({
      config: h.config,
      pool: deadPool,
      kafka: h.kafka,
      schemaRegistry: createBuiltinCatalog(),
    });
    try {
      const res = await app.inject('/readyz');
      assert.equal(res.statusCode, 503);
      assert.deepEqual(Object.keys(res.json().failed), ['postgres']);
    } finally {
      await app.close();
      await deadPool.end();
    }
  });

  it('documents every endpoint in OpenAPI at /docs', async () => {
    const spec = (await h.app.inject('/docs/json')).json();
    assert.match(spec.openapi, /^3\./);
    for (const path of [
      '/v1/pings',
      '/v1/merchants/{merchant}/subscriptions',
      '/v1/merchants/{merchant}/subscriptions/unsubscribe',
      '/v1/campaigns',
      '/v1/campaigns/{id}',
      '/v1/campaigns/{id}/send',
      '/v1/campaigns/{id}/cancel',
      '/v1/campaigns/{id}/report',
      '/v1/campaigns/{id}/report/hourly',
      '/v1/webhooks/orders/{merchant}',
    ]) {
      assert.ok(spec.paths[path], `${path} is documented`);
    }
    assert.equal(spec.paths['/metrics'], undefined);
    assert.equal((await h.app.inject('/docs')).statusCode < 400, true);
  });

  it('answers 413 for a body over the limit on every endpoint that takes one', async () => {
    const huge = JSON.stringify({ pings: [{ type: 'click', token: 'x'.repeat(5000) }] });
    for (const url of [
      '/v1/pings',
      `/v1/merchants/${merchant}/subscriptions`,
      `/v1/merchants/${merchant}/subscriptions/unsubscribe`,
      `/v1/webhooks/orders/${merchant}`,
      '/v1/campaigns',
    ]) {
      const res = await h.app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', ...bearer(apiKey) },
        payload: huge,
      });
      assert.equal(res.statusCode, 413, `${url}: ${res.body}`);
      assert.equal(res.json().error, 'body_too_large');
    }
  });

  it('answers 404 for unknown routes and 415 for unknown body types, as JSON', async () => {
    const missing = await h.app.inject('/v1/nothing');
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error, 'not_found');
    const xml = await h.app.inject({
      method: 'POST',
      url: `/v1/merchants/${merchant}/subscriptions`,
      headers: { 'content-type': 'application/xml' },
      payload: '<subscription/>',
    });
    assert.equal(xml.statusCode, 415);
  });

  it('rate-limits each public endpoint per client with 429', async () => {
    for (const [method, url, payload] of [
      ['POST', '/v1/pings', { pings: [{ type: 'click', token: h.token() }] }],
      ['POST', `/v1/merchants/${merchant}/subscriptions`, browserSubscription()],
      ['GET', '/v1/sdk/service-worker.js', undefined],
    ] as const) {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) {
        const res = await h.app.inject({
          method,
          url,
          remoteAddress: '203.0.113.9',
          ...(payload === undefined ? {} : { payload }),
        });
        statuses.push(res.statusCode);
        if (res.statusCode === 429) {
          assert.equal(res.json().error, 'rate_limited');
          assert.ok(res.headers['retry-after']);
        }
      }
      assert.deepEqual(statuses.slice(5), [429, 429], `${url}: ${statuses.join(',')}`);
      assert.ok(
        statuses.slice(0, 5).every((s) => s < 400),
        `${url}: ${statuses.join(',')}`,
      );
      const otherClient = await h.app.inject({
        method,
        url,
        remoteAddress: '203.0.113.10',
        ...(payload === undefined ? {} : { payload }),
      });
      assert.ok(otherClient.statusCode < 400, 'another client is not limited');
    }
  });
});
