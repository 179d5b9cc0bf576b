import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import {
  campaignStatus,
  createCampaign,
  createMerchant,
  insertSubscribers,
  waitFor,
} from './harness/database.ts';
import type { DispatcherProcess } from './harness/dispatcher-process.ts';
import { type DispatcherStack, startDispatcherStack } from './harness/dispatcher-stack.ts';
import { readDispatches, requestSend, type TestTopics } from './harness/kafka.ts';
import type { PushService } from './harness/push-service.ts';

/** What FCM answered for live subscriptions during its incident. */
const FCM_BODY = '{"error":{"code":404,"message":"valid push subscription endpoint should be specified"}}';

async function expiredIds(pool: pg.Pool, merchant: string): Promise<number[]> {
  const { rows } = await pool.query<{ id: string }>(
    'SELECT id FROM subscribers WHERE merchant_id = $1 AND expired_at IS NOT NULL ORDER BY id',
    [merchant],
  );
  return rows.map((r) => Number(r.id));
}

describe('dispatcher and a push service answering 404/410 for a whole host', () => {
  let stack: DispatcherStack;
  let vapid: DispatcherStack['vapid'];
  let push: PushService;
  let topics: TestTopics;
  let pool: pg.Pool;
  let dispatcher: DispatcherProcess;

  before(async () => {
    stack = await startDispatcherStack('disp-incident');
    ({ push, topics, pool, vapid } = stack);
    dispatcher = await stack.startDispatcher({
      SEND_BATCH_SIZE: '50',
      BATCHES_IN_FLIGHT: '2',
      RETRY_BASE_DELAY_MS: '50',
      // The local push service stands for WNS here: its headers and its 406.
      WNS_HOSTS: 'localhost',
      PUSH_INCIDENT_PAUSE_MS: '4000',
      PUSH_INCIDENT_WINDOW_MS: '5000',
    });
  });

  after(() => stack?.stop());

  it('expires a lone 410, retries a WNS 406 like a 429, and sends X-WNS-Cache-Policy with the TTL', async () => {
    const merchant = await createMerchant(pool);
    const subs = await push.subscribe(10, { applicationServerKey: vapid.publicKey });
    const subscriberOf = await insertSubscribers(pool, merchant, subs);
    await push.behave([subs[0]!.id], 410, { body: 'push subscription has unsubscribed or expired.' });
    await push.behave([subs[1]!.id], 406, {
      times: 1,
      retryAfter: '1',
      headers: { 'x-wns-error-description': 'Throttle limit exceeded' },
    });
    const campaignId = await createCampaign(pool, merchant, { ttlSeconds: 3600 });
    await requestSend(topics.requests, { merchant, campaign_id: campaignId });
    await waitFor('campaign sent', async () => (await campaignStatus(pool, campaignId)) === 'sent');

    assert.deepEqual(await expiredIds(pool, merchant), [subscriberOf.get(subs[0]!.id)]);
    const received = (await push.received()).filter((r) => subs.some((s) => s.id === r.endpoint));
    const throttled = received.filter((r) => r.endpoint === subs[1]!.id);
    assert.deepEqual(
      throttled.map((r) => r.status),
      [406, 201],
    );
    assert.ok(throttled[1]!.at - throttled[0]!.at >= 950, 'waited for Retry-After: 1');
    assert.ok((await dispatcher.metric('hoot_dispatcher_retries_total', { reason: 'throttled' })) >= 1);
    assert.ok(received.every((r) => r.wnsCachePolicy === 'cache' && r.ttl === '3600'));
    assert.equal(await dispatcher.metric('hoot_dispatcher_push_service_incidents_total'), 0);
    const events = (await readDispatches(topics.dispatch)).filter((e) => e.value.source_id === campaignId);
    assert.equal(events.length, 10);
    const gone = events.filter((e) => e.value.outcome === 'expired');
    assert.equal(gone.length, 1);
    assert.equal(gone[0]!.value.subscriber_id, subscriberOf.get(subs[0]!.id));
    assert.equal(gone[0]!.value.status_code, 410);
    assert.equal(gone[0]!.value.error, 'gone: 410 push subscription has unsubscribed or expired.');
    assert.equal(gone[0]!.value.sent_at, null);
    const retried = events.find((e) => e.value.subscriber_id === subscriberOf.get(subs[1]!.id));
    assert.equal(retried?.value.outcome, 'sent');
    assert.equal(retried?.value.attempts, 2);
  });

  it('keeps 200 subscribers all answered 404, pauses the host, and sends each once when it answers 201 again', async () => {
    const merchant = await createMerchant(pool);
    const subs = await push.subscribe(200, { applicationServerKey: vapid.publicKey, distinctKeys: 20 });
    await insertSubscribers(pool, merchant, subs);
    await push.behave('*', 404, { body: FCM_BODY, headers: { 'content-type': 'application/json' } });
    const campaignId = await createCampaign(pool, merchant, { title: 'Incident' });
    await requestSend(topics.requests, { merchant, campaign_id: campaignId });

    await waitFor(
      'an incident',
      async () => (await dispatcher.metric('hoot_dispatcher_push_service_incidents_total')) >= 1,
    );
    assert.equal(
      await dispatcher.metric('hoot_dispatcher_push_service_incidents_total', {
        push_service: 'localhost',
        status: '404',
      }),
      await dispatcher.metric('hoot_dispatcher_push_service_incidents_total'),
    );
    assert.equal(await dispatcher.metric('hoot_dispatcher_push_services_paused'), 1);
    const logged = dispatcher.logs.find((l) => String(l.msg).startsWith('push service incident: localhost'));
    assert.ok(logged, 'the incident is logged');
    assert.equal(logged.body, FCM_BODY);
    assert.equal((logged.headers as Record<string, string>)['content-type'], 'application/json');
    assert.deepEqual(await expiredIds(pool, merchant), [], 'nobody expired during the incident');
    assert.equal(await campaignStatus(pool, campaignId), 'sending');

    await push.behave('*', 201);
    await waitFor('campaign sent', async () => (await campaignStatus(pool, campaignId)) === 'sent', 90_000);
    assert.deepEqual(await expiredIds(pool, merchant), [], 'nobody expired after it');
    const accepted = (await push.received()).filter(
      (r) => r.status === 201 && subs.some((s) => s.id === r.endpoint),
    );
    assert.equal(accepted.length, 200, 'each subscriber was sent once');
    assert.equal(new Set(accepted.map((r) => r.endpoint)).size, 200);
    // Only final outcomes are events: a notification deferred, then sent, is one sent event.
    const events = (await readDispatches(topics.dispatch)).filter((e) => e.value.source_id === campaignId);
    assert.equal(new Set(events.map((e) => e.value.subscriber_id)).size, 200);
    assert.equal(events.length, 200);
    assert.ok(events.every((e) => e.value.outcome === 'sent' && e.value.status_code === 201));
    // Attempts count the requests answered 404 during the incident too.
    assert.ok(events.some((e) => e.value.attempts! >= 2));
    assert.equal(await dispatcher.metric('hoot_dispatcher_notifications_total', { outcome: 'expired' }), 1);
    assert.ok((await dispatcher.metric('hoot_dispatcher_retries_total', { reason: 'incident' })) >= 50);
    const { rows } = await pool.query<{ expired: number; sent: number }>(
      'SELECT sum(expired)::int AS expired, sum(sent)::int AS sent FROM dispatch_batches WHERE campaign_id = $1',
      [campaignId],
    );
    assert.deepEqual(rows[0], { expired: 0, sent: 200 });
  });
});

describe('dispatcher and a push-service incident that outlasts the batch', () => {
  let stack: DispatcherStack;
  let vapid: DispatcherStack['vapid'];
  let push: PushService;
  let topics: TestTopics;
  let pool: pg.Pool;
  let dispatcher: DispatcherProcess;

  before(async () => {
    stack = await startDispatcherStack('disp-incident-outlasted');
    ({ push, topics, pool, vapid } = stack);
    dispatcher = await stack.startDispatcher({
      SEND_BATCH_SIZE: '50',
      BATCHES_IN_FLIGHT: '2',
      PUSH_INCIDENT_MIN_ANSWERS: '20',
      PUSH_INCIDENT_PAUSE_MS: '1000',
      PUSH_INCIDENT_WINDOW_MS: '5000',
      PUSH_INCIDENT_MAX_DEFER_MS: '500',
    });
  });

  after(() => stack?.stop());

  it('gives up on the notifications, keeps the subscribers, and writes one failed event for each', async () => {
    const merchant = await createMerchant(pool);
    const subs = await push.subscribe(100, { applicationServerKey: vapid.publicKey, distinctKeys: 10 });
    await insertSubscribers(pool, merchant, subs);
    await push.behave('*', 404, { body: FCM_BODY, headers: { 'content-type': 'application/json' } });
    const campaignId = await createCampaign(pool, merchant, { title: 'Outlasted' });
    await requestSend(topics.requests, { merchant, campaign_id: campaignId });
    await waitFor('campaign sent', async () => (await campaignStatus(pool, campaignId)) === 'sent', 90_000);

    assert.deepEqual(await expiredIds(pool, merchant), [], 'nobody expired');
    assert.equal(
      await dispatcher.metric('hoot_dispatcher_notifications_total', { outcome: 'incident' }),
      100,
    );
    const events = (await readDispatches(topics.dispatch)).filter((e) => e.value.source_id === campaignId);
    assert.equal(events.length, 100);
    assert.equal(new Set(events.map((e) => e.value.subscriber_id)).size, 100);
    for (const { value } of events) {
      assert.equal(value.outcome, 'failed');
      assert.equal(value.status_code, 404);
      assert.equal(value.push_service, 'localhost');
      assert.equal(value.sent_at, null);
      assert.match(value.error ?? '', /^incident: localhost answered 404/);
      assert.ok(value.attempts! >= 1);
    }
  });
});

describe('dispatcher start with a VAPID subject Apple refuses', () => {
  const mainFile = new URL('../src/main.ts', import.meta.url).pathname;
  const start = (env: Record<string, string>) =>
    new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [mainFile], {
        env: { PATH: process.env.PATH ?? '', KAFKA_BROKERS: '127.0.0.1:1', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      let stdout = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
      child.on('exit', (code) => resolve({ code, stderr, stdout }));
    });

  it('exits 78 with one line naming the subject and the rule', async () => {
    for (const subject of [
      'mailto:ops@localhost',
      'mailto:ops@shop.local',
      'mailto:mailto:ops@shop.example',
    ]) {
      const { code, stderr, stdout } = await start({ VAPID_SUBJECT: subject });
      assert.equal(code, 78, subject);
      assert.equal(stdout, '');
      const lines = stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, stderr);
      assert.ok(
        lines[0]!.startsWith(`dispatcher: invalid configuration: VAPID_SUBJECT ${JSON.stringify(subject)}`),
      );
      assert.match(lines[0]!, /public domain name \(RFC 8292 section 2\.1; Apple answers 403 BadJwtToken/);
    }
  });

  it('exits 78 in production without a subject, and names the development default', async () => {
    const { code, stderr } = await start({ NODE_ENV: 'production' });
    assert.equal(code, 78);
    assert.match(stderr, /^dispatcher: invalid configuration: VAPID_SUBJECT must be set in production/);
    assert.match(stderr, /mailto:push@hoot\.invalid is refused by Apple/);
    assert.equal(stderr.trimEnd().split('\n').length, 1);
  });

  it('exits 78 in production with a subject but no VAPID key pair or ping token secrets, in one line', async () => {
    const { code, stderr, stdout } = await start({
      NODE_ENV: 'production',
      VAPID_SUBJECT: 'mailto:ops@shop.com',
    });
    assert.equal(code, 78, stderr);
    assert.equal(stdout, '', 'no key pair made, nothing logged');
    const lines = stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, stderr);
    assert.match(
      lines[0]!,
      /^dispatcher: invalid configuration: VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY must be set in production .*; PING_TOKEN_SECRETS must be set in production/,
    );
  });
});
