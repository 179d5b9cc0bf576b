import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { createKafkajsTransactionalProducer } from '../../src/port/kafkajs/transactional-producer.ts';
import {
  createTopics,
  deleteTopicsWithPrefix,
  produce,
  readAll,
  sleep,
  uniqueName,
} from './harness/kafka.ts';
import { END_TXN, NetworkFaults } from './harness/network-faults.ts';
import { TestApplication } from './harness/test-application.ts';
import { countingWorkload } from './harness/workload.ts';

describe('a transaction whose EndTxn never reaches the broker', () => {
  const topic = uniqueName('it-wedge');
  after(() => deleteTopicsWithPrefix(topic));

  it('fails that commit, then commits again once the broker answers, with the failed records never visible', async () => {
    await createTopics([{ topic, partitions: 1 }]);
    const faults = new NetworkFaults();
    const kafka = faults.kafka('wedge-it', { initialRetryTime: 100, retries: 10, maxRetryTime: 5_000 });
    const producer = createKafkajsTransactionalProducer(kafka, `${topic}-tx`, pino({ level: 'silent' }));
    await producer.connect();
    const records = (value: string) => [{ topic, key: Buffer.from('k'), value: Buffer.from(value) }];
    await producer.commitTransaction(records('before'), { groupId: `${topic}-g`, offsets: [] });

    // The commit's EndTxn finds the network gone for 8 s: the commit and its abort both fail,
    // which left kafkajs' producer in COMMITTING/ABORTING for good.
    faults.cutAtNext(END_TXN, 8_000);
    const outcomes: string[] = [];
    let committed: string | undefined;
    for (let attempt = 0; attempt < 30 && committed === undefined; attempt++) {
      const value = `during-${attempt}`;
      try {
        await producer.commitTransaction(records(value), { groupId: `${topic}-g`, offsets: [] });
        committed = value;
      } catch (error) {
        outcomes.push((error as Error).message);
        await sleep(1_000);
      }
    }
    await producer.disconnect();
    assert.ok(outcomes.length > 0, 'the commit during the cut failed');
    assert.ok(
      !outcomes.some((m) => /Cannot call "beginTransaction"/.test(m)),
      `no commit failed on a wedged producer state: ${outcomes.join(' | ')}`,
    );
    assert.ok(
      committed !== undefined,
      `a commit succeeded once the network was back: ${outcomes.join(' | ')}`,
    );
    const visible = (await readAll(topic)).map((r) => r.value?.toString());
    assert.deepEqual(visible, ['before', committed], 'read_committed sees the committed transactions only');
  });
});

describe('a processor whose transaction is cut at EndTxn', () => {
  const t = new TestApplication('it-wedge-task');
  after(() => t.cleanup());

  it('recovers by itself, without a restart, and its counts equal the ground truth', async () => {
    await createTopics([
      { topic: t.input, partitions: 3 },
      { topic: t.output, partitions: 3 },
    ]);
    const workload = countingWorkload({ seed: 7, events: 20_000, groups: 30, hours: 6, duplicateShare: 0.1 });
    const app = t.startCountingApp(t.newDir(), {
      CUT_NETWORK_AT_END_TXN: '4000:8000',
      SESSION_TIMEOUT_MS: '30000',
      LOG_LEVEL: 'info',
    });
    const chunks = 20;
    const perChunk = Math.ceil(workload.messages.length / chunks);
    for (let i = 0; i < chunks; i++) {
      await produce(t.input, workload.messages.slice(i * perChunk, (i + 1) * perChunk));
      await sleep(500);
    }
    const problems = await t.settle(workload.truth, 120_000);
    assert.ok(
      app.logs.some((l) => l.msg === 'network cut at EndTxn'),
      'the network was cut at an EndTxn',
    );
    assert.ok(
      app.logs.some((l) => l.msg === 'transaction failed; replacing the transactional producer'),
      'a producer was replaced',
    );
    assert.equal(app.child.exitCode, null, 'the processor never exited');
    assert.deepEqual(problems.slice(0, 20), [], `${problems.length} counts differ`);
  });
});
