import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { createMissingTopics, waitUntilTopicsServed } from '../src/index.ts';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const client = (id: string) => new Kafka({ clientId: id, brokers, logLevel: logLevel.NOTHING });
const prefix = `it-topics-${randomUUID().slice(0, 8)}`;

/**
 * A loaded KRaft broker answers "does not host this topic-partition" and "not the leader" for
 * topics its controller has just created; kafkajs' waitForLeaders failed on the first when several
 * processors created their topics at once. createMissingTopics resolves only once every partition
 * is served, so a client that starts right after it finds them all.
 */
describe('createMissingTopics', () => {
  after(async () => {
    const admin = client('topics-it-cleanup').admin();
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
    await admin.disconnect();
  });

  it('leaves every partition served when several clients create topics at once', async () => {
    const creators = 6;
    const names = (c: number) => Array.from({ length: 4 }, (_, t) => `${prefix}-${c}-${t}`);
    const created = await Promise.all(
      Array.from({ length: creators }, async (_, c) => {
        const admin = client(`topics-it-${c}`).admin();
        await admin.connect();
        try {
          return await createMissingTopics(
            admin,
            names(c).map((topic) => ({
              topic,
              numPartitions: 6,
              configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
            })),
          );
        } finally {
          await admin.disconnect();
        }
      }),
    );
    assert.deepEqual(
      created,
      Array.from({ length: creators }, (_, c) => names(c)),
    );

    // A client that has never seen these topics writes to every partition at once, without retries.
    const all = created.flat();
    const producer = client('topics-it-writer').producer({
      retry: { retries: 0 },
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    try {
      await producer.sendBatch({
        acks: -1,
        topicMessages: all.map((topic) => ({
          topic,
          messages: Array.from({ length: 6 }, (_, partition) => ({ partition, key: 'k', value: 'v' })),
        })),
      });
    } finally {
      await producer.disconnect();
    }
    const admin = client('topics-it-check').admin();
    await admin.connect();
    try {
      for (const topic of all) {
        const offsets = await admin.fetchTopicOffsets(topic);
        assert.deepEqual(
          offsets.map((o) => [o.partition, o.high]).sort((a, b) => Number(a[0]) - Number(b[0])),
          Array.from({ length: 6 }, (_, p) => [p, '1']),
          topic,
        );
      }
      // Creating them again creates nothing and changes nothing.
      assert.deepEqual(await createMissingTopics(admin, [{ topic: all[0]!, numPartitions: 2 }]), []);
      assert.equal((await admin.fetchTopicMetadata({ topics: [all[0]!] })).topics[0]?.partitions.length, 6);
    } finally {
      await admin.disconnect();
    }
  });

  it('refuses a topic the broker refuses at once, with the broker’s reason', async () => {
    const admin = client('topics-it-bad').admin();
    await admin.connect();
    try {
      await assert.rejects(
        createMissingTopics(admin, [
          {
            topic: `${prefix}-bad`,
            numPartitions: 1,
            configEntries: [{ name: 'cleanup.policy', value: 'sometimes' }],
          },
        ]),
        (error: Error) =>
          /sometimes|invalid|cleanup\.policy/i.test(`${error.message} ${JSON.stringify(error)}`),
      );
    } finally {
      await admin.disconnect();
    }
  });

  it('gives up on a topic that never appears, naming it and the broker’s last answer', async () => {
    const admin = client('topics-it-missing').admin();
    await admin.connect();
    try {
      await assert.rejects(waitUntilTopicsServed(admin, [`${prefix}-never`], 500), (error: Error) => {
        assert.match(error.message, new RegExp(`topics ${prefix}-never not served after 500 ms: `));
        assert.match(error.message, /does not host this topic-partition/);
        return true;
      });
    } finally {
      await admin.disconnect();
    }
  });
});
