import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import {
  batchRows,
  campaignStatus,
  createCampaign,
  createMerchant,
  insertSubscribers,
  waitFor,
} from './harness/database.ts';
import { deliveriesPerBatch } from './harness/deliveries.ts';
import { type DispatcherStack, startDispatcherStack } from './harness/dispatcher-stack.ts';
import { readDispatches, requestSend, type TestTopics } from './harness/kafka.ts';
import type { PushService } from './harness/push-service.ts';

const SUBSCRIBERS = 2000;
const BATCH_SIZE = 50;
const BATCHES_IN_FLIGHT = 2;

describe('a dispatcher killed with SIGKILL mid-campaign', () => {
  let push: PushService;
  let topics: TestTopics;
  let pool: pg.Pool;
  let stack: DispatcherStack;

  before(async () => {
    stack = await startDispatcherStack('disp-kill', { partitions: 4 });
    ({ push, topics, pool } = stack);
  });

  after(() => stack?.stop());

  it('resumes on restart without sending any completed batch again; only batches in flight repeat', async () => {
    const merchant = await createMerchant(pool);
    const subs = await push.subscribe(SUBSCRIBERS, { distinctKeys: 50 });
    const subscriberOf = await insertSubscribers(pool, merchant, subs);
    const campaignId = await createCampaign(pool, merchant);
    // Slow answers make the campaign take a while: 50 sends, 10 at a time, 100 ms each.
    await push.delay(100);
    const env = {
      SEND_BATCH_SIZE: String(BATCH_SIZE),
      BATCHES_IN_FLIGHT: String(BATCHES_IN_FLIGHT),
      SENDS_IN_FLIGHT_PER_BATCH: '10',
      KAFKA_SESSION_TIMEOUT_MS: '8000',
      LOG_LEVEL: process.env.DISPATCHER_LOG_LEVEL ?? 'info',
    };
    const first = await stack.startDispatcher(env);
    await requestSend(topics.requests, { merchant, campaign_id: campaignId });
    await waitFor(
      'ten batches done',
      async () => (await batchRows(pool, campaignId)).filter((b) => b.status === 'done').length >= 10,
      60_000,
      20,
    );
    await first.kill9();
    const atKill = await batchRows(pool, campaignId);
    const doneAtKill = atKill.filter((b) => b.status === 'done');
    assert.ok(doneAtKill.length < atKill.length, 'killed before the campaign completed');
    const receivedAtKill = (await push.received()).length;

    const _second = await stack.startDispatcher(env);
    await waitFor('campaign sent', async () => (await campaignStatus(pool, campaignId)) === 'sent', 120_000);

    const batches = await batchRows(pool, campaignId);
    assert.equal(batches.length, SUBSCRIBERS / BATCH_SIZE);
    assert.ok(batches.every((b) => b.status === 'done'));
    const perBatch = deliveriesPerBatch(batches, subs, subscriberOf, await push.received());
    const doneIndexes = new Set(doneAtKill.map((b) => b.batch_index));
    for (const [index, d] of perBatch) {
      assert.ok(d.min >= 1, `every subscriber of batch ${index} got its notification`);
      if (doneIndexes.has(index))
        assert.equal(d.max, 1, `batch ${index}, completed before the kill, was sent once`);
    }
    const repeatedBatches = [...perBatch].filter(([, d]) => d.max > 1).map(([index]) => index);
    assert.ok(
      repeatedBatches.length <= BATCHES_IN_FLIGHT,
      `batches sent twice: ${repeatedBatches.join(', ')} (at most the ${BATCHES_IN_FLIGHT} in flight)`,
    );
    for (const b of batches) {
      if (doneIndexes.has(b.batch_index)) assert.equal(b.attempts, 1, `batch ${b.batch_index} started once`);
    }
    assert.ok((await push.received()).length > receivedAtKill, 'the restarted dispatcher sent the rest');

    // Repeated sends carry the same notification ids: the processor counts each notification once.
    const events = await readDispatches(topics.dispatch, 'sent');
    assert.equal(new Set(events.map((e) => e.value.notification_id)).size, SUBSCRIBERS);
  });
});
