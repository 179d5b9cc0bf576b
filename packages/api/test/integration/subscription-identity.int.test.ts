import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createBuiltinCatalog } from '@hoot/events';
import pino from 'pino';
import { Registry } from 'prom-client';
import { buildApi } from '../../src/index.ts';
import { type ApiHarness, newVapidPublicKey, pingSecret, startApi } from './api-harness.ts';
import { browserSubscription } from './browser-subscription.ts';

/**
 * One browser is one subscriber, whatever form its subscription arrives in, and stays one when
 * its push service renews the subscription. On the real api and Postgres.
 */
describe('subscriber identity', () => {
  let h: ApiHarness;
  let merchant: string;
  before(async () => {
    h = await startApi({ VAPID_PUBLIC_KEY: newVapidPublicKey() });
    merchant = (await h.newMerchant()).id;
  });
  after(async () => {
    await h.close();
  });

  const subscribe = (payload: unknown) =>
    h.app.inject({
      method: 'POST',
      url: `/v1/merchants/${merchant}/subscriptions`,
      payload: payload as object,
    });
  const renew = (payload: unknown) =>
    h.app.inject({
      method: 'POST',
      url: `/v1/merchants/${merchant}/subscriptions/renew`,
      payload: payload as object,
    });
  const rowOf = async (id: number) =>
    (
      await h.pool.query(
        'SELECT endpoint, p256dh, auth, expiration_time, expired_at, unsubscribed_at FROM subscribers WHERE id = $1',
        [id],
      )
    ).rows[0];

  it('the same endpoint with the host in upper case, :443 or an empty port is the same subscriber', async () => {
    const sub = browserSubscription();
    const first = await subscribe(sub);
    assert.equal(first.statusCode, 201, first.body);
    const id = first.json().subscriber_id;
    const path = new URL(sub.endpoint).pathname;
    for (const endpoint of [
      `https://FCM.GOOGLEAPIS.COM${path}`,
      `https://fcm.googleapis.com:443${path}`,
      `HTTPS://Fcm.GoogleAPIs.com:0443${path}`,
      `https://fcm.googleapis.com:${path}`,
    ]) {
      const res = await subscribe({ ...sub, endpoint });
      assert.equal(res.statusCode, 200, `${endpoint}: ${res.body}`);
      assert.equal(res.json().subscriber_id, id, endpoint);
      assert.equal(res.json().status, 'renewed');
    }
    const other = await subscribe({ ...sub, endpoint: `https://fcm.googleapis.com${path.toUpperCase()}` });
    assert.equal(other.statusCode, 201, 'the path is compared byte for byte');
    const { rows } = await h.pool.query('SELECT endpoint FROM subscribers WHERE id = $1', [id]);
    assert.deepEqual(rows, [{ endpoint: sub.endpoint }]);

    const gone = await h.app.inject({
      method: 'POST',
      url: `/v1/merchants/${merchant}/subscriptions/unsubscribe`,
      payload: { endpoint: `https://FCM.googleapis.com:443${path}` },
    });
    assert.equal(gone.statusCode, 200, gone.body);
    assert.equal(gone.json().subscriber_id, id);
  });

  it('keys in standard base64 with padding are the same subscription, stored as base64url', async () => {
    const sub = browserSubscription();
    const std = {
      ...sub,
      keys: {
        p256dh: Buffer.from(sub.keys.p256dh, 'base64url').toString('base64'),
        auth: Buffer.from(sub.keys.auth, 'base64url').toString('base64'),
      },
    };
    assert.match(std.keys.auth, /=$/);
    const first = await subscribe(std);
    assert.equal(first.statusCode, 201, first.body);
    const again = await subscribe(sub);
    assert.equal(again.json().subscriber_id, first.json().subscriber_id);
    const unpadded = await subscribe({
      ...sub,
      keys: { p256dh: std.keys.p256dh.replace(/=+$/, ''), auth: std.keys.auth.replace(/=+$/, '') },
    });
    assert.equal(unpadded.json().subscriber_id, first.json().subscriber_id);
    const row = await rowOf(first.json().subscriber_id);
    assert.equal(row.p256dh, sub.keys.p256dh);
    assert.equal(row.auth, sub.keys.auth);
  });

  it('refuses endpoints that are not push URLs with 400 naming the field', async () => {
    const sub = browserSubscription();
    const cases: Array<[string, RegExp]> = [
      [`${sub.endpoint.slice(0, -3)}…`, /U\+2026/],
      [`${sub.endpoint} `, /U\+0020/],
      [`${sub.endpoint}\n`, /U\+000A/],
      [`${sub.endpoint}#x`, /fragment/],
      [sub.endpoint.replace('/fcm/', '/f\u00a0cm/'), /U\+00A0/],
      [`${sub.endpoint}%zz`, /'%'/],
    ];
    for (const [endpoint, message] of cases) {
      const res = await subscribe({ ...sub, endpoint });
      assert.equal(res.statusCode, 400, `${JSON.stringify(endpoint)}: ${res.body}`);
      assert.equal(res.json().field, 'body.endpoint');
      assert.match(res.json().message, message);
    }
    const { rows } = await h.pool.query('SELECT 1 FROM subscribers WHERE endpoint LIKE $1', [
      `${sub.endpoint.slice(0, -3)}%`,
    ]);
    assert.equal(rows.length, 0, 'nothing stored');
  });

  it('stores expirationTime and refuses one that is not ms since the epoch', async () => {
    const expiration = Date.now() + 86_400_000;
    const sub = { ...browserSubscription(), expirationTime: expiration };
    const res = await subscribe(sub);
    assert.equal(res.statusCode, 201, res.body);
    const row = await rowOf(res.json().subscriber_id);
    assert.equal(row.expiration_time.getTime(), expiration);
    const renewed = await subscribe({ ...sub, expirationTime: null });
    assert.equal((await rowOf(renewed.json().subscriber_id)).expiration_time, null);
    for (const expirationTime of [-5, 1.5, 1e16, '2026-12-01']) {
      const bad = await subscribe({ ...browserSubscription(), expirationTime });
      assert.equal(bad.statusCode, 400, `${expirationTime}: ${bad.body}`);
      assert.equal(bad.json().field, 'body.expirationTime');
    }
  });

  it('links a renewed subscription to the same subscriber with the proof given at subscribe', async () => {
    const old = browserSubscription();
    const first = await subscribe(old);
    const { subscriber_id: id, proof } = first.json();
    assert.match(proof, /^[A-Za-z0-9_-]{43}$/);
    const next = { ...browserSubscription(), expirationTime: Date.now() + 3_600_000 };
    await h.pool.query('UPDATE subscribers SET expired_at = now() WHERE id = $1', [id]);

    const res = await renew({ subscriber_id: id, proof, subscription: next });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().subscriber_id, id);
    assert.equal(res.json().status, 'relinked');
    const row = await rowOf(id);
    assert.equal(row.endpoint, next.endpoint);
    assert.equal(row.p256dh, next.keys.p256dh);
    assert.equal(row.expiration_time.getTime(), next.expirationTime);
    assert.equal(row.expired_at, null, 'the new endpoint is sendable');

    // The old endpoint is nobody's now: subscribing it again makes another subscriber.
    const oldAgain = await subscribe(old);
    assert.equal(oldAgain.statusCode, 201);
    assert.notEqual(oldAgain.json().subscriber_id, id);
    // The same renewal again changes nothing.
    const repeat = await renew({ subscriber_id: id, proof: res.json().proof, subscription: next });
    assert.equal(repeat.json().subscriber_id, id);
  });

  it('merges the subscriber a renewed endpoint had already created into the proven one', async () => {
    const first = await subscribe(browserSubscription());
    const { subscriber_id: id, proof } = first.json();
    const next = browserSubscription();
    const early = await subscribe(next);
    const earlyId = early.json().subscriber_id;
    const res = await renew({ subscriber_id: id, proof, subscription: next });
    assert.equal(res.statusCode, 200, res.body);
    const { rows } = await h.pool.query(
      'SELECT id FROM subscribers WHERE merchant_id = $1 AND endpoint = $2',
      [merchant, next.endpoint],
    );
    assert.deepEqual(
      rows.map((r) => Number(r.id)),
      [id],
      'one subscriber for the browser',
    );
    const merged = await h.pool.query('SELECT into_id, reason FROM subscriber_merges WHERE merged_id = $1', [
      earlyId,
    ]);
    assert.deepEqual(merged.rows, [{ into_id: String(id), reason: 'renewed' }]);
  });

  it('refuses a renewal without the proof of that subscriber', async () => {
    const a = (await subscribe(browserSubscription())).json();
    const b = (await subscribe(browserSubscription())).json();
    const next = browserSubscription();
    const cases: Array<[unknown, number, string]> = [
      [{ subscriber_id: a.subscriber_id, proof: b.proof, subscription: next }, 403, 'body.proof'],
      [{ subscriber_id: a.subscriber_id, proof: 'A'.repeat(43), subscription: next }, 403, 'body.proof'],
      [{ subscriber_id: a.subscriber_id, proof: 'short', subscription: next }, 400, 'body.proof'],
      [{ subscriber_id: a.subscriber_id, subscription: next }, 400, 'body.proof'],
      [
        {
          subscriber_id: a.subscriber_id,
          proof: a.proof,
          subscription: { ...next, endpoint: 'https://evil.example/x' },
        },
        400,
        'body.subscription.endpoint',
      ],
      [
        {
          subscriber_id: a.subscriber_id,
          proof: a.proof,
          subscription: { ...next, keys: { ...next.keys, auth: 'x' } },
        },
        400,
        'body.subscription.keys.auth',
      ],
    ];
    for (const [payload, status, field] of cases) {
      const res = await renew(payload);
      assert.equal(res.statusCode, status, `${JSON.stringify(payload)}: ${res.body}`);
      assert.equal(res.json().field, field);
    }
    assert.equal((await rowOf(a.subscriber_id)).endpoint !== next.endpoint, true, 'nothing relinked');
    const { signSubscriberProof } = await import('../../src/subscriptions/subscriber-proof.ts');
    const unknown = await renew({
      subscriber_id: 2 ** 40,
      proof: signSubscriberProof(pingSecret, merchant, 2 ** 40),
      subscription: next,
    });
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().field, 'body.subscriber_id');
  });

  it('counts the pings service workers report dropped, once the ping carrying the report is accepted', async () => {
    const ping = { type: 'delivery', token: h.token() };
    const metric = async (reason: string) =>
      (await h.metrics.getSingleMetric('hoot_api_browser_pings_dropped_total')?.get())?.values.find(
        (v) => v.labels.reason === reason,
      )?.value ?? 0;
    const before = await metric('expired');
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/pings',
      payload: { pings: [ping], dropped: { expired: 2, refused: 1 } },
    });
    assert.equal(res.statusCode, 202, res.body);
    assert.equal((await metric('expired')) - before, 2);
    assert.ok((await metric('refused')) >= 1);
    const bad = await h.app.inject({
      method: 'POST',
      url: '/v1/pings',
      payload: { pings: [ping], dropped: { expired: -1 } },
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().field, 'body.dropped.expired');
  });
});

describe('subscribe snippet without a VAPID key', () => {
  it('is refused with 503 and a message naming VAPID_PUBLIC_KEY, which the api warned about at start', async () => {
    const h = await startApi();
    const lines: Array<{ level: number; msg: string }> = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const app = await buildApi({
      config: h.config,
      pool: h.pool,
      kafka: h.kafka,
      schemaRegistry: createBuiltinCatalog(),
      metricsRegistry: new Registry(),
      logger: pino({ level: 'info' }, sink),
    });
    try {
      await app.ready();
      const res = await app.inject({ method: 'GET', url: '/v1/merchants/shop.example/subscribe.js' });
      assert.equal(res.statusCode, 503);
      assert.equal(res.json().error, 'vapid_key_missing');
      assert.match(res.json().message, /VAPID_PUBLIC_KEY/);
      assert.ok(
        lines.some((l) => l.level === 40 && l.msg.includes('VAPID_PUBLIC_KEY is not set')),
        'a warning at start',
      );
    } finally {
      await app.close();
      await h.close();
    }
  });
});
