import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NotificationPayload } from '@hoot/events';
import { type LaunchedChromium, screenshot } from './chromium.ts';
import type { DesktopNotificationServer } from './desktop-notifications.ts';
import { startWorkerSite, type WorkerSite } from './worker-site.ts';

/**
 * The service worker in Debian's Chromium against the real api, Kafka and Postgres: pushes are
 * delivered with DevTools' `ServiceWorker.deliverPushMessage` (the step after a push service's
 * message is decrypted), notifications are clicked through the desktop's notification service
 * on D-Bus, and pings are read back from the api's Kafka topic.
 */
describe('service worker in Chromium', () => {
  let w: WorkerSite;
  let browser: LaunchedChromium;
  let desktop: DesktopNotificationServer;
  // Pings carry the merchant from the token; no merchant row is needed for them.
  const merchant = `sw-${randomUUID().slice(0, 8)}.example`;

  before(async () => {
    w = await startWorkerSite({ merchant });
    ({ browser, desktop } = w);
  });
  after(() => w?.close());

  const notification = (title: string) => w.notification(title);
  const push = (payload: NotificationPayload) => w.push(payload);

  /**
   * The notification as the desktop shows it. With a notification service on the session bus,
   * Chromium displays through it, and `registration.getNotifications()` does not reliably list
   * what it displayed there, so the display itself is where a test looks.
   */
  async function waitForNotification(payload: NotificationPayload) {
    const shown = await desktop.waitFor(payload.title);
    assert.ok(shown.body.includes(payload.body), `the payload body is shown: ${shown.body}`);
    await browser.page.evaluate('listNotifications()'); // lists it on the page for the screenshot
    return shown;
  }

  it('shows a pushed notification and its delivery ping reaches Kafka at the time of delivery', async () => {
    const payload = notification('Winter sale');
    const pushedAt = Date.now();
    await push(payload);
    const shown = await waitForNotification(payload);
    assert.equal(shown.appName, 'Chromium');

    const ping = await w.pingOf(payload.notification_id, 'delivery');
    assert.equal(ping.merchant, merchant);
    assert.notEqual(ping.delivered_time, null, 'a delivery ping');
    assert.equal(ping.clicked_time, null);
    assert.ok(
      ping.event_time !== null && ping.event_time >= pushedAt - 1000 && ping.event_time <= Date.now(),
    );
    assert.equal(ping.event_time, Date.parse(ping.delivered_time ?? ''), "counts at the browser's time");
    await screenshot(browser.page, 'service-worker-notification-shown');
  });

  it('a click on the desktop notification opens the campaign URL and sends a click ping', async () => {
    const payload = notification('Last day of the sale');
    await push(payload);
    // Chromium handed the notification to the desktop's notification service; click it there.
    const onDesktop = await waitForNotification(payload);
    await w.pingOf(payload.notification_id, 'delivery');

    assert.match(onDesktop.body, /Handmade boots/);
    const opened = browser.context.waitForEvent('page', { timeout: 10_000 });
    const clickedAt = Date.now();
    desktop.click(onDesktop);
    const landing = await opened;
    await landing.waitForLoadState();
    assert.equal(landing.url(), payload.url);
    await screenshot(landing, 'service-worker-click-landing');

    const ping = await w.pingOf(payload.notification_id, 'click');
    assert.notEqual(ping.clicked_time, null, 'a click ping');
    assert.equal(ping.delivered_time, null);
    assert.ok(
      ping.event_time !== null && ping.event_time >= clickedAt - 1000 && ping.event_time <= Date.now(),
    );
    const left = desktop.shown().map((n) => n.title);
    assert.ok(!left.includes(payload.title), 'the clicked notification is closed');
  });

  it('with the api down for 60 s after the push, the delivery ping arrives once it is back', async () => {
    await w.api.close();
    const payload = notification('Flash sale');
    const pushedAt = Date.now();
    await push(payload);
    await waitForNotification(payload);
    await screenshot(browser.page, 'service-worker-api-down');

    await sleep(60_000 - (Date.now() - pushedAt));
    await w.restartApi();
    const backAt = Date.now();

    // The worker's longest pause between attempts is 6 s; 20 s leaves room for a slow machine.
    const ping = await w.pingOf(payload.notification_id, 'delivery', 20_000);
    assert.notEqual(ping.delivered_time, null);
    assert.ok(ping.received_at !== null && ping.received_at >= backAt, 'received after the api came back');
    assert.ok(
      ping.event_time !== null && Math.abs(ping.event_time - pushedAt) < 5000,
      'counts at the time of delivery, not of the retry',
    );
  });
});
