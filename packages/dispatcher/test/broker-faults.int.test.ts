// The dispatcher on a broker of the test's own, through the faults a broker goes through in
// production, in the middle of a campaign: restarts in quick succession, a 60 s outage and a
// hung (frozen) process. The campaign must complete without a restart of the dispatcher, every
// subscriber must get the notification, a batch completed before a fault is never sent again,
// and only batches in flight at a fault may repeat.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PrivateBroker } from '@hoot/workload';
import type { DispatcherProcess } from './harness/dispatcher-process.ts';
import type { DispatcherStack } from './harness/dispatcher-stack.ts';

const SUBSCRIBERS = 3000;
const BATCH_SIZE = 50;
const BATCHES_IN_FLIGHT = 2;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => (ms / 1000).toFixed(1);

const broker = new PrivateBroker();
// Loaded once KAFKA_BROKERS names the private broker: the harness reads it at module load.
let db: typeof import('./harness/database.ts');
let kafkaHarness: typeof import('./harness/kafka.ts');
let deliveries: typeof import('./harness/deliveries.ts');
let startStack: typeof import('./harness/dispatcher-stack.ts').startDispatcherStack;

/** What the dispatcher's /readyz says. */
async function readiness(dispatcher: DispatcherProcess): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${dispatcher.httpPort}/readyz`);
  return `${response.status} ${await response.text()}`;
}

describe('the dispatcher on a broker that fails', () => {
  let stack: DispatcherStack;
  before(async () => {
    await broker.start();
    process.env.KAFKA_BROKERS = broker.brokers;
    db = await import('./harness/database.ts');
    kafkaHarness = await import('./harness/kafka.ts');
    deliveries = await import('./harness/deliveries.ts');
    ({ startDispatcherStack: startStack } = await import('./harness/dispatcher-stack.ts'));
    stack = await startStack('disp-broker', { partitions: 4 });
  });
  after(async () => {
    await broker.thaw();
    await stack?.stop().catch(() => {});
    await broker.destroy();
  });

  it('completes a campaign through three broker restarts, a 60 s stop and a 20 s freeze, sending no completed batch again', async () => {
    const { pool, push, topics } = stack;
    const merchant = await db.createMerchant(pool);
    const subs = await push.subscribe(SUBSCRIBERS, { distinctKeys: 50 });
    const subscriberOf = await db.insertSubscribers(pool, merchant, subs);
    const campaignId = await db.createCampaign(pool, merchant);
    // 60 batches of 50 sends, 10 at a time and 100 ms each: about 15 s of sending without faults.
    await push.delay(100);
    const dispatcher = await stack.startDispatcher({
      SEND_BATCH_SIZE: String(BATCH_SIZE),
      BATCHES_IN_FLIGHT: String(BATCHES_IN_FLIGHT),
      SENDS_IN_FLIGHT_PER_BATCH: '10',
      KAFKA_SESSION_TIMEOUT_MS: '10000',
    });
    const started = performance.now();
    await kafkaHarness.requestSend(topics.requests, { merchant, campaign_id: campaignId });
    const doneIndexes = async () =>
      new Set(
        (await db.batchRows(pool, campaignId)).filter((b) => b.status === 'done').map((b) => b.batch_index),
      );
    await db.waitFor('five batches done', async () => (await doneIndexes()).size >= 5, 60_000, 50);

    // Each fault: the batches done when it began (epoch ms) must never be sent again.
    const faults: Array<{ fault: string; at: number; done: Set<number> }> = [];
    for (let i = 1; i <= 3; i++) {
      faults.push({ fault: `restart ${i}`, at: Date.now(), done: await doneIndexes() });
      await broker.restart();
      await sleep(1_000 + Math.random() * 2_000);
    }
    faults.push({ fault: 'stop', at: Date.now(), done: await doneIndexes() });
    await broker.stop();
    await sleep(60_000);
    const whileStopped = await readiness(dispatcher);
    await broker.start();
    await sleep(2_000);
    faults.push({ fault: 'freeze', at: Date.now(), done: await doneIndexes() });
    await broker.freeze();
    await sleep(20_000);
    const whileFrozen = await readiness(dispatcher);
    await broker.thaw();
    const backAt = performance.now();
    const lastDone = faults.at(-1)!.done.size;

    await db
      .waitFor(
        'campaign sent',
        async () => (await db.campaignStatus(pool, campaignId)) === 'sent',
        240_000,
        100,
      )
      .catch(async (error: Error) => {
        const batches = await db.batchRows(pool, campaignId);
        throw new Error(
          `${error.message}: ${batches.filter((b) => b.status === 'done').length} of ${batches.length} batches done; /readyz ${await readiness(dispatcher)}; logs: ${dispatcher.logs
            .filter((l) => Number(l.level) >= 40)
            .slice(-15)
            .map((l) => JSON.stringify(l))
            .join('\n')}`,
        );
      });
    const sentAt = performance.now();
    console.log(
      `# ${lastDone} of ${SUBSCRIBERS / BATCH_SIZE} batches done when the broker froze; campaign sent ${seconds(sentAt - backAt)} s after it resumed (${seconds(sentAt - started)} s in all); /readyz while stopped: ${whileStopped}; while frozen: ${whileFrozen}`,
    );

    assert.equal(dispatcher.process.exitCode, null, 'the dispatcher ran throughout, never restarted');
    assert.match(await readiness(dispatcher), /^200 /);
    const batches = await db.batchRows(pool, campaignId);
    assert.equal(batches.length, SUBSCRIBERS / BATCH_SIZE);
    assert.ok(batches.every((b) => b.status === 'done'));
    const received = await push.received();
    const perBatch = deliveries.deliveriesPerBatch(batches, subs, subscriberOf, received);
    for (const [index, d] of perBatch)
      assert.ok(d.min >= 1, `every subscriber of batch ${index} got the notification`);
    for (const { fault, at, done } of faults) {
      const since = deliveries.deliveriesPerBatch(
        batches,
        subs,
        subscriberOf,
        received.filter((r) => r.at >= at),
      );
      for (const index of done) {
        assert.equal(
          since.get(index)!.max,
          0,
          `batch ${index}, done when ${fault} began, was not sent again`,
        );
      }
    }
    const repeated = [...perBatch].filter(([, d]) => d.max > 1).map(([index]) => index);
    console.log(`# batches sent more than once: ${repeated.length} (${repeated.join(', ')})`);
    assert.ok(
      repeated.length <= BATCHES_IN_FLIGHT * faults.length,
      `batches sent again: ${repeated.join(', ')}; at most the ${BATCHES_IN_FLIGHT} in flight at each of the ${faults.length} faults`,
    );
    // Every accepted notification is on the dispatch topic (copies carry the same id).
    const events = await kafkaHarness.readDispatches(topics.dispatch, 'sent');
    assert.equal(new Set(events.map((e) => e.value.notification_id)).size, SUBSCRIBERS);
    const warnings = new Map<string, number>();
    for (const l of dispatcher.logs)
      if (Number(l.level) >= 40) warnings.set(String(l.msg), (warnings.get(String(l.msg)) ?? 0) + 1);
    console.log(`# warnings logged: ${[...warnings].map(([m, n]) => `${n}x ${m}`).join('; ')}`);
  });
});
