import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Random } from '@hoot/workload';
import type { InjectOptions } from 'fastify';
import { type NewMerchant, SIGNATURE_HEADER, signWebhook } from '../../src/index.ts';
import { type ApiHarness, startApi } from './api-harness.ts';
import { browserSubscription } from './browser-subscription.ts';

/** The workload's seeded generator, so a failure can be replayed. */
function random(seed: number) {
  const r = new Random(seed);
  return {
    next: () => r.next(),
    int: (n: number) => r.int(0, n - 1),
    pick: <T>(items: readonly T[]): T => r.pick(items),
  };
}

type Rng = ReturnType<typeof random>;

const hugeString = 'A'.repeat(70_000);
const strangeStrings = [
  '',
  ' ',
  '\u0000',
  '\u202e\u0000\ud800',
  '%00',
  '../../etc/passwd',
  "'; DROP TABLE merchants; --",
  '<script>alert(1)</script>',
  'x'.repeat(3000),
  '😀'.repeat(500),
  'v1.a.b',
  'v1..',
  '==',
  '!!!not-base64!!!',
  'null',
  '1e309',
];

function wrongValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 2 ? 7 : 10)) {
    case 0:
      return null;
    case 1:
      return rng.pick([0, -1, 1.5, 2 ** 53, -(2 ** 63), Number.MAX_VALUE, 1e-300]);
    case 2:
      return rng.pick([true, false]);
    case 3:
      return rng.pick(strangeStrings);
    case 4:
      return rng.next() < 0.05 ? hugeString : 'y'.repeat(rng.int(5000));
    case 5:
      return [];
    case 6:
      return {};
    case 7:
      return Array.from({ length: rng.int(4) }, () => wrongValue(rng, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: rng.int(4) }, (_, i) => [`k${i}`, wrongValue(rng, depth + 1)]),
      );
  }
}

/** Text that is not JSON, or JSON cut short. */
function brokenJson(rng: Rng, valid: string): string | Buffer {
  switch (rng.int(6)) {
    case 0:
      return valid.slice(0, Math.max(1, rng.int(valid.length)));
    case 1:
      return `${valid}}`;
    case 2:
      return Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0xc3, 0x28]);
    case 3:
      return `\ufeff${valid.replace(/"/g, "'")}`;
    case 4:
      return '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}';
    default:
      return `[${'['.repeat(5000)}`;
  }
}

/** The same token with one character changed, signed with another secret, expired, or cut. */
function forgedToken(rng: Rng, h: ApiHarness): string {
  const token = h.token();
  switch (rng.int(5)) {
    case 0: {
      const at = rng.int(token.length);
      const swap = token[at] === 'A' ? 'B' : 'A';
      return token.slice(0, at) + swap + token.slice(at + 1);
    }
    case 1:
      return h.token({}, 'z'.repeat(32 + rng.int(20)));
    case 2:
      return h.token({ expiresAt: Math.floor(Date.now() / 1000) - 1 - rng.int(100_000) });
    case 3:
      return token.slice(0, rng.int(token.length));
    default: {
      const [v, , sig] = token.split('.');
      const claims = Buffer.from(
        JSON.stringify(['n', 'victim.example', 'campaign', rng.int(99), 1, 2e9]),
      ).toString('base64url');
      return `${v}.${claims}.${sig}`;
    }
  }
}

const safeInteger = (v: unknown, min: number) => Number.isSafeInteger(v) && (v as number) >= min;
/** What the order schema accepts per field: the generator redraws until a value is not. */
const orderIsValid = {
  order_id: (v: unknown) =>
    typeof v === 'string' && v.length >= 1 && v.length <= 128 && !v.includes('\u0000'),
  subscriber_id: (v: unknown) => v === null || safeInteger(v, 1),
  total_minor: (v: unknown) => safeInteger(v, 0),
  currency: (v: unknown) => typeof v === 'string' && /^[A-Z]{3}$/.test(v),
  created_at: (v: unknown) => typeof v === 'string' && !Number.isNaN(Date.parse(v)) && /^\d{4}-/.test(v),
};

const contentTypes = [
  'application/json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  undefined,
];

describe('thousands of malformed requests to every public endpoint', () => {
  let h: ApiHarness;
  let shop: NewMerchant;
  before(async () => {
    h = await startApi({ RATE_LIMIT_MAX: '1000000' });
    shop = await h.newMerchant();
  });
  after(async () => {
    await h.close();
  });

  function pingRequest(rng: Rng): InjectOptions {
    const valid = { pings: [{ type: 'delivery', token: h.token() }] };
    let payload: unknown;
    switch (rng.int(6)) {
      case 0:
        payload = { pings: [{ type: rng.pick(['delivery', 'click']), token: forgedToken(rng, h) }] };
        break;
      case 1:
        payload = {
          pings: [
            { type: 'delivery', token: h.token() },
            { type: 'click', token: forgedToken(rng, h) },
          ],
        };
        break;
      case 2:
        payload = { pings: [{ ...valid.pings[0], [rng.pick(['type', 'token', 'time'])]: wrongValue(rng) }] };
        break;
      case 3:
        payload = rng.pick([wrongValue(rng), { pings: wrongValue(rng) }, { pings: [] }]);
        break;
      case 4:
        payload = { pings: Array.from({ length: 21 + rng.int(100) }, () => valid.pings[0]) };
        break;
      default:
        return {
          method: 'POST',
          url: '/v1/pings',
          headers: { 'content-type': rng.pick(['application/json', 'text/plain']) },
          payload: brokenJson(rng, JSON.stringify(valid)),
        };
    }
    // An object payload that happens to be valid would be accepted: every case above is not.
    const contentType = rng.pick(contentTypes);
    return {
      method: 'POST',
      url: '/v1/pings',
      ...(contentType === undefined ? {} : { headers: { 'content-type': contentType } }),
      payload: JSON.stringify(payload),
    };
  }

  function subscribeRequest(rng: Rng): InjectOptions {
    const good = browserSubscription();
    const merchant = rng.next() < 0.1 ? rng.pick(['UPPER', 'a/b', '%2e%2e', 'x'.repeat(300), '-x']) : shop.id;
    const bad: unknown[] = [
      {
        ...good,
        endpoint: rng.pick([
          'http://fcm.googleapis.com/x',
          'https://evil.example/x',
          'ftp://x',
          'https://10.0.0.1/',
          'https://fcm.googleapis.com.evil/x',
          wrongValue(rng),
        ]),
      },
      {
        ...good,
        keys: {
          ...good.keys,
          p256dh: rng.pick([
            '@@@',
            good.keys.auth,
            Buffer.alloc(65).toString('base64url'),
            `${good.keys.p256dh}AA`,
            wrongValue(rng),
          ]),
        },
      },
      {
        ...good,
        keys: {
          ...good.keys,
          auth: rng.pick(['***', Buffer.alloc(17).toString('base64url'), '', wrongValue(rng)]),
        },
      },
      { ...good, keys: wrongValue(rng) },
      { endpoint: good.endpoint },
      wrongValue(rng),
    ];
    const unsubscribe = rng.next() < 0.3;
    if (unsubscribe) {
      return {
        method: 'POST',
        url: `/v1/merchants/${merchant}/subscriptions/unsubscribe`,
        payload: JSON.stringify(
          rng.next() < 0.5 ? { endpoint: wrongValue(rng) } : { endpoint: `${good.endpoint}-unknown` },
        ),
        headers: { 'content-type': 'application/json' },
      };
    }
    if (rng.next() < 0.15) {
      return {
        method: 'POST',
        url: `/v1/merchants/${merchant}/subscriptions`,
        headers: { 'content-type': 'application/json' },
        payload: brokenJson(rng, JSON.stringify(good)),
      };
    }
    return {
      method: 'POST',
      url: `/v1/merchants/${merchant}/subscriptions`,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(rng.pick(bad)),
    };
  }

  function orderRequest(rng: Rng): InjectOptions {
    const order = {
      order_id: `o-${rng.int(1e9)}`,
      subscriber_id: 1,
      total_minor: 100,
      currency: 'EUR',
      created_at: '2026-11-21T10:00:00Z',
    };
    const url = `/v1/webhooks/orders/${rng.next() < 0.1 ? 'no-such-shop.example' : shop.id}`;
    const headers = { 'content-type': 'application/json' };
    switch (rng.int(4)) {
      case 0: {
        // Signed correctly, but the content is wrong.
        const field = rng.pick(Object.keys(order)) as keyof typeof orderIsValid;
        let value = wrongValue(rng);
        while (orderIsValid[field](value)) value = wrongValue(rng);
        const body = JSON.stringify({ ...order, [field]: value });
        return {
          method: 'POST',
          url,
          headers: { ...headers, [SIGNATURE_HEADER]: signWebhook(body, shop.webhookSecret) },
          payload: body,
        };
      }
      case 1: {
        const body = brokenJson(rng, JSON.stringify(order));
        return {
          method: 'POST',
          url,
          headers: { ...headers, [SIGNATURE_HEADER]: signWebhook(body, shop.webhookSecret) },
          payload: body,
        };
      }
      case 2: {
        // A valid order with a wrong signature.
        const body = JSON.stringify(order);
        const signature = rng.pick([
          undefined,
          '',
          'not base64',
          signWebhook(body, 'another secret'),
          signWebhook(`${body} `, shop.webhookSecret),
          String(wrongValue(rng)).slice(0, 200),
        ]);
        return {
          method: 'POST',
          url,
          headers: signature === undefined ? headers : { ...headers, [SIGNATURE_HEADER]: signature },
          payload: body,
        };
      }
      default:
        return { method: 'POST', url, headers, payload: JSON.stringify(wrongValue(rng)) };
    }
  }

  function otherRequest(rng: Rng): InjectOptions {
    return rng.pick<InjectOptions>([
      { method: 'GET', url: `/v1/merchants/${rng.pick(['UPPER', 'a%00b', 'x'.repeat(400)])}/subscribe.js` },
      { method: 'GET', url: `/v1/campaigns/${rng.pick(['-1', '0', 'abc', '1e3', '99999999999999999999'])}` },
      {
        method: 'GET',
        url: '/v1/campaigns',
        headers: { authorization: String(wrongValue(rng)).slice(0, 300) },
      },
      {
        method: 'GET',
        url: `/v1/campaigns?limit=${rng.pick(['0', '-5', '1000', 'x'])}`,
        headers: { authorization: 'Bearer nope' },
      },
      { method: 'DELETE', url: '/v1/pings' },
      { method: 'PUT', url: `/v1/merchants/${shop.id}/subscriptions`, payload: '{}' },
    ]);
  }

  it('never answers 5xx, always a 4xx JSON body, and writes nothing for rejected requests', async (t) => {
    const seed = Number(process.env.BAD_INPUT_SEED ?? 20261122);
    const rng = random(seed);
    const startPings = await h.endOffset(h.topics.ping);
    const startOrders = await h.endOffset(h.topics.orders);
    const generators = [pingRequest, subscribeRequest, orderRequest, otherRequest];
    const statuses = new Map<number, number>();
    const total = 3000;
    for (let sent = 0; sent < total; sent += 50) {
      const batch = Array.from({ length: 50 }, (_, i) => generators[(sent + i) % generators.length]!(rng));
      const answers = await Promise.all(batch.map((request) => h.app.inject(request)));
      answers.forEach((res, i) => {
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        const where = `${batch[i]?.method} ${batch[i]?.url} ${String(batch[i]?.payload).slice(0, 200)}`;
        assert.ok(
          res.statusCode >= 400 && res.statusCode < 500,
          `${res.statusCode} for ${where}: ${res.body}`,
        );
        assert.equal(typeof res.json().error, 'string', where);
      });
    }
    t.diagnostic(`seed ${seed}: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
    assert.equal(
      [...statuses.values()].reduce((a, b) => a + b, 0),
      total,
    );
    assert.equal(await h.endOffset(h.topics.ping), startPings, 'no ping written');
    assert.equal(await h.endOffset(h.topics.orders), startOrders, 'no order written');
    const rows = await h.pool.query('SELECT count(*)::int AS n FROM subscribers WHERE merchant_id = $1', [
      shop.id,
    ]);
    assert.equal(rows.rows[0].n, 0, 'no subscriber stored');
    const orders = await h.pool.query(
      'SELECT count(*)::int AS n FROM received_orders WHERE merchant_id = $1',
      [shop.id],
    );
    assert.equal(orders.rows[0].n, 0, 'no order remembered');
    // Several kinds of refusal were exercised, not one.
    for (const status of [400, 401, 403, 404, 413])
      assert.ok((statuses.get(status) ?? 0) > 0, `some ${status}`);
  });
});
