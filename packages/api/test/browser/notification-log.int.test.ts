import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { NewMerchant } from '../../src/index.ts';
import { type ApiHarness, bearer, startApi } from '../integration/api-harness.ts';
import {
  archiveRecords,
  type LogNotification,
  notification,
  recordsOf,
} from '../integration/archived-notifications.ts';
import { type LaunchedChromium, launchChromium, screenshot } from './chromium.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** What a row of the log's table shows, read from its cells' machine-readable parts. */
interface ShownRow {
  id: string;
  subscriber: string;
  campaign: string;
  outcome: string;
  detail: string;
  at: string;
  delivered: string | null;
  clicked: string | null;
  first: string;
}

async function shownRows(page: Page): Promise<ShownRow[]> {
  return page.locator('#log-rows tr[data-notification-id]').evaluateAll((trs) =>
    trs.map((row) => {
      const time = (field: string) =>
        row.querySelector(`[data-field="${field}"] time`)?.getAttribute('datetime') ?? null;
      return {
        id: row.getAttribute('data-notification-id') ?? '',
        subscriber: row.getAttribute('data-subscriber-id') ?? '',
        campaign: row.getAttribute('data-campaign-id') ?? '',
        outcome: row.querySelector('[data-field="outcome"] .status')?.getAttribute('data-status') ?? '',
        detail: row.querySelector('[data-field="outcome"] .detail')?.textContent ?? '',
        at: time('at') ?? '',
        delivered: time('delivered'),
        clicked: time('clicked'),
        first: row.querySelector('th')?.textContent?.trim() ?? '',
      };
    }),
  );
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

describe('the notification log on the dashboard, in Chromium, from files the archiver wrote', () => {
  const directory = mkdtempSync(join(tmpdir(), 'hoot-dashboard-log-'));
  const now = Date.now();
  let h: ApiHarness;
  let url: string;
  let browser: LaunchedChromium;
  let page: Page;
  let alice: NewMerchant;
  let bob: NewMerchant;
  let boots: number;
  let socks: number;
  const alicesBoots: LogNotification[] = [];
  const alicesSocks: LogNotification[] = [];

  async function sentCampaign(merchant: NewMerchant, title: string, sentAt: number): Promise<number> {
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/campaigns',
      headers: bearer(merchant.apiKey),
      payload: { title, body: 'Warm boots for the cold days ahead', url: 'https://shop.example/boots' },
    });
    assert.equal(res.statusCode, 201, res.body);
    const id = res.json().id as number;
    await h.pool.query(
      `UPDATE campaigns SET status = 'sent', send_requested_at = $2, sent_at = $2 WHERE id = $1`,
      [id, new Date(sentAt)],
    );
    return id;
  }

  before(async () => {
    h = await startApi({ ARCHIVE_URL: directory, RATE_LIMIT_MAX: '100000' });
    url = await h.app.listen({ host: '127.0.0.1', port: 0 });
    alice = await h.newMerchant();
    bob = await h.newMerchant();
    await h.pool.query(`UPDATE merchants SET time_zone = 'Europe/Berlin' WHERE id = $1`, [alice.id]);
    boots = await sentCampaign(alice, 'Winter boots are back', now - 3 * HOUR);
    socks = await sentCampaign(alice, 'Wool socks', now - DAY);

    for (let s = 1; s <= 25; s++) {
      const at = now - 3 * HOUR + s * 20_000;
      const fields: Partial<LogNotification> =
        s === 4
          ? { outcome: 'expired', status: 410, error: 'gone: 410' }
          : s === 5
            ? { outcome: 'failed', status: 500, error: 'failed: 500 after 3 attempts' }
            : {};
      if (s <= 10 && s !== 4 && s !== 5) fields.deliveredAt = at + 15_000;
      if (s <= 2) fields.clickedAt = at + 45_000;
      alicesBoots.push(notification(alice.id, boots, s, at, { title: 'Winter boots are back', ...fields }));
    }
    for (let s = 1; s <= 5; s++) {
      alicesSocks.push(notification(alice.id, socks, s, now - DAY + s * 1000, { title: 'Wool socks' }));
    }
    // Bob's notifications carry Alice's campaign id and her subscribers' ids: none may show to her.
    const bobs = Array.from({ length: 25 }, (_, i) =>
      notification(bob.id, boots, i + 1, now - 2 * HOUR + i * 1000, {
        title: "Bob's secret sale",
        deliveredAt: now - HOUR,
      }),
    );
    const run = await archiveRecords(directory, recordsOf([...alicesBoots, ...alicesSocks, ...bobs]));
    console.log(
      `# archive: ${run.records} records readable ${run.archiveSeconds.toFixed(1)} s after writing`,
    );
    browser = await launchChromium();
    page = browser.page;
  });
  after(async () => {
    await browser?.close();
    await h?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it("shows the campaign's notifications with outcome, time, delivered and clicked, page by page", async () => {
    await page.goto(`${url}/dashboard/campaigns/${boots}`);
    await page.waitForURL(/\/dashboard\/sign-in/);
    await page.getByLabel('API key').fill(alice.apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${url}/dashboard/campaigns/${boots}`);

    const log = page.getByRole('table', { name: 'Notifications of this campaign, newest first' });
    await log.locator('tbody tr[data-notification-id]').nth(19).waitFor();
    assert.match((await page.getByTestId('log-status').textContent()) ?? '', /^20 notifications, more/);
    await screenshot(page, 'notification-log-campaign');
    await page.getByRole('button', { name: 'Show more' }).click();
    await log.locator('tbody tr[data-notification-id]').nth(24).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Show more' }).isHidden(), true);

    const rows = await shownRows(page);
    const expected = [...alicesBoots].sort((a, b) => b.at - a.at);
    assert.deepEqual(
      rows.map((r) => [r.id, r.subscriber, r.outcome, r.at, r.delivered, r.clicked]),
      expected.map((n) => [
        n.notificationId,
        String(n.subscriberId),
        n.outcome,
        iso(n.at),
        iso(n.deliveredAt),
        iso(n.clickedAt),
      ]),
    );
    const expired = rows.find((r) => r.subscriber === '4');
    assert.equal(expired?.detail, 'HTTP 410 · gone: 410');
    assert.equal(rows.find((r) => r.subscriber === '5')?.detail, 'HTTP 500 · failed: 500 after 3 attempts');
    const text = (await log.textContent()) ?? '';
    assert.doesNotMatch(text, /Bob/);
    // Times read on the merchant's clock (Berlin), in the browser's own locale.
    const firstAt = await log.locator('tbody tr').first().locator('[data-field="at"] time').textContent();
    const berlin = await page.evaluate(
      (ms) =>
        new Intl.DateTimeFormat(undefined, {
          dateStyle: 'medium',
          timeStyle: 'short',
          timeZone: 'Europe/Berlin',
        }).format(new Date(ms)),
      expected[0]!.at,
    );
    assert.equal(firstAt, berlin);
    await screenshot(page, 'notification-log-campaign-all');
  });

  it("looks up one subscriber's notifications across campaigns from the Notifications page", async () => {
    await page.locator('#log-rows th[data-field="subscriber"] a', { hasText: /^3$/ }).click();
    await page.waitForURL(`${url}/dashboard/notifications?subscriber_id=3`);
    await page.locator('#log-rows tr[data-notification-id]').nth(1).waitFor();
    const rows = await shownRows(page);
    const three = [...alicesBoots, ...alicesSocks]
      .filter((n) => n.subscriberId === 3)
      .sort((a, b) => b.at - a.at);
    assert.deepEqual(
      rows.map((r) => [r.id, r.campaign, r.outcome, r.at]),
      three.map((n) => [n.notificationId, String(n.campaignId), n.outcome, iso(n.at)]),
    );
    assert.deepEqual(
      rows.map((r) => r.first),
      [`Winter boots are backCampaign ${boots}`, `Wool socksCampaign ${socks}`],
    );
    assert.equal(await page.getByLabel('Subscriber id').inputValue(), '3');
    assert.equal(
      await page.getByRole('link', { name: 'Notifications' }).getAttribute('aria-current'),
      'page',
    );
    await screenshot(page, 'notification-log-subscriber');

    await page.getByLabel('Subscriber id').fill('26');
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.waitForURL(/subscriber_id=26/);
    await page.getByRole('cell', { name: 'No notification to this subscriber in this period.' }).waitFor();
  });

  it('refuses a subscriber id that is not one, next to the field', async () => {
    await page.getByLabel('Subscriber id').fill('abc');
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.locator('#subscriber-id[aria-invalid="true"]').waitFor();
    assert.match((await page.locator('#subscriber-id-error').textContent()) ?? '', /whole number/);
    assert.equal(await page.locator('#log-section').isHidden(), true);
    await screenshot(page, 'notification-log-subscriber-refused');
  });
});
