import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type NotificationPayload, type Ping, pingSchema } from '@hoot/events';
import type { BrowserContext, Worker } from 'playwright-core';
import type { Registry } from 'prom-client';
import type { ApiHarness } from '../integration/api-harness.ts';
import { browserSubscription } from '../integration/browser-subscription.ts';
import { type LaunchedChromium, screenshot } from './chromium.ts';
import { startWorkerSite, type WorkerSite } from './worker-site.ts';

const _API_HOST = '127.0.0.1';

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
  let w: WorkerSite;
  let h: ApiHarness;
  let metrics: Registry;
  let merchant: string;
  let browser: LaunchedChromium;
  let worker: Worker;
  let vapidPublicKey: string;
  const first = browserSubscription('fcm.googleapis.com');

  before(async () => {
    // No push service is reachable offline: the page's PushManager answers with a subscription
    // carrying real P-256 keys, as Chrome's would (see subscribe-snippet.int.test.ts).
    const prepare = (context: BrowserContext) =>
      context.addInitScript((json: string) => {
        const scope = globalThis as unknown as { PushManager: { prototype: Record<string, unknown> } };
        let current: unknown = null;
        scope.PushManager.prototype.getSubscription = async () => current;
        scope.PushManager.prototype.subscribe = async () => {
          current = { endpoint: JSON.parse(json).endpoint, toJSON: () => JSON.parse(json) };
          return current;
        };
      }, JSON.stringify(first));
    w = await startWorkerSite({ prepare });
    ({ h, browser, vapidPublicKey } = w);
    metrics = h.metrics;
    merchant = w.merchant;
    worker = browser.context.serviceWorkers()[0] ?? (await browser.context.waitForEvent('serviceworker'));
  });
  after(() => w?.close());

  const notification = (title: string) => w.notification(title);
  async function push(payload: NotificationPayload) {
    await w.push(payload);
    await w.desktop.waitFor(payload.title);
  }

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
    await w.pingOf(good.notification_id, 'delivery');
    const refused = [expired.notification_id, forged.notification_id];
    assert.ok(
      !(await w.pings()).some((p) => refused.includes(p.notification_id ?? '')),
      'only the good ping reached Kafka',
    );
    await waitUntil('the report counted by the api', async () =>
      (await dropped('expired')) - expiredBefore === 1 ? true : undefined,
    );
    assert.equal((await dropped('refused')) - refusedBefore, 1);
    const s = await storage();
    assert.deepEqual(s.dropped, { expired: 0, refused: 0 }, 'reported once, then cleared');
  });

  it('a ping whose event ended while the api was down stays in IndexedDB and is delivered on the next run', async () => {
    await w.api.close();
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
    await w.cdp.send('ServiceWorker.stopAllWorkers');
    await sleep(500);
    assert.equal((await storage()).pings.length, 1, 'the ping outlived the worker');

    metrics = await w.restartApi();
    const backAt = Date.now();

    // The worker's next run: another push starts it, and it sends what is pending with it.
    const next = notification('Next sale');
    await push(next);
    // Every ping on the topic, read afresh until both are there (an earlier ping retried across
    // the api's restart may sit between them).
    const wanted = [lost.notification_id, next.notification_id];
    const pings = await waitUntil(
      'the queued and the next ping on the topic',
      async () => {
        const all = (await h.consume<Ping>(h.topics.ping, pingSchema, await h.endOffset(h.topics.ping))).map(
          (r) => r.value,
        );
        return wanted.every((id) => all.some((p) => p.notification_id === id)) ? all : undefined;
      },
      20_000,
    );
    const old = pings.find((p) => p.notification_id === lost.notification_id);
    assert.ok(old, 'the queued ping arrived');
    assert.equal(pings.filter((p) => p.notification_id === lost.notification_id).length, 1, 'once');
    assert.ok(old.received_at !== null && old.received_at >= backAt);
    assert.ok(
      old.event_time !== null && Math.abs(old.event_time - pushedAt) < 5000,
      'counts at the time of delivery, not of the retry',
    );
    await waitUntil('the queue empty', async () => ((await storage()).pings.length === 0 ? true : undefined));
  });
});
