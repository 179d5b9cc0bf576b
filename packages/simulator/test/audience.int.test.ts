import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { type NotificationPayload, type Order, orderSchema, type Ping, pingSchema } from '@hoot/events';
import {
  type Audience,
  type CertificateFiles,
  createAudience,
  createSimulatedBrowser,
  createSimulatorMetrics,
  makeSelfSignedCert,
  type RunningPushService,
  type SimulatedBrowser,
  type SimulatorMetrics,
  startPushService,
  subscriptionOf,
} from '@hoot/simulator';
import pino from 'pino';
import webpush from 'web-push';
import { type ApiHarness, startApi } from '../../api/test/integration/api-harness.ts';

const vapid = webpush.generateVAPIDKeys();

/**
 * The real api on the real broker and Postgres, the local push service and a small audience in
 * this process: a push encrypted with web-push (as the dispatcher sends it) reaches a simulated
 * browser, which decrypts it and pings back through the api onto the ping topic.
 */
describe('simulated audience against the real api', () => {
  let api: ApiHarness;
  let push: RunningPushService;
  let tls: CertificateFiles;
  let audience: Audience | undefined;
  let metrics: SimulatorMetrics;
  let apiUrl: string;
  let merchant: string;
  const browsers: SimulatedBrowser[] = [
    createSimulatedBrowser(),
    createSimulatedBrowser(),
    createSimulatedBrowser(),
  ];
  let agent: Agent;

  before(async () => {
    tls = makeSelfSignedCert();
    agent = new Agent({ ca: readFileSync(tls.certFile), keepAlive: false });
    push = await startPushService({
      tls: { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) },
      port: 0,
      resolve: (endpointId) => audience?.resolve(endpointId),
    });
    api = await startApi({ PUSH_SERVICE_HOSTS: `fcm.googleapis.com,localhost:${push.port}` });
    apiUrl = (await api.app.listen({ host: '127.0.0.1', port: 0 })).replace('localhost', '127.0.0.1');
    const created = await api.newMerchant();
    merchant = created.id;
    metrics = createSimulatorMetrics();
    audience = createAudience({
      merchant,
      webhookSecret: created.webhookSecret,
      apiUrl,
      // Every push is shown at once, clicked and ordered: the test sees each step.
      behaviour: {
        deliveryShare: 1,
        clickShare: 1,
        orderShare: 1,
        deliveryDelay: { minMs: 10, maxMs: 50 },
        clickDelay: { minMs: 10, maxMs: 50 },
        orderDelay: { minMs: 10, maxMs: 50 },
        orderTotalMinor: { min: 2500, max: 2500 },
      },
      currency: 'EUR',
      browsers,
      applicationServerKey: vapid.publicKey,
      subscribeConcurrency: 2,
      metrics,
      logger: pino({ level: 'silent' }),
    });
  });

  after(async () => {
    await audience?.stop();
    await push?.close();
    await api?.close();
    agent?.destroy();
    if (tls !== undefined) rmSync(tls.dir, { recursive: true, force: true });
  });

  async function subscriberIdOf(browser: SimulatedBrowser): Promise<number> {
    const { rows } = await api.pool.query<{ id: string }>(
      'SELECT id FROM subscribers WHERE merchant_id = $1 AND endpoint = $2',
      [merchant, push.endpointUrl(browser.endpointId)],
    );
    assert.equal(rows.length, 1, 'one subscriber per browser');
    return Number(rows[0]!.id);
  }

  function payloadFor(subscriberId: number, notificationId: string): NotificationPayload {
    return {
      v: 1,
      title: 'Spring sale',
      body: '20 % off',
      url: 'https://shop.example/sale',
      icon: null,
      notification_id: notificationId,
      merchant,
      source: 'campaign',
      source_id: 7,
      subscriber_id: subscriberId,
      token: api.token({ notificationId, merchant, source: 'campaign', sourceId: 7, subscriberId }),
      ping_url: `${apiUrl}/v1/pings`,
    };
  }

  function send(browser: SimulatedBrowser, payload: unknown, keys = vapid) {
    return webpush.sendNotification(
      subscriptionOf(browser, push.endpointUrl(browser.endpointId)),
      JSON.stringify(payload),
      {
        TTL: 3600,
        vapidDetails: {
          subject: 'mailto:ops@shop.example',
          publicKey: keys.publicKey,
          privateKey: keys.privateKey,
        },
        agent,
      },
    );
  }

  it('subscribes every browser through the api with its endpoint on the push service', async () => {
    assert.equal(await audience!.subscribeAll(push.endpointUrl), browsers.length);
    const { rows } = await api.pool.query<{ endpoint: string; p256dh: string }>(
      'SELECT endpoint, p256dh FROM subscribers WHERE merchant_id = $1 ORDER BY id',
      [merchant],
    );
    assert.deepEqual(
      rows.map((row) => row.endpoint).sort(),
      browsers.map((browser) => push.endpointUrl(browser.endpointId)).sort(),
    );
    assert.ok(rows.every((row) => browsers.some((b) => b.publicKey.toString('base64url') === row.p256dh)));
    // Subscribing again is idempotent: the api renews the same subscribers.
    assert.equal(await audience!.subscribeAll(push.endpointUrl), browsers.length * 2);
    const again = await api.pool.query('SELECT 1 FROM subscribers WHERE merchant_id = $1', [merchant]);
    assert.equal(again.rowCount, browsers.length);
  });

  it('decrypts a web-push message and its delivery and click pings land on the ping topic, then a signed order', async () => {
    const browser = browsers[0]!;
    const subscriberId = await subscriberIdOf(browser);
    const notificationId = randomUUID();
    const answer = await send(browser, payloadFor(subscriberId, notificationId));
    assert.equal(answer.statusCode, 201);
    assert.match(String(answer.headers.location), /^\/message\//);

    const pings = await api.consume<Ping>(api.topics.ping, pingSchema, 2, 20_000);
    const delivery = pings.find((p) => p.value.delivered_time !== null && p.value.clicked_time === null);
    const click = pings.find((p) => p.value.clicked_time !== null);
    assert.ok(delivery, 'a delivery ping');
    assert.ok(click, 'a click ping');
    for (const ping of [delivery, click]) {
      assert.equal(ping.value.notification_id, notificationId);
      assert.equal(ping.value.subscriber_id, subscriberId);
      assert.equal(ping.value.merchant, merchant);
      assert.equal(ping.key, `${merchant}/campaign/7`);
    }
    const [order] = await api.consume<Order>(api.topics.orders, orderSchema, 1, 20_000);
    assert.equal(order!.value.merchant, merchant);
    assert.equal(order!.value.subscriber_id, subscriberId);
    assert.equal(order!.value.total_minor, 2500);
    assert.equal(order!.value.currency, 'EUR');

    const sample = async (name: string, labels: Record<string, string>) => {
      const metric = await metrics.registry.getSingleMetric(name)!.get();
      const value = metric.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
      return value?.value ?? 0;
    };
    // A record is on its topic before the api's answer reaches the simulator, which counts then.
    const counts = async () => [
      await sample('hoot_simulator_pushes_received_total', { outcome: 'decrypted' }),
      await sample('hoot_simulator_pings_total', { type: 'delivery', outcome: 'accepted' }),
      await sample('hoot_simulator_pings_total', { type: 'click', outcome: 'accepted' }),
      await sample('hoot_simulator_orders_total', { outcome: 'accepted' }),
    ];
    let counted = await counts();
    for (let i = 0; i < 50 && counted.some((n) => n !== 1); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      counted = await counts();
    }
    assert.deepEqual(counted, [1, 1, 1, 1], 'decrypted, delivery, click and order each counted once');
  });

  it('refuses, 403, a push signed with another VAPID key than the one the browser subscribed with', async () => {
    const browser = browsers[1]!;
    const subscriberId = await subscriberIdOf(browser);
    const before = await api.endOffset(api.topics.ping);
    await assert.rejects(send(browser, payloadFor(subscriberId, randomUUID()), webpush.generateVAPIDKeys()), {
      statusCode: 403,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(await api.endOffset(api.topics.ping), before, 'no ping for a refused push');
  });

  it('answers 404 for an endpoint no browser has', async () => {
    const stranger = createSimulatedBrowser();
    await assert.rejects(send(stranger, { v: 1 }), { statusCode: 404 });
  });
});
