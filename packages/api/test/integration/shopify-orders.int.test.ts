import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createBuiltinCatalog, type Order, orderSchema } from '@hoot/events';
import type { FastifyInstance } from 'fastify';
import { buildApi, loadApiConfig, type NewMerchant } from '../../src/index.ts';
import { linkShopDomain } from '../../src/orders/shop-domains.ts';
import { type ApiHarness, startApi } from './api-harness.ts';
import { shopifyHeaders, shopifyHmac, shopifyOrderBody } from './shopify-fixture.ts';

/** Shopify order ids a digit apart that JSON.parse turns into the same number. */
const ID_A = '820982911946154508';
const ID_B = '820982911946154509';

/**
 * The order body with line items added, as Shopify writes them, until it is at least `bytes` long
 * (a real orders/create with 200 line items is about 111 KB).
 */
function withLineItems(body: string, bytes: number): string {
  const end = ']}';
  assert.ok(body.endsWith(end));
  const items: string[] = [];
  let size = Buffer.byteLength(body);
  for (let n = 0; size < bytes; n++) {
    const lineId = `8665503117664${String(n).padStart(5, '0')}`;
    const item = `,{"id":${lineId},"admin_graphql_api_id":"gid:\\/\\/shopify\\/LineItem\\/${lineId}","variant_id":${808950900 + n},"title":"Caf\u00e9 Cr\u00e8me No. ${n}","name":"Caf\u00e9 Cr\u00e8me No. ${n} - 250 g","vendor":"R\u00f6sterei","quantity":1,"price":"12.00","price_set":{"shop_money":{"amount":"12.00","currency_code":"USD"},"presentment_money":{"amount":"12.00","currency_code":"USD"}},"sku":"CC-${n}","product_id":${632910400 + n},"fulfillable_quantity":1,"grams":250,"requires_shipping":true,"taxable":true,"properties":[],"tax_lines":[],"discount_allocations":[]}`;
    items.push(item);
    size += Buffer.byteLength(item);
  }
  return body.slice(0, -end.length) + items.join('') + end;
}

describe('Shopify order webhooks', () => {
  let h: ApiHarness;
  let shop: NewMerchant;
  let domain: string;
  const shopKey = `shpss_${randomUUID().replace(/-/g, '')}`;

  before(async () => {
    h = await startApi();
    shop = await h.newMerchant();
    domain = `it-${randomUUID().slice(0, 8)}.myshopify.com`;
    await linkShopDomain(h.pool, shop.id, domain, shopKey);
  });
  after(async () => {
    await h.pool.query('DELETE FROM merchant_shop_domains WHERE shop_domain = $1', [domain]);
    await h.close();
  });

  const deliver = (body: string | Buffer, headers: Record<string, string>, url = '/v1/webhooks/shopify') =>
    h.app.inject({ method: 'POST', url, headers, payload: body });

  /** A fresh order id beyond 2^53 (Shopify's are). */
  const orderId = () => `82098291194${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;

  async function orderRecords(start: number): Promise<Order[]> {
    const end = await h.endOffset(h.topics.orders);
    const all = await h.consume<Order>(h.topics.orders, orderSchema, end);
    return all.slice(start).map((r) => ({ ...r.value }));
  }

  it('accepts a genuine orders/create body as sent: escapes, UTF-8, exact ids, shop money, the subscriber from the cart attributes', async () => {
    const start = await h.endOffset(h.topics.orders);
    const body = shopifyOrderBody({
      id: ID_A,
      customerId: '207119551912345678',
      shopAmount: '19.99',
      shopCurrency: 'USD',
      presentmentAmount: '18.50',
      presentmentCurrency: 'EUR',
      subscriberId: '42',
    });
    assert.ok(body.includes('\\/') && body.includes('\\u0026') && Buffer.byteLength(body) > body.length);
    const res = await deliver(body, shopifyHeaders(body, shopKey, domain));
    assert.equal(res.statusCode, 202, res.body);
    assert.deepEqual(res.json(), { order_id: ID_A, status: 'accepted' });

    const second = shopifyOrderBody({
      id: ID_B,
      shopAmount: '5.00',
      shopCurrency: 'USD',
      subscriberId: '43',
    });
    const res2 = await deliver(second, shopifyHeaders(second, shopKey, domain));
    assert.equal(res2.statusCode, 202, res2.body);
    assert.equal(res2.json().order_id, ID_B, 'ids a digit apart stay distinct');

    const [a, b] = await orderRecords(start);
    assert.deepEqual(a, {
      merchant: shop.id,
      order_id: ID_A,
      subscriber_id: 42,
      total_minor: 1999,
      currency: 'USD',
      created_at: Date.parse('2026-11-21T15:15:00Z'),
      customer_id: '207119551912345678',
    });
    assert.equal(b?.order_id, ID_B);
    assert.equal(b?.customer_id, null);
    const stored = await h.pool.query(
      `SELECT order_id, source, subscriber_id::int AS subscriber_id FROM received_orders
       WHERE merchant_id = $1 ORDER BY order_id`,
      [shop.id],
    );
    assert.deepEqual(stored.rows, [
      { order_id: ID_A, source: 'shopify', subscriber_id: 42 },
      { order_id: ID_B, source: 'shopify', subscriber_id: 43 },
    ]);
  });

  it('converts shop money by the ISO 4217 exponent: JPY 0, KWD 3, USD 2, never the presentment currency', async () => {
    const cases: Array<[string, string, number]> = [
      ['1700', 'JPY', 1700],
      ['1700.00', 'JPY', 1700],
      ['1.250', 'KWD', 1250],
      ['19.99', 'USD', 1999],
      ['0.10', 'USD', 10],
      ['1234567.89', 'EUR', 123456789],
      ['7.123', 'IQD', 7123],
    ];
    const start = await h.endOffset(h.topics.orders);
    for (const [amount, currency] of cases) {
      const body = shopifyOrderBody({
        id: orderId(),
        shopAmount: amount,
        shopCurrency: currency,
        presentmentAmount: '99.99',
        presentmentCurrency: 'CHF',
        subscriberId: '7',
      });
      const res = await deliver(body, shopifyHeaders(body, shopKey, domain, { topic: 'orders/paid' }));
      assert.equal(res.statusCode, 202, res.body);
    }
    const records = await orderRecords(start);
    assert.deepEqual(
      records.map((r) => [r.total_minor, r.currency]),
      cases.map(([, currency, minor]) => [minor, currency]),
    );
  });

  it('refuses money it cannot read exactly with 400 naming the field, writing nothing', async () => {
    const start = await h.endOffset(h.topics.orders);
    const cases: Array<[string, string, string]> = [
      ['19.999', 'USD', 'body.total_price_set.shop_money.amount'],
      ['1.5', 'JPY', 'body.total_price_set.shop_money.amount'],
      ['-1.00', 'USD', 'body.total_price_set.shop_money.amount'],
      ['1e3', 'USD', 'body.total_price_set.shop_money.amount'],
      ['10.00', 'XXQ', 'body.total_price_set.shop_money.currency_code'],
      ['10.00', 'usd', 'body.total_price_set.shop_money.currency_code'],
      ['10.00', 'XXX', 'body.total_price_set.shop_money.currency_code'],
    ];
    for (const [amount, currency, field] of cases) {
      const body = shopifyOrderBody({ id: orderId(), shopAmount: amount, shopCurrency: currency });
      const res = await deliver(body, shopifyHeaders(body, shopKey, domain));
      assert.equal(res.statusCode, 400, `${amount} ${currency}: ${res.body}`);
      assert.equal(res.json().field, field);
    }
    assert.equal(await h.endOffset(h.topics.orders), start);
  });

  it('accepts an order without a subscriber id unattributed, and counts it', async () => {
    const start = await h.endOffset(h.topics.orders);
    const none = shopifyOrderBody({ id: orderId(), shopAmount: '3.00', shopCurrency: 'USD' });
    const junk = shopifyOrderBody({
      id: orderId(),
      shopAmount: '3.00',
      shopCurrency: 'USD',
      subscriberId: 'abc',
    });
    for (const body of [none, junk]) {
      const res = await deliver(body, shopifyHeaders(body, shopKey, domain));
      assert.equal(res.statusCode, 202, res.body);
    }
    const records = await orderRecords(start);
    assert.deepEqual(
      records.map((r) => r.subscriber_id),
      [null, null],
    );
    const metrics = await h.metrics.getSingleMetricAsString('hoot_api_orders_unattributed_total');
    assert.match(metrics, /source="shopify",reason="none"} [1-9]/);
    assert.match(metrics, /source="shopify",reason="invalid"} [1-9]/);
  });

  it("takes the subscriber id from the landing site's query when the cart carried none", async () => {
    const start = await h.endOffset(h.topics.orders);
    const body = shopifyOrderBody({
      id: orderId(),
      shopAmount: '3.00',
      shopCurrency: 'USD',
      landingSite: '\\/collections\\/sale?utm_source=hoot\\u0026hoot_subscriber_id=9001',
    });
    const res = await deliver(body, shopifyHeaders(body, shopKey, domain));
    assert.equal(res.statusCode, 202, res.body);
    const [record] = await orderRecords(start);
    assert.equal(record?.subscriber_id, 9001);
  });

  it('refuses with 401 and writes nothing: hex digest, re-serialised body, wrong key, unknown shop, no header', async () => {
    const start = await h.endOffset(h.topics.orders);
    const body = shopifyOrderBody({
      id: orderId(),
      shopAmount: '1.00',
      shopCurrency: 'USD',
      subscriberId: '1',
    });
    const reserialised = JSON.stringify(JSON.parse(body));
    assert.notEqual(reserialised, body);
    const headers = shopifyHeaders(body, shopKey, domain);
    const cases: Array<Record<string, string>> = [
      { ...headers, 'X-Shopify-Hmac-Sha256': shopifyHmac(body, shopKey, 'hex') },
      { ...headers, 'X-Shopify-Hmac-Sha256': shopifyHmac(reserialised, shopKey) },
      { ...headers, 'X-Shopify-Hmac-Sha256': shopifyHmac(body, shop.webhookSecret) },
      { ...headers, 'X-Shopify-Shop-Domain': 'someone-else.myshopify.com' },
    ];
    const { 'X-Shopify-Hmac-Sha256': _dropped, ...unsigned } = headers;
    cases.push(unsigned);
    for (const h401 of cases) {
      const res = await deliver(body, h401);
      assert.equal(res.statusCode, 401, res.body);
      assert.equal(res.json().field, 'headers.x-shopify-hmac-sha256');
    }
    // The signature is over the bytes sent: the re-serialised body with the original's digest fails too.
    const res = await deliver(reserialised, headers);
    assert.equal(res.statusCode, 401);
    assert.equal(await h.endOffset(h.topics.orders), start);
  });

  it('reads header names in any case, and takes the merchant from the path', async () => {
    const body = shopifyOrderBody({
      id: orderId(),
      shopAmount: '2.00',
      shopCurrency: 'USD',
      subscriberId: '5',
    });
    const lower = Object.fromEntries(
      Object.entries(shopifyHeaders(body, shop.webhookSecret, 'not-linked.myshopify.com')).map(([k, v]) => [
        k.toLowerCase(),
        v,
      ]),
    );
    const res = await deliver(body, lower, `/v1/webhooks/shopify/${shop.id}`);
    assert.equal(res.statusCode, 202, res.body);
    const upper = Object.fromEntries(
      Object.entries(shopifyHeaders(body, shopKey, domain)).map(([k, v]) => [k.toUpperCase(), v]),
    );
    const again = await deliver(body, upper);
    assert.equal(again.statusCode, 200, again.body);
    assert.equal(again.json().status, 'duplicate');
  });

  it('answers other topics 200 ignored without writing; a missing shop domain is 400 naming the header', async () => {
    const start = await h.endOffset(h.topics.orders);
    const body = shopifyOrderBody({ id: orderId(), shopAmount: '2.00', shopCurrency: 'USD' });
    const res = await deliver(body, shopifyHeaders(body, shopKey, domain, { topic: 'orders/updated' }));
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().status, 'ignored');
    const { 'X-Shopify-Shop-Domain': _d, ...noShop } = shopifyHeaders(body, shopKey, domain);
    const missing = await deliver(body, noShop);
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().field, 'headers.x-shopify-shop-domain');
    assert.equal(await h.endOffset(h.topics.orders), start);
  });

  it('writes one record for 10 identical concurrent deliveries: one 202 accepted, the others 200 duplicate or 409 in_progress', async () => {
    const start = await h.endOffset(h.topics.orders);
    const body = shopifyOrderBody({
      id: orderId(),
      shopAmount: '9.99',
      shopCurrency: 'USD',
      subscriberId: '8',
    });
    const headers = shopifyHeaders(body, shopKey, domain, { webhookId: randomUUID() });
    const answers = await Promise.all(Array.from({ length: 10 }, () => deliver(body, headers)));
    const statuses = answers.map((r) => `${r.statusCode} ${r.json().status ?? r.json().error}`);
    assert.equal(statuses.filter((s) => s === '202 accepted').length, 1, statuses.join());
    assert.ok(
      statuses.every((s) => ['202 accepted', '200 duplicate', '409 in_progress'].includes(s)),
      statuses.join(),
    );
    // Written now: Shopify's retry of a delivery told in_progress is a duplicate.
    assert.equal((await deliver(body, headers)).json().status, 'duplicate');
    // orders/paid for the same order later is the same order.
    const paid = await deliver(body, shopifyHeaders(body, shopKey, domain, { topic: 'orders/paid' }));
    assert.equal(paid.json().status, 'duplicate');
    assert.equal((await h.endOffset(h.topics.orders)) - start, 1);
  });

  it('accepts a large order (120 KB, hundreds of line items) up to SHOPIFY_BODY_LIMIT_BYTES; beyond it 413', async () => {
    const start = await h.endOffset(h.topics.orders);
    const id = orderId();
    const body = withLineItems(
      shopifyOrderBody({ id, shopAmount: '2400.00', shopCurrency: 'USD', subscriberId: '12' }),
      120 * 1024,
    );
    assert.ok(Buffer.byteLength(body) > h.config.BODY_LIMIT_BYTES, 'over the api-wide limit');
    const res = await deliver(body, shopifyHeaders(body, shopKey, domain));
    assert.equal(res.statusCode, 202, res.body);
    assert.deepEqual(res.json(), { order_id: id, status: 'accepted' });
    const byPath = withLineItems(
      shopifyOrderBody({ id: orderId(), shopAmount: '1.00', shopCurrency: 'USD', subscriberId: '12' }),
      120 * 1024,
    );
    const viaPath = await deliver(
      byPath,
      shopifyHeaders(byPath, shopKey, domain),
      `/v1/webhooks/shopify/${shop.id}`,
    );
    assert.equal(viaPath.statusCode, 202, viaPath.body);
    assert.equal((await h.endOffset(h.topics.orders)) - start, 2);

    const huge = withLineItems(
      shopifyOrderBody({ id: orderId(), shopAmount: '1.00', shopCurrency: 'USD' }),
      h.config.SHOPIFY_BODY_LIMIT_BYTES + 1,
    );
    const tooLarge = await deliver(huge, shopifyHeaders(huge, shopKey, domain));
    assert.equal(tooLarge.statusCode, 413, tooLarge.body.slice(0, 200));
    assert.equal(tooLarge.json().error, 'body_too_large');
    assert.equal((await h.endOffset(h.topics.orders)) - start, 2);
  });

  it('clamps an order time far in the future to the receive time, and counts it', async () => {
    const start = await h.endOffset(h.topics.orders);
    const body = shopifyOrderBody({
      id: orderId(),
      shopAmount: '1.00',
      shopCurrency: 'USD',
      subscriberId: '3',
      createdAt: '2031-01-01T00:00:00+09:00',
    });
    const before = Date.now();
    const res = await deliver(body, shopifyHeaders(body, shopKey, domain));
    assert.equal(res.statusCode, 202, res.body);
    const [record] = await orderRecords(start);
    assert.ok(record !== undefined && record.created_at >= before && record.created_at <= Date.now());
    const metric = await h.metrics.getSingleMetricAsString('hoot_api_order_time_clamped_total');
    assert.match(metric, /source="shopify"} [1-9]/);
  });
});

describe('Shopify webhooks when Kafka does not take the order', () => {
  let h: ApiHarness;
  let broken: FastifyInstance;
  let shop: NewMerchant;

  before(async () => {
    h = await startApi();
    shop = await h.newMerchant();
    const config = loadApiConfig({
      ...Object.fromEntries(Object.entries(h.config).map(([k, v]) => [k, String(v)])),
      ORDERS_TOPIC: `it-api-missing-orders-${randomUUID().slice(0, 8)}`,
    });
    broken = await buildApi({ config, pool: h.pool, kafka: h.kafka, schemaRegistry: createBuiltinCatalog() });
  });
  after(async () => {
    await broken.close();
    await h.close();
  });

  it("answers 503 within Shopify's 5 s, keeps no claim, and the retry is accepted", async () => {
    const body = shopifyOrderBody({
      id: `82098291194${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`,
      shopAmount: '19.99',
      shopCurrency: 'USD',
      subscriberId: '4',
    });
    const headers = shopifyHeaders(body, shop.webhookSecret, 'any.myshopify.com');
    const url = `/v1/webhooks/shopify/${shop.id}`;
    const started = performance.now();
    const failed = await broken.inject({ method: 'POST', url, headers, payload: body });
    const took = performance.now() - started;
    assert.equal(failed.statusCode, 503, failed.body);
    assert.ok(took < 5000, `answered after ${Math.round(took)} ms`);
    const claims = await h.pool.query('SELECT 1 FROM received_orders WHERE merchant_id = $1', [shop.id]);
    assert.equal(claims.rowCount, 0);

    const retry = await h.app.inject({ method: 'POST', url, headers, payload: body });
    assert.equal(retry.statusCode, 202, retry.body);
  });

  it('answers concurrent copies of an order being written 409 in_progress, never 2xx; the retry after the 503 is accepted', async () => {
    const id = `82098291194${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
    const body = shopifyOrderBody({
      id,
      shopAmount: '5.00',
      shopCurrency: 'USD',
      subscriberId: '6',
    });
    const headers = shopifyHeaders(body, shop.webhookSecret, 'any.myshopify.com');
    const url = `/v1/webhooks/shopify/${shop.id}`;
    const first = broken.inject({ method: 'POST', url, headers, payload: body });
    // The copies arrive while the first delivery's claim is taken and its produce is waiting.
    let claimed = false;
    for (let i = 0; i < 200 && !claimed; i++) {
      const { rowCount } = await h.pool.query(
        'SELECT 1 FROM received_orders WHERE merchant_id = $1 AND order_id = $2 AND written_at IS NULL',
        [shop.id, id],
      );
      claimed = rowCount === 1;
      if (!claimed) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.ok(claimed, 'the first delivery claimed the order');
    const copies = await Promise.all([
      ...Array.from({ length: 4 }, () => broken.inject({ method: 'POST', url, headers, payload: body })),
      ...Array.from({ length: 4 }, () => h.app.inject({ method: 'POST', url, headers, payload: body })),
    ]);
    const failed = await first;
    assert.equal(failed.statusCode, 503, failed.body);
    for (const copy of copies) {
      assert.equal(copy.statusCode, 409, copy.body);
      assert.deepEqual(copy.json().error, 'in_progress');
    }
    const claims = await h.pool.query(
      'SELECT 1 FROM received_orders WHERE merchant_id = $1 AND order_id = $2',
      [shop.id, id],
    );
    assert.equal(claims.rowCount, 0, 'the failed claim is released');

    const start = await h.endOffset(h.topics.orders);
    const retry = await h.app.inject({ method: 'POST', url, headers, payload: body });
    assert.equal(retry.statusCode, 202, retry.body);
    const again = await h.app.inject({ method: 'POST', url, headers, payload: body });
    assert.equal(again.statusCode, 200, again.body);
    assert.equal(again.json().status, 'duplicate');
    assert.equal((await h.endOffset(h.topics.orders)) - start, 1);
  });

  it("answers Hoot's own order webhook 503 the same way", async () => {
    const body = JSON.stringify({
      order_id: randomUUID(),
      subscriber_id: 1,
      total_minor: 100,
      currency: 'USD',
      created_at: new Date().toISOString(),
    });
    const started = performance.now();
    const res = await broken.inject({
      method: 'POST',
      url: `/v1/webhooks/orders/${shop.id}`,
      headers: {
        'content-type': 'application/json',
        'x-hoot-hmac-sha256': shopifyHmac(body, shop.webhookSecret),
      },
      payload: body,
    });
    assert.equal(res.statusCode, 503, res.body);
    assert.ok(performance.now() - started < 5000);
  });
});
