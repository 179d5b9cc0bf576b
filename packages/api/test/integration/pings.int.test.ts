import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { campaignKey, type Ping, pingSchema } from '@hoot/events';
import { type ApiHarness, oldPingSecret, startApi } from './api-harness.ts';

async function metricValue(
  h: ApiHarness,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = (await h.metrics.getMetricsAsJSON()).find((m) => m.name === name);
  const wanted = Object.entries(labels);
  return (metric?.values ?? [])
    .filter((v) => wanted.every(([k, value]) => (v.labels as Record<string, unknown>)[k] === value))
    .reduce((sum, v) => sum + v.value, 0);
}

describe('POST /v1/pings', () => {
  let h: ApiHarness;
  before(async () => {
    h = await startApi();
  });
  after(async () => {
    await h.close();
  });

  it('answers 202 once the delivery ping is in Kafka, keyed by campaign, with the seed fields filled', async () => {
    const clientTime = new Date(Date.now() - 5000).toISOString();
    const token = h.token({
      notificationId: 'n-delivery-1',
      merchant: 'shop-a.example',
      sourceId: 42,
      subscriberId: 7,
    });
    const before = Date.now();
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/pings',
      payload: { pings: [{ type: 'delivery', token, time: clientTime }] },
    });
    assert.equal(res.statusCode, 202, res.body);
    assert.deepEqual(res.json(), { accepted: 1 });
    const [record] = await h.consume<Ping>(h.topics.ping, pingSchema, 1);
    assert.ok(record);
    assert.equal(record.key, campaignKey({ merchant: 'shop-a.example', source: 'campaign', source_id: 42 }));
    const { received_at, ...rest } = record.value;
    assert.ok(received_at !== null && received_at >= before && received_at <= Date.now());
    assert.deepEqual(rest, {
      merchant: 'shop-a.example',
      source: 'campaign',
      source_id: 42,
      subscriber_id: 7,
      delivered_time: clientTime,
      clicked_time: null,
      notification_id: 'n-delivery-1',
      token,
      event_time: Date.parse(clientTime),
    });
  });

  it('takes a batch as text/plain (no preflight), with rotation, and uses server time for implausible client times', async () => {
    const start = await h.endOffset(h.topics.ping);
    const issuedAt = Math.floor(Date.now() / 1000) - 60;
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const beforeIssue = new Date((issuedAt - 600) * 1000).toISOString();
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/pings',
      headers: { 'content-type': 'text/plain;charset=UTF-8', origin: 'https://shop.example' },
      payload: JSON.stringify({
        pings: [
          { type: 'click', token: h.token({ notificationId: 'n-future', issuedAt }), time: future },
          { type: 'delivery', token: h.token({ notificationId: 'n-early', issuedAt }), time: beforeIssue },
          { type: 'click', token: h.token({ notificationId: 'n-old-secret' }, oldPingSecret) },
        ],
      }),
    });
    assert.equal(res.statusCode, 202, res.body);
    assert.equal(res.headers['access-control-allow-origin'], '*', 'the service worker may read the answer');
    assert.equal(await h.endOffset(h.topics.ping), start + 3);
    const records = (await h.consume<Ping>(h.topics.ping, pingSchema, start + 3)).slice(-3);
    const byId = new Map(records.map((r) => [r.value.notification_id, r.value]));
    for (const id of ['n-future', 'n-early', 'n-old-secret']) {
      const ping = byId.get(id);
      assert.ok(ping, id);
      assert.equal(ping.event_time, ping.received_at, `${id} counts at server time`);
    }
    assert.equal(
      byId.get('n-future')?.clicked_time,
      new Date(byId.get('n-future')!.event_time!).toISOString(),
    );
    assert.equal(byId.get('n-early')?.delivered_time !== null, true);
    assert.ok((await metricValue(h, 'hoot_api_ping_event_time_total', { source: 'server' })) >= 3);
  });

  it('batches concurrent requests into fewer produces, every one acknowledged', async () => {
    const produces = await metricValue(h, 'hoot_api_produce_batch_records_count');
    const start = await h.endOffset(h.topics.ping);
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        h.app.inject({
          method: 'POST',
          url: '/v1/pings',
          payload: {
            pings: [{ type: 'delivery', token: h.token({ notificationId: `n-c-${i}`, sourceId: i }) }],
          },
        }),
      ),
    );
    assert.deepEqual(new Set(answers.map((a) => a.statusCode)), new Set([202]));
    assert.equal(await h.endOffset(h.topics.ping), start + 200);
    const flushes = (await metricValue(h, 'hoot_api_produce_batch_records_count')) - produces;
    assert.ok(flushes < 200, `200 requests took ${flushes} produces`);
  });

  it('rejects forged, expired and malformed tokens with a 4xx naming the ping, counts them, writes nothing', async () => {
    const start = await h.endOffset(h.topics.ping);
    const valid = h.token();
    const [v, body, sig] = valid.split('.');
    const forgedBody = Buffer.from(
      JSON.stringify(['n', 'victim.example', 'campaign', 1, 1, 2_000_000_000]),
    ).toString('base64url');
    const cases = [
      {
        token: `${v}.${forgedBody}.${sig}`,
        status: 403,
        error: 'token_bad_signature',
        reason: 'bad_signature',
      },
      {
        token: h.token({}, 'x'.repeat(40)),
        status: 403,
        error: 'token_bad_signature',
        reason: 'bad_signature',
      },
      {
        token: h.token({ expiresAt: Math.floor(Date.now() / 1000) - 1 }),
        status: 403,
        error: 'token_expired',
        reason: 'expired',
      },
      { token: `v1.${body}`, status: 400, error: 'token_malformed', reason: 'malformed' },
    ];
    for (const c of cases) {
      const counted = await metricValue(h, 'hoot_api_pings_rejected_total', { reason: c.reason });
      const res = await h.app.inject({
        method: 'POST',
        url: '/v1/pings',
        payload: {
          pings: [
            { type: 'delivery', token: valid },
            { type: 'click', token: c.token },
          ],
        },
      });
      assert.equal(res.statusCode, c.status, res.body);
      assert.equal(res.json().error, c.error);
      assert.equal(res.json().field, 'body.pings.1.token');
      assert.equal(await metricValue(h, 'hoot_api_pings_rejected_total', { reason: c.reason }), counted + 1);
    }
    assert.equal(await h.endOffset(h.topics.ping), start, 'no record for a rejected request');
  });

  it('answers 400 naming the field for a bad body', async () => {
    const cases: Array<[unknown, string]> = [
      [{ pings: [{ token: h.token() }] }, 'body.pings.0.type'],
      [{ pings: [{ type: 'open', token: h.token() }] }, 'body.pings.0.type'],
      [{ pings: [{ type: 'click', token: h.token(), time: 'yesterday' }] }, 'body.pings.0.time'],
      [{ pings: [] }, 'body.pings'],
      [{}, 'body.pings'],
      [{ pings: Array.from({ length: 21 }, () => ({ type: 'click', token: 'x' })) }, 'body.pings'],
    ];
    for (const [payload, field] of cases) {
      const res = await h.app.inject({ method: 'POST', url: '/v1/pings', payload: payload as object });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().field, field, JSON.stringify(payload));
      assert.match(res.json().message, new RegExp(field.replace(/\./g, '\\.')));
    }
    const broken = await h.app.inject({
      method: 'POST',
      url: '/v1/pings',
      headers: { 'content-type': 'application/json' },
      payload: '{"pings": [',
    });
    assert.equal(broken.statusCode, 400);
    assert.equal(broken.json().error, 'invalid_json');
  });

  it('answers a CORS preflight from any site', async () => {
    const res = await h.app.inject({
      method: 'OPTIONS',
      url: '/v1/pings',
      headers: {
        origin: 'https://shop.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    assert.equal(res.statusCode, 204);
    assert.equal(res.headers['access-control-allow-origin'], '*');
  });
});
