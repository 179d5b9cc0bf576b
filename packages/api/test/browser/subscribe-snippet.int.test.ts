import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ApiHarness, newVapidPublicKey, startApi } from '../integration/api-harness.ts';
import { browserSubscription } from '../integration/browser-subscription.ts';
import { type LaunchedChromium, launchChromium, screenshot } from './chromium.ts';
import { type MerchantSite, startMerchantSite } from './merchant-site.ts';

/**
 * The subscribe snippet on a merchant's page in Chromium, against the real api and Postgres.
 * No push service is reachable offline, so the page's `PushManager` answers with a subscription
 * on fcm.googleapis.com with real P-256 keys, as Chrome's would; everything else is the browser's
 * own: the service worker registration, the permission, the snippet's requests to the api.
 */
describe('subscribe snippet in Chromium', () => {
  let h: ApiHarness;
  let site: MerchantSite;
  let browser: LaunchedChromium;
  let merchant: string;
  const subscription = browserSubscription('fcm.googleapis.com');

  before(async () => {
    h = await startApi({ VAPID_PUBLIC_KEY: newVapidPublicKey() });
    merchant = (await h.newMerchant()).id;
    const apiUrl = await h.app.listen({ host: '127.0.0.1', port: 0 });
    site = await startMerchantSite({ apiUrl, merchant });
    browser = await launchChromium();
    await browser.context.grantPermissions(['notifications'], { origin: site.origin });
    // Stands in for the push service, before any script of the page runs.
    await browser.context.addInitScript((json: string) => {
      const sub = JSON.parse(json) as { endpoint: string };
      const scope = globalThis as unknown as {
        PushManager: { prototype: Record<string, unknown> };
        __pushSubscribeCalls: unknown[];
      };
      let current: unknown = null;
      scope.__pushSubscribeCalls = [];
      scope.PushManager.prototype.getSubscription = async () => current;
      scope.PushManager.prototype.subscribe = async (options: unknown) => {
        scope.__pushSubscribeCalls.push(options);
        current = {
          endpoint: sub.endpoint,
          toJSON: () => JSON.parse(json),
          unsubscribe: async () => {
            current = null;
            return true;
          },
        };
        return current;
      };
    }, JSON.stringify(subscription));
  });

  after(async () => {
    await browser?.close();
    await site?.close();
    await h?.close();
  });

  async function subscriberRow() {
    const { rows } = await h.pool.query(
      'SELECT id, endpoint, p256dh, auth, unsubscribed_at FROM subscribers WHERE merchant_id = $1',
      [merchant],
    );
    return rows;
  }

  it('hoot.subscribe() registers the worker and the subscriber appears in Postgres; hoot.unsubscribe() sets unsubscribed_at', async () => {
    const page = browser.page;
    await page.goto(`${site.origin}/`);
    await page.getByRole('button', { name: 'Get sale alerts' }).click();
    await page.getByText(/Subscribed as subscriber \d+/).waitFor({ timeout: 10_000 });

    const worker = await page.evaluate(
      'navigator.serviceWorker.getRegistration().then((r) => r && r.active && r.active.scriptURL)',
    );
    assert.equal(worker, `${site.origin}/hoot-sw.js`);
    assert.ok(site.requests.includes('/hoot-sw.js'));
    const calls = (await page.evaluate('__pushSubscribeCalls.map((o) => o.userVisibleOnly)')) as boolean[];
    assert.deepEqual(calls, [true], 'subscribed once, user-visible only');

    const rows = await subscriberRow();
    assert.equal(rows.length, 1);
    const row = rows[0];
    assert.equal(row.endpoint, subscription.endpoint);
    assert.equal(row.p256dh, subscription.keys.p256dh);
    assert.equal(row.auth, subscription.keys.auth);
    assert.equal(row.unsubscribed_at, null);
    assert.equal(await page.evaluate("localStorage.getItem('hoot.subscriber_id')"), String(row.id));
    await page.getByText(`Subscribed as subscriber ${row.id}`).waitFor();
    await screenshot(page, 'subscribe-snippet-subscribed');

    await page.getByRole('button', { name: 'Stop alerts' }).click();
    await page.getByText('Unsubscribed').waitFor({ timeout: 10_000 });
    const [after] = await subscriberRow();
    assert.ok(after?.unsubscribed_at instanceof Date, 'unsubscribed_at is set');
    assert.equal(await page.evaluate("localStorage.getItem('hoot.subscriber_id')"), null);
    await screenshot(page, 'subscribe-snippet-unsubscribed');
  });
});
