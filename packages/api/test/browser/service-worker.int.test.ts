import assert from 'node:assert/strict';
import { createECDH, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Campaign, createPayloadBuilder } from '@hoot/dispatcher';
import { createBuiltinCatalog, type NotificationPayload, type Ping, pingSchema } from '@hoot/events';
import type { FastifyInstance } from 'fastify';
import type { CDPSession } from 'playwright-core';
import { Registry } from 'prom-client';
import { buildApi } from '../../src/index.ts';
import { type ApiHarness, pingSecret, startApi } from '../integration/api-harness.ts';
import { type LaunchedChromium, launchChromium, screenshot } from './chromium.ts';
import { type DesktopNotificationServer, startDesktopNotificationServer } from './desktop-notifications.ts';
import { type MerchantSite, startMerchantSite } from './merchant-site.ts';

const API_HOST = '127.0.0.1';

/**
 * The service worker in Debian's Chromium against the real api, Kafka and Postgres: pushes are
 * delivered with DevTools' `ServiceWorker.deliverPushMessage` (the step after a push service's
 * message is decrypted), notifications are clicked through the desktop's notification service
 * on D-Bus, and pings are read back from the api's Kafka topic.
 */
describe('service worker in Chromium', () => {
  let h: ApiHarness;
  let api: FastifyInstance;
  let apiUrl: string;
  let apiPort: number;
  let site: MerchantSite;
  let desktop: DesktopNotificationServer;
  let browser: LaunchedChromium;
  let cdp: CDPSession;
  let registrationId: string;
  // Pings carry the merchant from the token; no merchant row is needed for them.
  const merchant = `sw-${randomUUID().slice(0, 8)}.example`;
  let pingsSeen = 0;

  before(async () => {
    // The site's page includes the subscribe snippet, which registers the worker; the api
    // serves it only with a VAPID key.
    const vapid = createECDH('prime256v1');
    vapid.generateKeys();
    h = await startApi({ VAPID_PUBLIC_KEY: vapid.getPublicKey().toString('base64url') });
    api = h.app;
    await api.listen({ host: API_HOST, port: 0 });
    const address = api.server.address();
    assert.ok(address && typeof address === 'object');
    apiPort = address.port;
    apiUrl = `http://${API_HOST}:${apiPort}`;
    site = await startMerchantSite({ apiUrl, merchant });
    desktop = await startDesktopNotificationServer();
    browser = await launchChromium({ env: { DBUS_SESSION_BUS_ADDRESS: desktop.busAddress } });
    await browser.context.grantPermissions(['notifications'], { origin: site.origin });

    cdp = await browser.context.newCDPSession(browser.page);
    const registrations = new Map<string, string>();
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations: updated }) => {
      for (const r of updated) if (!r.isDeleted) registrations.set(r.scopeURL, r.registrationId);
    });
    await cdp.send('ServiceWorker.enable');
    await browser.page.goto(`${site.origin}/`);
    await browser.page.evaluate('navigator.serviceWorker.ready.then(() => undefined)');
    for (let i = 0; i < 50 && !registrations.has(`${site.origin}/`); i++) await sleep(100);
    const id = registrations.get(`${site.origin}/`);
    assert.ok(id, `a service worker registration for ${site.origin}/`);
    registrationId = id;
    await desktop.browserReady();
  });

  after(async () => {
    await browser?.close();
    await desktop?.close();
    await site?.close();
    if (api !== h?.app) await api?.close();
    await h?.close();
  });

  let nextCampaignId = 1;
  /** What the dispatcher would encrypt for subscriber 7 of a new campaign, built by its own code. */
  function notification(title: string): NotificationPayload {
    const build = createPayloadBuilder({
      secret: pingSecret,
      pingUrl: `${apiUrl}/v1/pings`,
      attributionWindowMs: 72 * 3_600_000,
    });
    const id = nextCampaignId++;
    const campaign: Campaign = {
      id,
      merchant,
      title,
      body: 'Handmade boots, 20% off until Sunday',
      url: `${site.origin}/boots?campaign=${id}`,
      icon: null,
      status: 'sending',
      ttlSeconds: 3600,
      urgency: 'normal',
    };
    return JSON.parse(build(campaign, 7).plaintext.toString('utf8')) as NotificationPayload;
  }

  async function push(payload: NotificationPayload) {
    await cdp.send('ServiceWorker.deliverPushMessage', {
      origin: site.origin,
      registrationId,
      data: JSON.stringify(payload),
    });
  }

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

  /** The next `count` pings on the api's topic, in order. */
  async function nextPings(count: number, timeoutMs = 15_000): Promise<Ping[]> {
    const records = await h.consume<Ping>(h.topics.ping, pingSchema, pingsSeen + count, timeoutMs);
    pingsSeen += count;
    return records.slice(-count).map((r) => r.value);
  }

  it('shows a pushed notification and its delivery ping reaches Kafka at the time of delivery', async () => {
    const payload = notification('Winter sale');
    const pushedAt = Date.now();
    await push(payload);
    const shown = await waitForNotification(payload);
    assert.equal(shown.appName, 'Chromium');

    const [ping] = await nextPings(1);
    assert.ok(ping);
    assert.equal(ping.notification_id, payload.notification_id);
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
    await nextPings(1);

    assert.match(onDesktop.body, /Handmade boots/);
    const opened = browser.context.waitForEvent('page', { timeout: 10_000 });
    const clickedAt = Date.now();
    desktop.click(onDesktop);
    const landing = await opened;
    await landing.waitForLoadState();
    assert.equal(landing.url(), payload.url);
    await screenshot(landing, 'service-worker-click-landing');

    const [ping] = await nextPings(1);
    assert.ok(ping);
    assert.equal(ping.notification_id, payload.notification_id);
    assert.notEqual(ping.clicked_time, null, 'a click ping');
    assert.equal(ping.delivered_time, null);
    assert.ok(
      ping.event_time !== null && ping.event_time >= clickedAt - 1000 && ping.event_time <= Date.now(),
    );
    const left = desktop.shown().map((n) => n.title);
    assert.ok(!left.includes(payload.title), 'the clicked notification is closed');
  });

  it('with the api down for 60 s after the push, the delivery ping arrives once it is back', async () => {
    await api.close();
    const payload = notification('Flash sale');
    const pushedAt = Date.now();
    await push(payload);
    await waitForNotification(payload);
    await screenshot(browser.page, 'service-worker-api-down');

    await sleep(60_000 - (Date.now() - pushedAt));
    api = await buildApi({
      config: h.config,
      pool: h.pool,
      kafka: h.kafka,
      schemaRegistry: createBuiltinCatalog(),
      metricsRegistry: new Registry(),
    });
    await api.listen({ host: API_HOST, port: apiPort });
    const backAt = Date.now();

    // The worker's longest pause between attempts is 6 s; 20 s leaves room for a slow machine.
    const [ping] = await nextPings(1, 20_000);
    assert.ok(ping);
    assert.equal(ping.notification_id, payload.notification_id);
    assert.notEqual(ping.delivered_time, null);
    assert.ok(ping.received_at !== null && ping.received_at >= backAt, 'received after the api came back');
    assert.ok(
      ping.event_time !== null && Math.abs(ping.event_time - pushedAt) < 5000,
      'counts at the time of delivery, not of the retry',
    );
  });
});
