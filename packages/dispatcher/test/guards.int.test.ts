import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import {
  batchRows,
  campaignStatus,
  createCampaign,
  createMerchant,
  insertSubscribers,
  requestOutcome,
  waitFor,
} from './harness/database.ts';
import type { DispatcherProcess } from './harness/dispatcher-process.ts';
import { type DispatcherStack, startDispatcherStack } from './harness/dispatcher-stack.ts';
import { requestSend, type TestTopics } from './harness/kafka.ts';
import type { PushService } from './harness/push-service.ts';

describe('dispatcher guards: SSRF and payload size', () => {
  let stack: DispatcherStack;
  let push: PushService;
  let topics: TestTopics;
  let pool: pg.Pool;
  let dispatcher: DispatcherProcess;
  let merchant: string;

  before(async () => {
    stack = await startDispatcherStack('disp-guards');
    ({ push, topics, pool } = stack);
    merchant = await createMerchant(pool);
    // The address guard is on (no PUSH_ALLOW_PRIVATE_ADDRESSES), and the allowlist even admits the
    // hosts below, so what refuses them is the agent's address check.
    dispatcher = await stack.startDispatcher({
      PUSH_ALLOW_PRIVATE_ADDRESSES: 'false',
      PUSH_HOST_ALLOWLIST: 'localhost,127.0.0.1,169.254.169.254,fcm.googleapis.com,[::1]',
      SEND_TIMEOUT_MS: '2000',
      SEND_MAX_ATTEMPTS: '2',
      RETRY_BASE_DELAY_MS: '50',
    });
  });

  after(() => stack?.stop());

  it('refuses endpoints on loopback, link-local metadata, IPv6 loopback, lookalike hosts and plain http', async () => {
    const [real] = await push.subscribe(1);
    const keys = { p256dh: real!.p256dh, auth: real!.auth };
    const port = push.pushPort;
    const endpoints = [
      `https://127.0.0.1:${port}/push/${real!.id}`,
      `https://localhost:${port}/push/${real!.id}`, // a name that resolves to loopback
      'https://169.254.169.254/latest/meta-data/',
      `https://[::1]:${port}/push/${real!.id}`,
      'https://fcm.googleapis.com.evil.example/fcm/send/abc',
      `http://localhost:${port}/push/${real!.id}`,
    ];
    await insertSubscribers(
      pool,
      merchant,
      endpoints.map((endpoint, i) => ({ id: i, endpoint, ...keys })),
    );
    const campaignId = await createCampaign(pool, merchant);
    await requestSend(topics.requests, { merchant, campaign_id: campaignId });
    await waitFor('campaign sent', async () => (await campaignStatus(pool, campaignId)) === 'sent', 60_000);

    assert.equal((await push.stats()).requests, 0, 'the push service was never reached');
    assert.equal(await dispatcher.metric('hoot_dispatcher_notifications_total', { outcome: 'refused' }), 6);
    assert.equal(await dispatcher.metric('hoot_dispatcher_notifications_total', { outcome: 'sent' }), 0);
    const refusals = dispatcher.logs.filter((l) => String(l.msg).startsWith('endpoint refused'));
    const details = refusals.map((l) => String(l.detail)).join('\n');
    assert.match(details, /127\.0\.0\.1 is private, loopback or link-local/);
    assert.match(details, /localhost resolves to 127\.0\.0\.1/);
    assert.match(details, /169\.254\.169\.254 is private, loopback or link-local/);
    assert.match(details, /fcm\.googleapis\.com\.evil\.example is not on the push-service allowlist/);
    assert.match(details, /is not https/);
    // Refused endpoints are not push-service verdicts: the subscribers are kept.
    const expired = await pool.query(
      'SELECT 1 FROM subscribers WHERE merchant_id = $1 AND expired_at IS NOT NULL',
      [merchant],
    );
    assert.equal(expired.rowCount, 0);
  });

  it('refuses a campaign whose payload would exceed 4 KB once encrypted, with a clear reason, sending nothing', async () => {
    const before = (await push.stats()).requests;
    const campaignId = await createCampaign(pool, merchant, { body: 'x'.repeat(4000) });
    const requestId = await requestSend(topics.requests, { merchant, campaign_id: campaignId });
    const row = await requestOutcome(pool, requestId);
    assert.equal(row.outcome, 'rejected');
    assert.match(
      row.detail,
      /push payload of campaign \d+ .* is \d+ bytes; push services accept at most 4096 bytes/,
    );
    assert.deepEqual(await batchRows(pool, campaignId), []);
    assert.equal(await dispatcher.metric('hoot_dispatcher_send_requests_total', { outcome: 'rejected' }), 1);
    assert.equal((await push.stats()).requests, before);
  });

  it('ignores a send request for a campaign still a draft: the api rolled its send back and answered 503', async () => {
    const before = (await push.stats()).requests;
    const [sub] = await push.subscribe(1);
    await insertSubscribers(pool, merchant, [sub!]);
    const campaignId = await createCampaign(pool, merchant, { status: 'draft' });
    const requestId = await requestSend(topics.requests, { merchant, campaign_id: campaignId });
    const row = await requestOutcome(pool, requestId);
    assert.equal(row.outcome, 'ignored');
    assert.match(row.detail, /draft/);
    assert.equal(await campaignStatus(pool, campaignId), 'draft');
    assert.deepEqual(await batchRows(pool, campaignId), []);
    assert.equal((await push.stats()).requests, before);
  });

  it('logs no development warning about private addresses while the guard is on', () => {
    assert.ok(!dispatcher.logs.some((l) => String(l.msg).includes('PUSH_ALLOW_PRIVATE_ADDRESSES')));
  });

  it('stops cleanly on SIGTERM, exit code 0, saying so in its JSON log', async () => {
    assert.equal(await dispatcher.stop(), 0);
    assert.ok(dispatcher.logs.some((l) => l.msg === 'shutting down' && l.signal === 'SIGTERM'));
    assert.ok(dispatcher.logs.some((l) => l.msg === 'stopped' && l.service === 'dispatcher'));
  });
});
