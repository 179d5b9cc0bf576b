import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Campaign, createPayloadBuilder } from '@hoot/dispatcher';
import { createBuiltinCatalog, type NotificationPayload, type Ping, pingSchema } from '@hoot/events';
import type { FastifyInstance } from 'fastify';
import type { BrowserContext, CDPSession } from 'playwright-core';
import { Registry } from 'prom-client';
import { buildApi } from '../../src/index.ts';
import { type ApiHarness, newVapidPublicKey, pingSecret, startApi } from '../integration/api-harness.ts';
import { type LaunchedChromium, launchChromium } from './chromium.ts';
import { type DesktopNotificationServer, startDesktopNotificationServer } from './desktop-notifications.ts';
import { type MerchantSite, startMerchantSite } from './merchant-site.ts';

const API_HOST = '127.0.0.1';

/**
 * A merchant site in Chromium whose page has registered Hoot's service worker, against the real
 * api (with a VAPID key, as the snippet needs), Kafka and Postgres, with the desktop's
 * notification service on a private D-Bus: what the service worker tests share.
 */
export interface WorkerSite {
  h: ApiHarness;
  /** The api serving the site; `restartApi` replaces it on the same port. */
  api: FastifyInstance;
  apiUrl: string;
  /** The merchant whose site it is (pings and subscriptions carry it). */
  merchant: string;
  vapidPublicKey: string;
  site: MerchantSite;
  desktop: DesktopNotificationServer;
  browser: LaunchedChromium;
  cdp: CDPSession;
  registrationId: string;
  /** What the dispatcher would encrypt for subscriber 7 of a new campaign, built by its own code. */
  notification(title: string): NotificationPayload;
  /** Delivers a push to the worker (DevTools' ServiceWorker.deliverPushMessage). */
  push(payload: NotificationPayload): Promise<void>;
  /** Every ping on the api's topic so far, oldest first. */
  pings(): Promise<Ping[]>;
  /**
   * The notification's delivery or click ping once it is on the topic, wherever it stands there
   * (a worker may deliver a ping twice, and pings of earlier tests may arrive late).
   */
  pingOf(notificationId: string, kind: 'delivery' | 'click', timeoutMs?: number): Promise<Ping>;
  /** A new api on the same port after the old one was closed; its metrics on a fresh registry. */
  restartApi(): Promise<Registry>;
  close(): Promise<void>;
}

export async function startWorkerSite(
  options: {
    /** The merchant the pings claim; none: a new merchant row. */
    merchant?: string;
    /** Runs before the page opens, e.g. to stub the page's PushManager. */
    prepare?: (context: BrowserContext) => Promise<unknown>;
  } = {},
): Promise<WorkerSite> {
  const vapidPublicKey = newVapidPublicKey();
  const h = await startApi({ VAPID_PUBLIC_KEY: vapidPublicKey });
  const merchant = options.merchant ?? (await h.newMerchant()).id;
  await h.app.listen({ host: API_HOST, port: 0 });
  const address = h.app.server.address();
  assert.ok(address && typeof address === 'object');
  const apiPort = address.port;
  const apiUrl = `http://${API_HOST}:${apiPort}`;
  const site = await startMerchantSite({ apiUrl, merchant });
  const desktop = await startDesktopNotificationServer();
  const browser = await launchChromium({ env: { DBUS_SESSION_BUS_ADDRESS: desktop.busAddress } });
  await browser.context.grantPermissions(['notifications'], { origin: site.origin });
  await options.prepare?.(browser.context);

  const cdp = await browser.context.newCDPSession(browser.page);
  const registrations = new Map<string, string>();
  cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations: updated }) => {
    for (const r of updated) if (!r.isDeleted) registrations.set(r.scopeURL, r.registrationId);
  });
  await cdp.send('ServiceWorker.enable');
  await browser.page.goto(`${site.origin}/`);
  await browser.page.evaluate('navigator.serviceWorker.ready.then(() => undefined)');
  for (let i = 0; i < 50 && !registrations.has(`${site.origin}/`); i++) await sleep(100);
  const registrationId = registrations.get(`${site.origin}/`);
  assert.ok(registrationId, `a service worker registration for ${site.origin}/`);
  // Notifications shown before Chromium's bridge to the desktop is up can be lost.
  await desktop.browserReady();

  let nextCampaignId = 1;
  const build = createPayloadBuilder({
    secret: pingSecret,
    pingUrl: `${apiUrl}/v1/pings`,
    attributionWindowMs: 72 * 3_600_000,
  });
  const worker: WorkerSite = {
    h,
    api: h.app,
    apiUrl,
    merchant,
    vapidPublicKey,
    site,
    desktop,
    browser,
    cdp,
    registrationId,
    notification(title) {
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
    },
    async push(payload) {
      await cdp.send('ServiceWorker.deliverPushMessage', {
        origin: site.origin,
        registrationId,
        data: JSON.stringify(payload),
      });
    },
    async pings() {
      const end = await h.endOffset(h.topics.ping);
      if (end === 0) return [];
      return (await h.consume<Ping>(h.topics.ping, pingSchema, end)).map((r) => r.value);
    },
    async pingOf(notificationId, kind, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = (await worker.pings()).find(
          (p) =>
            p.notification_id === notificationId &&
            (kind === 'click' ? p.clicked_time !== null : p.delivered_time !== null),
        );
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`no ${kind} ping of ${notificationId} on the topic`);
        await sleep(200);
      }
    },
    async restartApi() {
      const registry = new Registry();
      worker.api = await buildApi({
        config: h.config,
        pool: h.pool,
        kafka: h.kafka,
        schemaRegistry: createBuiltinCatalog(),
        metricsRegistry: registry,
      });
      await worker.api.listen({ host: API_HOST, port: apiPort });
      return registry;
    },
    async close() {
      await browser.close();
      await desktop.close();
      await site.close();
      if (worker.api !== h.app) await worker.api.close();
      await h.close();
    },
  };
  return worker;
}
