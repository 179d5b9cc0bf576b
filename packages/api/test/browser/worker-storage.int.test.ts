import assert from 'node:assert/strict';
import { createECDH } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Campaign, createPayloadBuilder } from '@hoot/dispatcher';
import { createBuiltinCatalog, type NotificationPayload, type Ping, pingSchema } from '@hoot/events';
import type { FastifyInstance } from 'fastify';
import type { CDPSession, Worker } from 'playwright-core';
import { Registry } from 'prom-client';
import { buildApi } from '../../src/index.ts';
import { type ApiHarness, pingSecret, startApi } from '../integration/api-harness.ts';
import { browserSubscription } from '../integration/browser-subscription.ts';
import { type LaunchedChromium, launchChromium, screenshot } from './chromium.ts';
import { type DesktopNotificationServer, startDesktopNotificationServer } from './desktop-notifications.ts';
import { type MerchantSite, startMerchantSite } from './merchant-site.ts';

const API_HOST = '127.0.0.1';

/** What the worker keeps in IndexedDB, read from the page (same origin, same database). */
const READ_WORKER_STORAGE = `new Promise((resolve, reject) => {
  const open = indexedDB.open('hoot', 1);
  open.onupgradeneeded = () => {
    open.result.createObjectStore('state');
    open.result.createObjectStore('pings', { keyPath: 'id', autoIncrement: true });
  };
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const db = open.result;
    const t = db.transaction(['pings', 'state']);
    const out = {};
    const pings = t.objectStore('pings').getAll();
    pings.onsuccess = () => { out.pings = pings.result; };
    const state = t.objectStore('state');
    const identity = state.get('identity');
    identity.onsuccess = () => { out.identity = identity.result; };
    const dropped = state.get('dropped');
    dropped.onsuccess = () => { out.dropped = dropped.result; };
    t.oncomplete = () => { db.close(); resolve(out); };
  };
})`;

interface WorkerStorage {
  pings: Array<{ type: string; token: string; time: string }>;
  identity?: { subscriberId: number; proof: string; endpoint: string; applicationServerKey: string };
  dropped?: Record<string, number>;
}

/**
 * What the service worker keeps in IndexedDB, in Debian's Chromium against the real api, Kafka
 * and Postgres: the subscriber's identity, renewed on `pushsubscriptionchange`; pings that
 * outlive their event while the api is down; the count of pings it had to drop.
 */
describe('service worker storage in Chromium', () => {
  let h: ApiHarness;
  let api: FastifyInstance;
  let metrics: Registry;
  let apiUrl: string;
  let apiPort: number;
  let merchant: string;
  let site: MerchantSite;
  let desktop: DesktopNotificationServer;
  let browser: LaunchedChromium;
  let cdp: CDPSession;
  let worker: Worker;
  let registrationId: string;
  let vapidPublicKey: string;
  let pingsSeen = 0;
  const first = browserSubscription('fcm.googleapis.com');

  before(async () => {
    const vapid = createECDH('prime256v1');
    vapid.generateKeys();
    vapidPublicKey = vapid.getPublicKey().toString('base64url');
    h = await startApi({ VAPID_PUBLIC_KEY: vapidPublicKey });
    api = h.app;
    metrics = h.metrics;
    merchant = (await h.newMerchant()).id;
    await api.listen({ host: API_HOST, port: 0 });
    const address = api.server.address();
    assert.ok(address && typeof address === 'object');
    apiPort = address.port;
    apiUrl = `http://${API_HOST}:${apiPort}`;
    site = await startMerchantSite({ apiUrl, merchant });
    desktop = await startDesktopNotificationServer();
    browser = await launchChromium({ env: { DBUS_SESSION_BUS_ADDRESS: desktop.busAddress } });
    await browser.context.grantPermissions(['notifications'], { origin: site.origin });
    // No push service is reachable offline: the page's PushManager answers with a subscription
    // carrying real P-256 keys, as Chrome's would (see subscribe-snippet.int.test.ts).
    await browser.context.addInitScript((json: string) => {
      const scope = globalThis as unknown as { PushManager: { prototype: Record<string, unknown> } };
      let current: unknown = null;
      scope.PushManager.prototype.getSubscription = async () => current;
      scope.PushManager.prototype.subscribe = async () => {
        current = { endpoint: JSON.parse(json).endpoint, toJSON: () => JSON.parse(json) };
        return current;
      };
    }, JSON.stringify(first));

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
    worker = browser.context.serviceWorkers()[0] ?? (await browser.context.waitForEvent('serviceworker'));
    await desktop.browserReady();
  });

  after(async () => {
    await browser?.close();
    await desktop?.close();
    await site?.close();
    if (api !== h?.app) await api?.close();
    await h?.close();
  });

  const storage = async () => (await browser.page.evaluate(READ_WORKER_STORAGE)) as WorkerStorage;

  async function waitUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(100);
    }
  }

  let nextCampaignId = 1;
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
    await desktop.waitFor(payload.title);
  }

  async function nextPings(count: number, timeoutMs = 15_000): Promise<Ping[]> {
    const records = await h.consume<Ping>(h.topics.ping, pingSchema, pingsSeen + count, timeoutMs);
    pingsSeen += count;
    return records.slice(-count).map((r) => r.value);
  }

  const dropped = async (reason: string) =>
    (await metrics.getSingleMetric('hoot_api_browser_pings_dropped_total')?.get())?.values.find(
      (v) => v.labels.reason === reason,
    )?.value ?? 0;

  it('on pushsubscriptionchange with neither old nor new subscription, resubscribes with the same key and the api links it to the same subscriber', async () => {
    await browser.page.getByRole('button', { name: 'Get sale alerts' }).click();
    await browser.page.getByText(/Subscribed as subscriber \d+/).waitFor({ timeout: 10_000 });
    const before = await storage();
    assert.ok(before.identity, 'the snippet keeps the identity where the worker reads it');
    assert.equal(before.identity.endpoint, first.endpoint);
    assert.equal(before.identity.applicationServerKey, vapidPublicKey);
    const subscriberId = before.identity.subscriberId;

    // No DevTools command fires pushsubscriptionchange, and no push service is reachable
    // offline: inside the worker, PushManager answers as after a push service dropped the
    // subscription (none current; subscribe gives a new one), and the worker dispatches the
    // event itself, as Firefox fires it: no oldSubscription, no newSubscription.
    const renewed = browserSubscription('fcm.googleapis.com');
    await worker.evaluate((json: string) => {
      const scope = globalThis as unknown as {
        PushManager: { prototype: Record<string, unknown> };
        __subscribeKeys: string[];
        dispatchEvent(event: Event): boolean;
        ExtendableEvent: new (type: string) => Event;
      };
      scope.__subscribeKeys = [];
      scope.PushManager.prototype.getSubscription = async () => null;
      scope.PushManager.prototype.subscribe = async (options: { applicationServerKey: Uint8Array }) => {
        scope.__subscribeKeys.push(btoa(String.fromCharCode(...options.applicationServerKey)));
        return { endpoint: JSON.parse(json).endpoint, toJSON: () => JSON.parse(json) };
      };
      scope.dispatchEvent(new scope.ExtendableEvent('pushsubscriptionchange'));
    }, JSON.stringify(renewed));

    const row = await waitUntil('the subscriber relinked', async () => {
      const { rows } = await h.pool.query('SELECT id, endpoint FROM subscribers WHERE merchant_id = $1', [
        merchant,
      ]);
      return rows.length === 1 && rows[0].endpoint === renewed.endpoint ? rows[0] : undefined;
    });
    assert.equal(Number(row.id), subscriberId, 'the same subscriber, now at the new endpoint');
    const keys = (await worker.evaluate('self.__subscribeKeys')) as string[];
    assert.deepEqual(
      keys,
      [Buffer.from(vapidPublicKey, 'base64url').toString('base64')],
      'same applicationServerKey',
    );
    const after = await waitUntil('the worker keeps the new endpoint', async () => {
      const s = await storage();
      return s.identity?.endpoint === renewed.endpoint ? s : undefined;
    });
    assert.equal(after.identity?.subscriberId, subscriberId);
    assert.match(after.identity?.proof ?? '', /^[A-Za-z0-9_-]{43}$/);
  });

  it('counts pings it drops (expired token, refused by the api) and reports them with the next ping', async () => {
    const expiredBefore = await dropped('expired');
    const refusedBefore = await dropped('refused');
    const expired = notification('Expired offer');
    expired.token = h.token({ merchant, expiresAt: Math.floor(Date.now() / 1000) - 60 });
    await push(expired);
    const forged = notification('Forged offer');
    forged.token = h.token({ merchant }, 'a-secret-the-api-does-not-know-0123456789');
    await push(forged);
    const counted = await waitUntil('both drops counted in IndexedDB', async () => {
      const s = await storage();
      return s.dropped?.expired === 1 && s.dropped.refused === 1 && s.pings.length === 0 ? s : undefined;
    });
    assert.deepEqual(counted.dropped, { expired: 1, refused: 1 });

    const good = notification('Good offer');
    await push(good);
    const [ping] = await nextPings(1);
    assert.equal(ping?.notification_id, good.notification_id, 'only the good ping reached Kafka');
    await waitUntil('the report counted by the api', async () =>
      (await dropped('expired')) - expiredBefore === 1 ? true : undefined,
    );
    assert.equal((await dropped('refused')) - refusedBefore, 1);
    const s = await storage();
    assert.deepEqual(s.dropped, { expired: 0, refused: 0 }, 'reported once, then cleared');
  });

  it('a ping whose event ended while the api was down stays in IndexedDB and is delivered on the next run', async () => {
    await api.close();
    const lost = notification('Weekend sale');
    const pushedAt = Date.now();
    await push(lost);
    const queued = await waitUntil('the ping queued', async () => {
      const s = await storage();
      return s.pings.length === 1 ? s.pings[0] : undefined;
    });
    assert.equal(queued.type, 'delivery');
    assert.equal(queued.token, lost.token);
    await screenshot(browser.page, 'worker-storage-ping-queued');
    // The browser ends an event it extended past its limit (90 s for a push) by stopping the
    // worker; DevTools stops it the same way now, with the ping's retries still waiting.
    await cdp.send('ServiceWorker.stopAllWorkers');
    await sleep(500);
    assert.equal((await storage()).pings.length, 1, 'the ping outlived the worker');

    const restarted = new Registry();
    metrics = restarted;
    api = await buildApi({
      config: h.config,
      pool: h.pool,
      kafka: h.kafka,
      schemaRegistry: createBuiltinCatalog(),
      metricsRegistry: restarted,
    });
    await api.listen({ host: API_HOST, port: apiPort });
    const backAt = Date.now();

    // The worker's next run: another push starts it, and it sends what is pending with it.
    const next = notification('Next sale');
    await push(next);
    const pings = await nextPings(2);
    const old = pings.find((p) => p.notification_id === lost.notification_id);
    assert.ok(old, 'the queued ping arrived');
    assert.ok(pings.some((p) => p.notification_id === next.notification_id));
    assert.ok(old.received_at !== null && old.received_at >= backAt);
    assert.ok(
      old.event_time !== null && Math.abs(old.event_time - pushedAt) < 5000,
      'counts at the time of delivery, not of the retry',
    );
    await waitUntil('the queue empty', async () => ((await storage()).pings.length === 0 ? true : undefined));
  });
});
