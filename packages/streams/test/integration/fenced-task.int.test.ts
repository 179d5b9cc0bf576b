import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createTopics, groupLag, kafka, produce, sleep } from './harness/kafka.ts';
import { TestApplication } from './harness/test-application.ts';
import { countingWorkload } from './harness/workload.ts';

/**
 * A task fenced by another producer (a rebalance that moved it and back, a zombie) is closed and
 * its batch dropped; the consumer has moved past that batch. When no more input comes for its
 * partition, nothing else would ever open it again: the engine must reopen it by itself, from
 * the committed offsets, and count everything.
 */
describe('a task fenced while its partition gets no more input', () => {
  const t = new TestApplication('it-fenced');
  const { input, output } = t;
  after(() => t.cleanup());

  it('is opened again by the engine, reprocesses from its last commit, and counts exactly', async () => {
    await createTopics([
      { topic: input, partitions: 1 },
      { topic: output, partitions: 1 },
    ]);
    const workload = countingWorkload({ seed: 11, events: 2_000, groups: 10, hours: 2, duplicateShare: 0.1 });
    const half = workload.messages.length / 2;
    const app = t.startCountingApp(t.newDir(), { LOG_LEVEL: 'info' });
    await app.waitForLog((l) => l.msg === 'counting app started');
    await produce(input, workload.messages.slice(0, half));
    for (let i = 0; i < 120 && (await groupLag(t.id, input)) !== 0; i++) await sleep(500);

    // Another producer takes task 0's transactional id: the task's next commit is fenced.
    const fencer = kafka.producer({
      transactionalId: `${t.id}-${input}-0`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await fencer.connect();
    await (await fencer.transaction()).abort();
    await fencer.disconnect();
    // The rest of the input, and then none.
    await produce(input, workload.messages.slice(half));
    await app.waitForLog((l) => l.msg === 'task fenced by another instance; closing it', 60_000);

    assert.deepEqual(await t.settle(workload.truth, 60_000), []);
    assert.ok(
      app.logs.filter((l) => l.msg === 'task running').length >= 2,
      'the task was opened again after the fence',
    );
  });
});
