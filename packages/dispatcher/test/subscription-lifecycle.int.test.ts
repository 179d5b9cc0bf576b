import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { createDispatchStore } from '../src/store/dispatch-store.ts';
import {
  campaignStatus,
  createCampaign,
  createMerchant,
  insertSubscribers,
  waitFor,
} from './harness/database.ts';
import { type DispatcherStack, startDispatcherStack } from './harness/dispatcher-stack.ts';
import { requestSend, type TestTopics } from './harness/kafka.ts';
import type { PushService, TestSubscription } from './harness/push-service.ts';

/**
 * The subscription lifecycle as the dispatcher sees it, against the local push service: a
 * browser's `expirationTime` (Push API) ends its sends, and a 404/410 for an endpoint its
 * subscriber has left (a renewed subscription) expires nothing.
 */
describe('dispatcher and the subscription lifecycle', () => {
  let stack: DispatcherStack;
  let vapid: DispatcherStack['vapid'];
  let push: PushService;
  let topics: TestTopics;
  let pool: pg.Pool;
  let merchant: string;
  let subs: TestSubscription[];
  let subscriberOf: Map<number, number>;

  before(async () => {
    stack = await startDispatcherStack('disp-lifecycle');
    ({ push, topics, pool, vapid } = stack);
    merchant = await createMerchant(pool);
    subs = await push.subscribe(4, { applicationServerKey: vapid.publicKey });
    subscriberOf = await insertSubscribers(pool, merchant, subs);
    const id = (i: number) => subscriberOf.get(subs[i]!.id)!;
    // 0: expired an hour ago; 1: expires tomorrow; 2: no expiration; 3: expires this second.
    await pool.query(`UPDATE subscribers SET expiration_time = now() - interval '1 hour' WHERE id = $1`, [
      id(0),
    ]);
    await pool.query(`UPDATE subscribers SET expiration_time = now() + interval '1 day' WHERE id = $1`, [
      id(1),
    ]);
    await pool.query(`UPDATE subscribers SET expiration_time = now() WHERE id = $1`, [id(3)]);
    await stack.startDispatcher({ SEND_BATCH_SIZE: '2' });
  });

  after(() => stack?.stop());

  it('sends nothing to a subscription past its expirationTime', async () => {
    const campaignId = await createCampaign(pool, merchant);
    await requestSend(topics.requests, { merchant, campaign_id: campaignId });
    await waitFor('campaign sent', async () => (await campaignStatus(pool, campaignId)) === 'sent', 60_000);
    const received = await push.received();
    const reached = new Set(received.map((r) => r.endpoint));
    assert.deepEqual(
      subs.map((s) => reached.has(s.id)),
      [false, true, true, false],
    );
    assert.equal(received.length, 2, 'once each');
  });

  it('a 404/410 for an endpoint its subscriber has left expires nothing', async () => {
    const store = createDispatchStore(pool);
    const subscriber = subscriberOf.get(subs[2]!.id)!;
    const oldEndpoint = subs[2]!.endpoint;
    await pool.query('UPDATE subscribers SET endpoint = $2 WHERE id = $1', [
      subscriber,
      `${oldEndpoint}-renewed`,
    ]);
    const campaignId = await createCampaign(pool, merchant);
    await pool.query(
      `INSERT INTO dispatch_batches (campaign_id, batch_index, first_subscriber_id, last_subscriber_id, subscriber_count)
       VALUES ($1, 0, $2, $2, 1)`,
      [campaignId, subscriber],
    );
    // The batch read the old endpoint before the renewal; its 410 arrives after it.
    await store.completeBatch(campaignId, 0, { sent: 0, expired: 1, failed: 0 }, [
      { id: subscriber, endpoint: oldEndpoint },
    ]);
    const kept = await pool.query('SELECT expired_at FROM subscribers WHERE id = $1', [subscriber]);
    assert.equal(kept.rows[0].expired_at, null, 'the renewed subscription stays sendable');
    // The same answer for the endpoint it still has expires it.
    await store.completeBatch(campaignId, 0, { sent: 0, expired: 1, failed: 0 }, [
      { id: subscriber, endpoint: `${oldEndpoint}-renewed` },
    ]);
    const gone = await pool.query('SELECT expired_at FROM subscribers WHERE id = $1', [subscriber]);
    assert.ok(gone.rows[0].expired_at instanceof Date);
  });
});
