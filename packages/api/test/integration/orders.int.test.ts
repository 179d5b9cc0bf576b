import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type Order, orderSchema } from '@hoot/events';
import { type NewMerchant, SIGNATURE_HEADER, signWebhook } from '../../src/index.ts';
import { type ApiHarness, startApi } from './api-harness.ts';

describe('orders webhook', () => {
  let h: ApiHarness;
  let shop: NewMerchant;
  before(async () => {
    h = await startApi();
    shop = await h.newMerchant();
  });
  after(async () => {
    await h.close();
  });

  const deliver = (body: string, signature: string | undefined, merchant = shop.id) =>
    h.app.inject({
      method: 'POST',
      url: `/v1/webhooks/orders/${merchant}`,
      headers: {
        'content-type': 'application/json',
        ...(signature === undefined ? {} : { [SIGNATURE_HEADER]: signature }),
      },
      payload: body,
    });

  const order = () => ({
    order_id: `#${randomUUID().slice(0, 8)}`,
    subscriber_id: 77,
    total_minor: 12_345,
    currency: 'EUR',
    created_at: '2026-11-21T10:15:00Z',
  });

  it('writes a signed order to Kafka once; a redelivery is answered 200 duplicate without a record', async () => {
    const body = JSON.stringify(order());
    const first = await deliver(body, signWebhook(body, shop.webhookSecret));
    assert.equal(first.statusCode, 202, first.body);
    assert.equal(first.json().status, 'accepted');
    const end = await h.endOffset(h.topics.orders);
    const again = await deliver(body, signWebhook(body, shop.webhookSecret));
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().status, 'duplicate');
    assert.equal(await h.endOffset(h.topics.orders), end, 'no second record');

    const [record] = await h.consume<Order>(h.topics.orders, orderSchema, 1);
    const sent = JSON.parse(body);
    assert.deepEqual(
      { key: record?.key, value: { ...record?.value } },
      {
        key: shop.id,
        value: {
          merchant: shop.id,
          order_id: sent.order_id,
          subscriber_id: 77,
          total_minor: 12_345,
          currency: 'EUR',
          created_at: Date.parse('2026-11-21T10:15:00Z'),
          customer_id: null,
        },
      },
    );
  });

  it('checks the signature over the raw bytes: 401 for missing, wrong, another secret or a changed body', async () => {
    const start = await h.endOffset(h.topics.orders);
    const body = JSON.stringify(order());
    const other = await h.newMerchant();
    const reformatted = JSON.stringify(JSON.parse(body), null, 2);
    for (const [payload, signature] of [
      [body, undefined],
      [body, 'garbage'],
      [body, signWebhook(body, other.webhookSecret)],
      [reformatted, signWebhook(body, shop.webhookSecret)],
      [body.replace('12345', '99999'), signWebhook(body, shop.webhookSecret)],
    ] as const) {
      const res = await deliver(payload, signature);
      assert.equal(res.statusCode, 401, res.body);
      assert.equal(res.json().field, `headers.${SIGNATURE_HEADER}`);
    }
    const unknownShop = await deliver(body, signWebhook(body, shop.webhookSecret), 'no-such-shop.example');
    assert.equal(unknownShop.statusCode, 401);
    assert.equal(await h.endOffset(h.topics.orders), start);
  });

  it('answers 400 naming the field for a signed but invalid order, and for signed broken JSON', async () => {
    const start = await h.endOffset(h.topics.orders);
    const cases: Array<[object, string]> = [
      [{ ...order(), currency: 'euro' }, 'body.currency'],
      [{ ...order(), currency: 'XXQ' }, 'body.currency'],
      [{ ...order(), currency: 'XAU' }, 'body.currency'],
      [{ ...order(), total_minor: -1 }, 'body.total_minor'],
      [{ ...order(), total_minor: '12.00' }, 'body.total_minor'],
      [{ ...order(), created_at: 'now' }, 'body.created_at'],
      [{ ...order(), order_id: '' }, 'body.order_id'],
      [{ ...order(), subscriber_id: 'abc' }, 'body.subscriber_id'],
    ];
    for (const [payload, field] of cases) {
      const body = JSON.stringify(payload);
      const res = await deliver(body, signWebhook(body, shop.webhookSecret));
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().field, field);
    }
    const broken = '{"order_id": "1",';
    const res = await deliver(broken, signWebhook(broken, shop.webhookSecret));
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error, 'invalid_json');
    assert.equal(await h.endOffset(h.topics.orders), start);
  });

  it('writes one record for 10 identical concurrent deliveries: one 202 accepted, the others 200 duplicate or 409 in_progress', async () => {
    const start = await h.endOffset(h.topics.orders);
    const body = JSON.stringify(order());
    const signature = signWebhook(body, shop.webhookSecret);
    const answers = await Promise.all(Array.from({ length: 10 }, () => deliver(body, signature)));
    const accepted = answers.filter((r) => r.statusCode === 202 && r.json().status === 'accepted');
    const others = answers.filter(
      (r) =>
        (r.statusCode === 200 && r.json().status === 'duplicate') ||
        (r.statusCode === 409 && r.json().error === 'in_progress'),
    );
    assert.equal(accepted.length, 1);
    assert.equal(others.length, 9, answers.map((r) => `${r.statusCode} ${r.body}`).join('\n'));
    // Written now: a retry of one told in_progress is a duplicate.
    const retry = await deliver(body, signature);
    assert.equal(retry.statusCode, 200);
    assert.equal(retry.json().status, 'duplicate');
    assert.equal((await h.endOffset(h.topics.orders)) - start, 1);
  });

  it('counts an order placed far in the future at the receive time (like a ping from a wrong clock)', async () => {
    const start = await h.endOffset(h.topics.orders);
    const body = JSON.stringify({ ...order(), created_at: '2030-06-01T00:00:00Z' });
    const before = Date.now();
    const res = await deliver(body, signWebhook(body, shop.webhookSecret));
    assert.equal(res.statusCode, 202, res.body);
    const records = await h.consume<Order>(h.topics.orders, orderSchema, start + 1);
    const written = records[start]?.value;
    assert.ok(written !== undefined && written.created_at >= before && written.created_at <= Date.now());
    const near = new Date(Date.now() + 60_000).toISOString();
    const slightly = JSON.stringify({ ...order(), created_at: near });
    assert.equal((await deliver(slightly, signWebhook(slightly, shop.webhookSecret))).statusCode, 202);
    const [, kept] = (await h.consume<Order>(h.topics.orders, orderSchema, start + 2)).slice(start);
    assert.equal(kept?.value.created_at, Date.parse(near), 'within the allowed skew the store time counts');
  });
});
