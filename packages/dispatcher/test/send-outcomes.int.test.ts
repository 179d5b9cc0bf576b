import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { notificationIdFor } from '@hoot/dispatcher';
import { campaignKey, verifyPingToken } from '@hoot/events';
import { partitionForKey } from '@hoot/kafka';
import type pg from 'pg';
import webpush from 'web-push';
import {
  batchRows,
  campaignStatus,
  createCampaign,
  createMerchant,
  insertSubscribers,
  waitFor,
} from './harness/database.ts';
import type { DispatcherProcess } from './harness/dispatcher-process.ts';
import { type DispatcherStack, startDispatcherStack } from './harness/dispatcher-stack.ts';
import { type DispatchRecord, readDispatches, requestSend, type TestTopics } from './harness/kafka.ts';
import type { PushService, ReceivedPush, TestSubscription } from './harness/push-service.ts';

const SECRET = 'test-ping-secret-0123456789abcdef-0123456789';

describe('dispatcher sending a campaign to a local push service', () => {
  let stack: DispatcherStack;
  let vapid: DispatcherStack['vapid'];
  let push: PushService;
  let topics: TestTopics;
  let pool: pg.Pool;
  let dispatcher: DispatcherProcess;
  let merchant: string;
  let subs: TestSubscription[];
  /** Two subscriptions whose endpoints the endpoint policy refuses: not on the allowlist, not a URL. */
  let refused: TestSubscription[];
  let subscriberOf: Map<number, number>;
  let campaignId: number;
  let requestId: string;
  let requestedAt: number;

  const pushesTo = (received: ReceivedPush[], sub: TestSubscription) =>
    received.filter((r) => r.endpoint === sub.id);

  before(async () => {
    stack = await startDispatcherStack('disp-outcomes');
    ({ push, topics, pool, vapid } = stack);
    merchant = await createMerchant(pool);
    // 60 subscribers made with our VAPID key, one made with another key (a browser would refuse us).
    subs = await push.subscribe(60, { applicationServerKey: vapid.publicKey });
    const foreign = await push.subscribe(1, { applicationServerKey: webpush.generateVAPIDKeys().publicKey });
    subs.push(...foreign);
    const spare = await push.subscribe(2, { applicationServerKey: vapid.publicKey });
    refused = [
      { ...spare[0]!, id: -1, endpoint: 'https://push.evil.example/wpush/v2/capability-secret-0001' },
      { ...spare[1]!, id: -2, endpoint: 'not a url: capability-secret-0002' },
    ];
    subscriberOf = await insertSubscribers(pool, merchant, [...subs, ...refused]);
    await push.behave([subs[0]!.id], 410);
    await push.behave([subs[1]!.id], 404);
    await push.behave([subs[2]!.id], 413);
    await push.behave([subs[3]!.id], 429, { times: 1, retryAfter: '1' });
    await push.behave([subs[4]!.id], 500, { times: 2 });
    await push.behave([subs[5]!.id], 500);
    await push.behave([subs[6]!.id], 'hang');
    await push.behave([subs[7]!.id], 403);
    await push.behave([subs[8]!.id], 401);
    await push.behave([subs[9]!.id], 400);
    campaignId = await createCampaign(pool, merchant, { ttlSeconds: 3600, urgency: 'high' });
    dispatcher = await stack.startDispatcher({
      SEND_BATCH_SIZE: '10',
      BATCHES_IN_FLIGHT: '2',
      SEND_TIMEOUT_MS: '1000',
      SEND_MAX_ATTEMPTS: '3',
      RETRY_BASE_DELAY_MS: '50',
    });
    requestedAt = Date.now();
    requestId = await requestSend(topics.requests, { merchant, campaign_id: campaignId });
    // The same request again, as a redelivery would: it must not fan the campaign out twice.
    await requestSend(topics.requests, { merchant, campaign_id: campaignId, request_id: requestId });
    await waitFor('campaign sent', async () => (await campaignStatus(pool, campaignId)) === 'sent', 90_000);
  });

  after(() => stack?.stop());

  it('warns at start, in its JSON log, that the development flag lets pushes reach private addresses', () => {
    const warning = dispatcher.logs.find(
      (l) => l.level === 40 && String(l.msg).includes('PUSH_ALLOW_PRIVATE_ADDRESSES=true'),
    );
    assert.ok(warning, 'a warning names the flag');
    assert.match(String(warning.msg), /DEVELOPMENT ONLY/);
  });

  it('splits the audience into batches once, however often the request arrives, and completes them all', async () => {
    const batches = await batchRows(pool, campaignId);
    assert.equal(batches.length, 7);
    assert.ok(batches.every((b) => b.status === 'done' && b.attempts === 1));
    const requests = await pool.query('SELECT outcome FROM dispatch_requests WHERE request_id = $1', [
      requestId,
    ]);
    assert.deepEqual(requests.rows, [{ outcome: 'fanned_out' }]);
    assert.equal(await dispatcher.metric('hoot_dispatcher_send_requests_total', { outcome: 'duplicate' }), 1);
  });

  it('delivers a payload the subscriber can decrypt, with ids, a valid ping token and the push headers', async () => {
    const received = await push.received();
    const sub = subs[20]!;
    const [delivery, ...more] = pushesTo(received, sub);
    assert.equal(more.length, 0);
    assert.ok(delivery !== undefined && delivery.payload !== null);
    const subscriberId = subscriberOf.get(sub.id)!;
    const notificationId = notificationIdFor(
      { merchant, source: 'campaign', source_id: campaignId },
      subscriberId,
    );
    const payload = delivery.payload;
    assert.deepEqual(
      { ...payload, token: undefined },
      {
        v: 1,
        title: 'Winter sale',
        body: 'Everything 20 % off until Sunday',
        url: 'https://shop.example/sale',
        icon: 'https://shop.example/icon.png',
        notification_id: notificationId,
        merchant,
        source: 'campaign',
        source_id: campaignId,
        subscriber_id: subscriberId,
        token: undefined,
        ping_url: 'https://api.hoot.example/pings',
      },
    );
    const verified = verifyPingToken(String(payload.token), [SECRET]);
    assert.ok(verified.ok);
    assert.equal(verified.claims.notificationId, notificationId);
    assert.equal(verified.claims.subscriberId, subscriberId);
    // Expiry: the push TTL (1 h) plus the 72 h attribution window, from the time of sending.
    const expected = requestedAt / 1000 + 3600 + 72 * 3600;
    assert.ok(Math.abs(verified.claims.expiresAt - expected) < 120, `expiresAt ${verified.claims.expiresAt}`);
    assert.equal(delivery.ttl, '3600');
    assert.equal(delivery.urgency, 'high');
    assert.equal(delivery.topic, notificationId);
    assert.equal(delivery.vapidSubject, 'mailto:ops@example.com');
  });

  it('signs the VAPID JWT once for the push service, not once per send', async () => {
    assert.equal(await dispatcher.metric('hoot_dispatcher_vapid_signings_total'), 1);
    const stats = await push.stats();
    assert.equal(stats.vapidVerified, 1);
  });

  it('writes one dispatch event per accepted notification, keyed and partitioned by campaign', async () => {
    const events = (await readDispatches(topics.dispatch, 'sent')).filter(
      (e) => e.value.source_id === campaignId,
    );
    const key = campaignKey({ merchant, source: 'campaign', source_id: campaignId });
    // 50 accepted at once, plus the 429 and the twice-500 subscribers accepted on retry.
    assert.equal(events.length, 52);
    assert.equal(new Set(events.map((e) => e.value.notification_id)).size, 52);
    for (const event of events) {
      assert.equal(event.key, key);
      assert.equal(event.partition, partitionForKey(Buffer.from(key), 3));
      assert.equal(event.value.status_code, 201);
      assert.equal(event.value.push_service, 'localhost');
      assert.equal(event.value.merchant, merchant);
      assert.equal(event.value.source_id, campaignId);
      assert.equal(event.value.title, 'Winter sale');
      assert.equal(event.value.url, 'https://shop.example/sale');
      assert.ok(Math.abs(event.value.sent_at! - Date.now()) < 120_000);
      assert.equal(
        event.value.notification_id,
        notificationIdFor({ merchant, source: 'campaign', source_id: campaignId }, event.value.subscriber_id),
      );
    }
    const expectedSent = subs.slice(10, 60).map((s) => subscriberOf.get(s.id)!);
    expectedSent.push(subscriberOf.get(subs[3]!.id)!, subscriberOf.get(subs[4]!.id)!);
    assert.deepEqual(
      events.map((e) => e.value.subscriber_id).sort((a, b) => a - b),
      expectedSent.sort((a, b) => a - b),
    );
  });

  it('writes one dispatch event per notification with its final outcome, status, attempts and why', async () => {
    const events = (await readDispatches(topics.dispatch)).filter((e) => e.value.source_id === campaignId);
    const key = campaignKey({ merchant, source: 'campaign', source_id: campaignId });
    const bySubscriber = new Map<number, DispatchRecord['value']>();
    for (const event of events) {
      assert.ok(!bySubscriber.has(event.value.subscriber_id), `one event for ${event.value.subscriber_id}`);
      bySubscriber.set(event.value.subscriber_id, event.value);
      assert.equal(event.key, key);
      assert.equal(event.partition, partitionForKey(Buffer.from(key), 3));
    }
    assert.equal(events.length, subs.length + refused.length);
    const fate = (sub: TestSubscription) => {
      const event = bySubscriber.get(subscriberOf.get(sub.id)!);
      assert.ok(event, `an event for subscription ${sub.id}`);
      return event;
    };
    const expect = (
      sub: TestSubscription,
      outcome: string,
      status: number | null,
      attempts: number,
      error: RegExp | null,
    ) => {
      const event = fate(sub);
      const what = `subscription ${sub.id}: ${JSON.stringify(event)}`;
      assert.equal(event.outcome, outcome, what);
      assert.equal(event.status_code, status, what);
      assert.equal(event.attempts, attempts, what);
      if (error === null) assert.equal(event.error, null, what);
      else assert.match(event.error ?? '', error, what);
      assert.ok(event.error === null || event.error!.length <= 300);
    };
    expect(subs[0]!, 'expired', 410, 1, /^gone: 410/);
    expect(subs[1]!, 'expired', 404, 1, /^gone: 404/);
    expect(subs[2]!, 'failed', 413, 1, /^too_large: push service answered 413/);
    expect(subs[3]!, 'sent', 201, 2, null);
    expect(subs[4]!, 'sent', 201, 3, null);
    expect(subs[5]!, 'failed', 500, 3, /^failed: gave up after 3 attempts: push service answered 500/);
    expect(subs[6]!, 'failed', null, 3, /^failed: gave up after 3 attempts/);
    expect(subs[7]!, 'failed', 403, 1, /^config_error: push service answered 403/);
    expect(subs[8]!, 'failed', 401, 1, /^config_error: push service answered 401/);
    expect(subs[9]!, 'failed', 400, 1, /^config_error: push service answered 400/);
    for (const sub of subs.slice(10, 60)) expect(sub, 'sent', 201, 1, null);
    expect(subs[60]!, 'failed', 403, 1, /^config_error: push service answered 403/);
    expect(
      refused[0]!,
      'refused',
      null,
      0,
      /^refused: endpoint host push\.evil\.example is not on the push-service allowlist/,
    );
    expect(refused[1]!, 'refused', null, 0, /^refused: endpoint is not a URL/);

    const now = Date.now();
    for (const event of bySubscriber.values()) {
      const what = JSON.stringify(event);
      // The payload as sent and the push headers.
      assert.equal(event.title, 'Winter sale');
      assert.equal(event.description, 'Everything 20 % off until Sunday');
      assert.equal(event.url, 'https://shop.example/sale');
      assert.equal(event.icon, 'https://shop.example/icon.png');
      assert.equal(event.ttl_seconds, 3600);
      assert.equal(event.urgency, 'high');
      assert.equal(event.merchant, merchant);
      assert.equal(
        event.notification_id,
        notificationIdFor({ merchant, source: 'campaign', source_id: campaignId }, event.subscriber_id),
      );
      assert.equal(event.push_service, event.outcome === 'refused' ? null : 'localhost', what);
      assert.ok(event.decided_at !== null && event.decided_at !== undefined, what);
      assert.ok(event.decided_at >= requestedAt && event.decided_at <= now, what);
      if (event.outcome === 'sent') assert.equal(event.sent_at, event.decided_at, what);
      else assert.equal(event.sent_at, null, what);
    }
    // Never the endpoint (whose path is the subscription's capability) or the keys.
    const text = JSON.stringify(events.map((e) => e.value));
    for (const sub of [...subs, ...refused]) {
      for (const secret of [sub.endpoint, sub.p256dh, sub.auth]) assert.ok(!text.includes(secret), secret);
    }
    assert.ok(!text.includes('/push/'), 'no endpoint path');
    assert.ok(!text.includes('capability-secret'), 'no refused endpoint');
  });

  it('marks subscribers expired on 404 and 410, and keeps them on 400, 401, 403 and 413', async () => {
    const result = await pool.query<{ id: string; expired: boolean }>(
      'SELECT id, expired_at IS NOT NULL AS expired FROM subscribers WHERE merchant_id = $1',
      [merchant],
    );
    const expired = new Set(result.rows.filter((r) => r.expired).map((r) => Number(r.id)));
    assert.deepEqual(
      [...expired].sort(),
      [subscriberOf.get(subs[0]!.id), subscriberOf.get(subs[1]!.id)].sort(),
    );
  });

  it('retries 429 after Retry-After, 500 and timeouts with backoff up to the limit, and never retries 413 or 4xx', async () => {
    const received = await push.received();
    const throttled = pushesTo(received, subs[3]!);
    assert.deepEqual(
      throttled.map((r) => r.status),
      [429, 201],
    );
    assert.ok(throttled[1]!.at - throttled[0]!.at >= 950, 'waited for Retry-After: 1');
    assert.deepEqual(
      pushesTo(received, subs[4]!).map((r) => r.status),
      [500, 500, 201],
    );
    assert.deepEqual(
      pushesTo(received, subs[5]!).map((r) => r.status),
      [500, 500, 500],
    );
    assert.deepEqual(
      pushesTo(received, subs[6]!).map((r) => r.status),
      ['hang', 'hang', 'hang'],
    );
    for (const [index, status] of [
      [0, 410],
      [1, 404],
      [2, 413],
      [7, 403],
      [8, 401],
      [9, 400],
    ] as const) {
      assert.deepEqual(
        pushesTo(received, subs[index]!).map((r) => r.status),
        [status],
        `subscriber ${index}`,
      );
    }
    // The subscription made with another VAPID key: the push service refused the JWT's key.
    assert.equal(pushesTo(received, subs[60]!).length, 0);
    assert.equal((await push.stats()).vapidRejected, 1);
  });

  it('counts outcomes per push service, and 400/401/403 as configuration problems', async () => {
    const outcome = (o: string) => dispatcher.metric('hoot_dispatcher_notifications_total', { outcome: o });
    assert.equal(await outcome('sent'), 52);
    assert.equal(await outcome('expired'), 2);
    assert.equal(await outcome('too_large'), 1);
    assert.equal(await outcome('config_error'), 4);
    assert.equal(await outcome('failed'), 2);
    assert.equal(await outcome('refused'), 2);
    assert.equal(
      await dispatcher.metric('hoot_dispatcher_notifications_total', {
        outcome: 'sent',
        push_service: 'localhost',
      }),
      52,
    );
    assert.equal(await dispatcher.metric('hoot_dispatcher_config_problems_total'), 4);
    assert.equal(await dispatcher.metric('hoot_dispatcher_config_problems_total', { status: '403' }), 2);
    assert.ok((await dispatcher.metric('hoot_dispatcher_retries_total', { reason: 'throttled' })) >= 1);
    assert.ok((await dispatcher.metric('hoot_dispatcher_retries_total', { reason: 'network' })) >= 2);
    assert.ok((await dispatcher.metric('hoot_dispatcher_push_request_duration_seconds_count')) >= 60);
    // The backlog covers every campaign in the database, this one's batches no longer among them.
    const pending = await pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM dispatch_batches WHERE status = 'pending'",
    );
    assert.equal(await dispatcher.metric('hoot_dispatcher_backlog_batches'), pending.rows[0]!.n);
  });

  it('never sends to an expired subscriber again', async () => {
    const before = (await push.received()).length;
    const second = await createCampaign(pool, merchant, { title: 'Second' });
    await requestSend(topics.requests, { merchant, campaign_id: second });
    await waitFor(
      'second campaign sent',
      async () => (await campaignStatus(pool, second)) === 'sent',
      60_000,
    );
    const received = (await push.received()).slice(before);
    const contacted = new Set(received.map((r) => r.endpoint));
    assert.ok(!contacted.has(subs[0]!.id) && !contacted.has(subs[1]!.id));
    assert.ok(contacted.has(subs[2]!.id) && contacted.has(subs[7]!.id) && contacted.has(subs[59]!.id));
  });

  it('cancels a campaign: the batches not yet sent are skipped', async () => {
    await push.delay(400);
    const third = await createCampaign(pool, merchant, { title: 'Third' });
    await requestSend(topics.requests, { merchant, campaign_id: third });
    await waitFor('a first batch done', async () =>
      (await batchRows(pool, third)).some((b) => b.status === 'done'),
    );
    await requestSend(topics.requests, { merchant, campaign_id: third, action: 'cancel' });
    await waitFor('no batch pending', async () =>
      (await batchRows(pool, third)).every((b) => b.status !== 'pending'),
    );
    await push.delay(0);
    const batches = await batchRows(pool, third);
    const skipped = batches.filter((b) => b.status === 'skipped').length;
    assert.ok(skipped >= 3, `${skipped} of ${batches.length} batches skipped`);
    assert.equal(await campaignStatus(pool, third), 'canceled');
    const reached = (await push.received()).filter(
      (r) => r.payload !== null && r.payload.source_id === third,
    );
    assert.ok(reached.length < 59, `${reached.length} notifications of the canceled campaign sent`);
  });
});
