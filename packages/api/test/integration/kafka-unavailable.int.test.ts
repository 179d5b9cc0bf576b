import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createBuiltinCatalog } from '@hoot/events';
import type { FastifyInstance } from 'fastify';
import { buildApi, loadApiConfig, type NewMerchant } from '../../src/index.ts';
import { type ApiHarness, bearer, startApi } from './api-harness.ts';

/**
 * Kafka refusing the write (here: topics that do not exist, with auto-creation off) must give a
 * 503 the client can retry, never a 202, and must leave Postgres as it was.
 */
describe('when Kafka does not take the records', () => {
  let h: ApiHarness;
  let app: FastifyInstance;
  let shop: NewMerchant;
  before(async () => {
    h = await startApi();
    shop = await h.newMerchant();
    const config = loadApiConfig({
      ...Object.fromEntries(Object.entries(h.config).map(([k, v]) => [k, String(v)])),
      PING_TOPIC: 'it-api-missing-ping-topic',
      CAMPAIGN_SEND_TOPIC: 'it-api-missing-send-topic',
      PRODUCE_TIMEOUT_MS: '3000',
    });
    app = await buildApi({ config, pool: h.pool, kafka: h.kafka, schemaRegistry: createBuiltinCatalog() });
  });
  after(async () => {
    await app.close();
    await h.close();
  });

  it('answers a ping 503', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/pings',
      payload: { pings: [{ type: 'delivery', token: h.token() }] },
    });
    assert.equal(res.statusCode, 503, res.body);
    assert.equal(res.json().error, 'service_unavailable');
  });

  it('answers a send 503 and leaves the campaign a draft', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/v1/campaigns',
      headers: bearer(shop.apiKey),
      payload: { title: 't', body: 'b', url: 'https://shop.example/' },
    });
    const id = created.json().id;
    const res = await app.inject({
      method: 'POST',
      url: `/v1/campaigns/${id}/send`,
      headers: bearer(shop.apiKey),
    });
    assert.equal(res.statusCode, 503, res.body);
    const row = await h.pool.query('SELECT status, send_requested_at FROM campaigns WHERE id = $1', [id]);
    assert.deepEqual(row.rows[0], { status: 'draft', send_requested_at: null });
  });
});
