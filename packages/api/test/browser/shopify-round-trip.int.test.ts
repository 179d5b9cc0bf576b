import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { NewMerchant } from '../../src/index.ts';
import { linkShopDomain } from '../../src/orders/shop-domains.ts';
import { newVapidPublicKey } from '../integration/api-harness.ts';
import { browserSubscription } from '../integration/browser-subscription.ts';
import { shopifyHeaders, shopifyOrderBody } from '../integration/shopify-fixture.ts';
import { type LaunchedChromium, launchChromium, screenshot } from './chromium.ts';
import { type DashboardStack, startDashboardStack } from './dashboard-stack.ts';
import { type ShopifyStorefront, startShopifyStorefront } from './shopify-storefront.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The Shopify round trip on real components: a visitor subscribes on a Shopify storefront in
 * Chromium, the cart script writes the subscriber id into the cart's attributes through the
 * storefront cart API, the subscriber clicks a campaign's notification (a click ping through the
 * api), and Shopify's signed orders/create webhooks (the cart attributes as note_attributes) land
 * as revenue on that campaign, per currency in the shop's money, through the processor and its
 * Postgres sink.
 */
describe('Shopify round trip: storefront cart attribute to campaign revenue', () => {
  let stack: DashboardStack;
  let store: ShopifyStorefront;
  let browser: LaunchedChromium;
  let merchant: NewMerchant;
  let campaignId: number;
  const domain = `kissaten-${randomUUID().slice(0, 8)}.myshopify.com`;
  const shopKey = `shpss_${randomUUID().replace(/-/g, '')}`;

  before(async () => {
    const vapidPublicKey = newVapidPublicKey();
    stack = await startDashboardStack({ VAPID_PUBLIC_KEY: vapidPublicKey });
    merchant = await stack.newMerchant('Asia/Tokyo');
    await linkShopDomain(stack.pool, merchant.id, domain, shopKey);
    campaignId = await stack.sentCampaign(merchant, 'Autumn roast, 20% off');
    store = await startShopifyStorefront({
      apiUrl: stack.url,
      merchant: merchant.id,
      vapidPublicKey,
      currency: 'JPY',
    });
    browser = await launchChromium();
    await browser.context.grantPermissions(['notifications'], { origin: store.origin });
    // No push service is reachable offline: the page's PushManager answers with a subscription
    // carrying real P-256 keys, as Chrome's would.
    await browser.context.addInitScript(
      (json: string) => {
        const scope = globalThis as unknown as { PushManager: { prototype: Record<string, unknown> } };
        let current: unknown = null;
        scope.PushManager.prototype.getSubscription = async () => current;
        scope.PushManager.prototype.subscribe = async () => {
          current = { endpoint: JSON.parse(json).endpoint, toJSON: () => JSON.parse(json) };
          return current;
        };
      },
      JSON.stringify(browserSubscription('fcm.googleapis.com')),
    );
  });

  after(async () => {
    await browser?.close();
    await store?.close();
    await stack?.close();
  });

  it('attributes Shopify orders to the clicked campaign in the shop currency, each currency apart', async () => {
    const page = browser.page;
    await page.goto(`${store.origin}/`);
    await page.waitForFunction('window.hootShopifyCart !== undefined && window.hoot !== undefined');
    await page.getByRole('button', { name: 'Get sale alerts' }).click();
    await page.getByText(/Subscribed as subscriber \d+/).waitFor({ timeout: 10_000 });
    const { rows } = await stack.pool.query<{ id: string }>(
      'SELECT id FROM subscribers WHERE merchant_id = $1',
      [merchant.id],
    );
    const subscriberId = Number(rows[0]?.id);
    assert.ok(subscriberId > 0);

    // The cart script wrote the id through POST /cart/update.js, as Shopify's cart API takes it.
    for (let i = 0; i < 100 && store.cart.attributes.hoot_subscriber_id === undefined; i++) await sleep(50);
    assert.deepEqual(store.cart.attributes, { hoot_subscriber_id: String(subscriberId) });
    assert.deepEqual(store.updates, [{ attributes: { hoot_subscriber_id: String(subscriberId) } }]);
    // Next page view: the cart already carries it, nothing is written again.
    await page.reload();
    await page.waitForFunction('window.hootShopifyCart !== undefined');
    assert.equal(await page.evaluate('window.hootShopifyCart.sync()'), false);
    assert.equal(store.updates.length, 1);
    await screenshot(page, 'shopify-storefront-subscribed');

    const clickedAt = new Date(Date.now() - 10 * 60_000);
    await stack.ping(merchant, campaignId, [{ type: 'click', time: clickedAt, subscriberId }]);
    await stack.waitForImpressions(merchant, campaignId, 1);

    // Shopify copies the cart's attributes into the order's note_attributes.
    const orders: Array<[string, string, string]> = [
      ['820982911946154508', '1700', 'JPY'],
      ['820982911946154509', '1.250', 'KWD'],
      ['820982911946154510', '19.99', 'USD'],
    ];
    for (const [id, amount, currency] of orders) {
      const body = shopifyOrderBody({
        id,
        shopAmount: amount,
        shopCurrency: currency,
        presentmentAmount: '99.00',
        presentmentCurrency: 'EUR',
        subscriberId: store.cart.attributes.hoot_subscriber_id ?? '',
        createdAt: new Date().toISOString(),
      });
      const res = await fetch(`${stack.url}/v1/webhooks/shopify`, {
        method: 'POST',
        headers: shopifyHeaders(body, shopKey, domain),
        body,
      });
      assert.equal(res.status, 202, await res.text());
    }

    const deadline = Date.now() + 60_000;
    let report:
      | { orders: string; revenue_minor: string; currency: string | null; revenue_by_currency: unknown }
      | undefined;
    for (;;) {
      const result = await stack.pool.query(
        `SELECT orders, revenue_minor, currency, revenue_by_currency FROM campaign_reports
         WHERE merchant_id = $1 AND source = 'campaign' AND source_id = $2`,
        [merchant.id, campaignId],
      );
      report = result.rows[0];
      if (Number(report?.orders ?? 0) >= 3 || Date.now() > deadline) break;
      await sleep(100);
    }
    assert.deepEqual(
      { ...report, orders: Number(report?.orders), revenue_minor: Number(report?.revenue_minor) },
      {
        orders: 3,
        revenue_minor: 1700,
        currency: 'JPY',
        revenue_by_currency: { JPY: 1700, KWD: 1250, USD: 1999 },
      },
      `processor problems: ${stack.pipeline.problems().join('; ')}`,
    );

    const api = await fetch(`${stack.url}/v1/campaigns/${campaignId}`, {
      headers: { authorization: `Bearer ${merchant.apiKey}` },
    });
    const campaign = (await api.json()) as { report: { revenue: unknown } };
    assert.deepEqual(campaign.report.revenue, [
      { currency: 'JPY', revenue_minor: 1700, digits: 0 },
      { currency: 'KWD', revenue_minor: 1250, digits: 3 },
      { currency: 'USD', revenue_minor: 1999, digits: 2 },
    ]);
  });
});
