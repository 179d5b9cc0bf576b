import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { NewMerchant } from '../../src/index.ts';
import { type LaunchedChromium, launchChromium, screenshot } from './chromium.ts';
import { type DashboardStack, startDashboardStack } from './dashboard-stack.ts';

const HOUR = 3_600_000;

/** Matches an element whose whole text is `value`. */
function exactly(value: number | string): RegExp {
  return new RegExp(`^\\s*${value}\\s*$`);
}

/** The figures of a campaign page's totals, as the page shows them. */
async function shownTotals(page: Page): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const field of ['sent', 'impressions', 'clicks', 'ctr', 'orders', 'revenue']) {
    out[field] = ((await page.getByTestId(`campaign-${field}`).textContent()) ?? '').trim();
  }
  return out;
}

describe('the merchant dashboard in Chromium, on live data from the processor and the sink', () => {
  let stack: DashboardStack;
  let browser: LaunchedChromium;
  let page: Page;
  let alice: NewMerchant;
  let bob: NewMerchant;
  let campaignId: number;
  let bobsCampaign: number;

  before(async () => {
    stack = await startDashboardStack();
    browser = await launchChromium();
    page = browser.page;
    alice = await stack.newMerchant('America/New_York');
    bob = await stack.newMerchant();
    campaignId = await stack.sentCampaign(alice, 'Winter boots are back');
    bobsCampaign = await stack.sentCampaign(bob, 'Not for Alice');
    // 30 deliveries over three hours, 5 of them clicked: three hourly rows in Postgres.
    const now = Date.now();
    const times = [now - 2.5 * HOUR, now - 1.5 * HOUR, now - 0.2 * HOUR];
    const deliveries = Array.from({ length: 30 }, (_, i) => ({
      type: 'delivery' as const,
      time: new Date(times[i % 3]! + i * 1000),
      notificationId: `n-${campaignId}-${i}`,
    }));
    const clicks = deliveries
      .slice(0, 5)
      .map((d) => ({ ...d, type: 'click' as const, time: new Date(d.time.getTime() + 5000) }));
    await stack.ping(alice, campaignId, [...deliveries, ...clicks]);
    await stack.waitForImpressions(alice, campaignId, 30);
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('refuses a wrong API key next to the field, then signs in with the right one', async () => {
    await page.goto(`${stack.url}/dashboard/`);
    await page.waitForURL(/\/dashboard\/sign-in/);
    await page.getByLabel('API key').fill('hoot_sk_not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const field = page.getByLabel('API key');
    await page.locator('#api-key[aria-invalid="true"]').waitFor();
    const described = (await field.getAttribute('aria-describedby')) ?? '';
    const messages = await Promise.all(
      described
        .split(/\s+/)
        .filter(Boolean)
        .map((id) => page.locator(`#${id}`).textContent()),
    );
    assert.match(messages.join(' '), /unknown or revoked/i);
    await screenshot(page, 'dashboard-sign-in-refused');

    await field.fill(alice.apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${stack.url}/dashboard/`);
  });

  it('lists the campaign with the figures Postgres holds', async () => {
    const row = page.locator(`tr[data-campaign-id="${campaignId}"]`);
    await row.waitFor();
    const { rows } = await stack.pool.query(
      `SELECT sent, impressions, clicks FROM campaign_reports WHERE merchant_id = $1 AND source_id = $2`,
      [alice.id, campaignId],
    );
    await row.locator('[data-field="impressions"]', { hasText: exactly(rows[0].impressions) }).waitFor();
    assert.equal((await row.locator('[data-field="clicks"]').textContent())?.trim(), String(rows[0].clicks));
    assert.equal((await row.locator('[data-field="ctr"]').textContent())?.trim(), '16.7%');
    assert.equal(await page.locator(`tr[data-campaign-id="${bobsCampaign}"]`).count(), 0);
    await screenshot(page, 'dashboard-campaigns');
    await page.setViewportSize({ width: 375, height: 800 });
    await screenshot(page, 'dashboard-campaigns-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('opens the campaign: totals, a rendered hourly chart and an hourly table equal to Postgres', async () => {
    await page.getByRole('link', { name: 'Winter boots are back' }).click();
    await page.waitForURL(`${stack.url}/dashboard/campaigns/${campaignId}`);
    await page
      .getByTestId('campaign-impressions')
      .filter({ hasText: exactly(30) })
      .waitFor();
    const totals = await shownTotals(page);
    assert.equal(totals.impressions, '30');
    assert.equal(totals.clicks, '5');
    // uPlot draws on a canvas with a real size.
    const canvas = page.locator('#activity-chart canvas').first();
    await canvas.waitFor();
    const box = await canvas.boundingBox();
    assert.ok(box !== null && box.width > 100 && box.height > 50, `chart canvas ${JSON.stringify(box)}`);

    const { rows: hours } = await stack.pool.query<{ hour: Date; impressions: string; clicks: string }>(
      `SELECT hour, impressions, clicks FROM campaign_hourly_reports
       WHERE merchant_id = $1 AND source_id = $2 AND (impressions > 0 OR clicks > 0) ORDER BY hour`,
      [alice.id, campaignId],
    );
    assert.ok(hours.length >= 3, `${hours.length} hourly rows`);
    const shown = await page.locator('#hourly-table tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({
        time: tr.querySelector('time')?.getAttribute('datetime') ?? '',
        impressions: tr.querySelector('[data-field="impressions"]')?.textContent?.trim() ?? '',
        clicks: tr.querySelector('[data-field="clicks"]')?.textContent?.trim() ?? '',
      })),
    );
    for (const row of hours) {
      const match = shown.find((s) => Date.parse(s.time) === row.hour.getTime());
      assert.ok(match, `hour ${row.hour.toISOString()} is not in the table: ${JSON.stringify(shown)}`);
      assert.deepEqual([match.impressions, match.clicks], [row.impressions, row.clicks]);
    }
    assert.equal(
      ((await page.getByTestId('time-zone').first().textContent()) ?? '').trim(),
      'America/New_York',
    );
    await screenshot(page, 'dashboard-campaign');
  });

  it('shows pings produced now on the open page and on a second tab, both fed by one event stream', async () => {
    let navigations = 0;
    page.on('framenavigated', () => navigations++);
    // A second tab of the same browser relays the first tab's stream instead of opening its own.
    let streamsOpened = 0;
    const countStreams = (request: { url(): string }) => {
      if (new URL(request.url()).pathname === '/v1/events') streamsOpened++;
    };
    browser.context.on('request', countStreams);
    const second = await browser.context.newPage();
    await second.goto(`${stack.url}/dashboard/`);
    const secondRow = second.locator(`tr[data-campaign-id="${campaignId}"]`);
    await secondRow.locator('[data-field="impressions"]', { hasText: exactly(30) }).waitFor();
    await second.locator('[data-testid="live-indicator"][data-state="live"]').waitFor();
    const produced = Date.now();
    await stack.ping(
      alice,
      campaignId,
      Array.from({ length: 7 }, (_, i) => ({
        type: 'delivery' as const,
        time: new Date(),
        notificationId: `live-${i}`,
      })),
    );
    await page
      .getByTestId('campaign-impressions')
      .filter({ hasText: exactly(37) })
      .waitFor({ timeout: 30_000 });
    console.log(`# live: 7 pings produced -> shown on the open page in ${Date.now() - produced} ms`);
    await secondRow
      .locator('[data-field="impressions"]', { hasText: exactly(37) })
      .waitFor({ timeout: 30_000 });
    assert.equal(navigations, 0, 'the page was not reloaded');
    assert.equal(streamsOpened, 0, 'the second tab opened no event stream of its own');
    browser.context.off('request', countStreams);
    await screenshot(page, 'dashboard-campaign-live');
    await second.close();
  });

  it("never opens another merchant's campaign", async () => {
    const answer = page.waitForResponse((r) => r.url().endsWith(`/v1/campaigns/${bobsCampaign}`));
    await page.goto(`${stack.url}/dashboard/campaigns/${bobsCampaign}`);
    assert.equal((await answer).status(), 403);
    await page.getByRole('alert').filter({ hasText: /./ }).first().waitFor();
    assert.notEqual(((await page.getByTestId('campaign-title').textContent()) ?? '').trim(), 'Not for Alice');
    await screenshot(page, 'dashboard-other-merchant');
  });

  it('composes a draft with errors next to the field at fault, and shows the subscribers page', async () => {
    await page.goto(`${stack.url}/dashboard/campaigns/new`);
    await page.getByLabel('Title', { exact: true }).fill('Snow is coming');
    await page.getByLabel('Text', { exact: true }).fill('Boots for every path');
    await page.getByLabel('Link', { exact: true }).fill('ftp://shop.example/boots');
    await page.getByRole('button', { name: /save draft/i }).click();
    await page.locator('#url[aria-invalid="true"]').waitFor();
    await screenshot(page, 'dashboard-compose-error');
    await page.getByLabel('Link', { exact: true }).fill('https://shop.example/boots');
    await page.getByRole('button', { name: /save draft/i }).click();
    await page.waitForURL(/\/dashboard\/campaigns\/\d+$/);
    await screenshot(page, 'dashboard-compose-saved');
    await page.goto(`${stack.url}/dashboard/subscribers`);
    await page.getByTestId('subscribers-total').waitFor();
    await screenshot(page, 'dashboard-subscribers');
  });
});
