import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import type { InputRecord } from '../../src/port/kafka-port.ts';
import { createKafkajsPartitionReader } from '../../src/port/kafkajs/partition-reader.ts';
import { createTopics, deleteTopicsWithPrefix, produce, sleep, uniqueName } from './harness/kafka.ts';
import { NetworkFaults } from './harness/network-faults.ts';

const IDLE_MS = 3_000;

/**
 * The reader that restores a task's state from its changelogs. A read that cannot finish (the
 * broker away, the reader out of its group, an end that never comes) must fail, never hang: a
 * hung restore keeps its task from opening forever with nothing reported.
 */
describe('the partition reader of restores', () => {
  const topic = uniqueName('it-reader');
  after(() => deleteTopicsWithPrefix(topic));

  it('fails a read that cannot finish, through a network cut and an end that never comes, and reads whole once the broker answers', async () => {
    await createTopics([{ topic, partitions: 2 }]);
    await produce(
      topic,
      Array.from({ length: 50 }, (_, i) => ({ partition: 0, key: `k${i}`, value: `v${i}` })),
    );
    const faults = new NetworkFaults();
    const kafka = faults.kafka('reader-it', { initialRetryTime: 100, retries: 2, maxRetryTime: 1_000 });
    const reader = createKafkajsPartitionReader(
      kafka,
      { groupId: `${topic}-restore`, topics: [topic], readIdleTimeoutMs: IDLE_MS },
      pino({ level: 'silent' }),
    );
    await reader.start();
    const readAll = async (toOffset = 50) => {
      const values: string[] = [];
      await reader.read({
        topic,
        partition: 0,
        fromOffset: 0,
        toOffset,
        onRecords: (records: InputRecord[]) => {
          for (const r of records) values.push(String(r.value));
        },
      });
      return values;
    };
    assert.equal((await readAll()).length, 50);

    // An end past the last record: no progress, so the read fails after IDLE_MS.
    await assert.rejects(readAll(51), /no progress reading/);

    // The network gone for 10 s: reads fail (their caller retries) instead of waiting.
    faults.cut(10_000);
    const failures: string[] = [];
    const until = performance.now() + 10_000;
    while (performance.now() < until) {
      await readAll().then(
        () => failures.push('read'),
        (error: Error) => failures.push(error.message),
      );
    }
    assert.ok(failures.length > 0 && failures.every((f) => f !== 'read'), failures.join(' | '));

    // Once the broker answers again, the reader (back in its group) reads everything.
    let values: string[] | undefined;
    for (let attempt = 0; attempt < 30 && values === undefined; attempt++) {
      values = await readAll().catch(() => undefined);
      if (values === undefined) await sleep(1_000);
    }
    assert.deepEqual(
      values,
      Array.from({ length: 50 }, (_, i) => `v${i}`),
    );
    await reader.stop();
  });
});
