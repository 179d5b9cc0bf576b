import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  createAvroSerde,
  createBuiltinCatalog,
  type Dispatch,
  dispatchSchema,
  encodeFrame,
} from '@hoot/events';
import { createMissingTopics } from '@hoot/kafka';
import { createLogger } from '@hoot/runtime';
import { Kafka, logLevel } from 'kafkajs';
import { createArchiverMetrics } from '../src/metrics.ts';
import { openArchiveDatabase } from '../src/query/archive-database.ts';
import { createLocalStore } from '../src/storage/local-store.ts';
import { archiverDeadLetterTopic, startArchiver } from '../src/writer/archiver.ts';
import { uniqueGroup, waitFor } from './harness/archive-test.ts';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

describe('records the archiver cannot decode', () => {
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const topic = uniqueGroup('archive-dlq-dispatch');
  const group = uniqueGroup('archive-dlq');
  const dir = mkdtempSync(join(tmpdir(), 'hoot-archive-dlq-'));

  after(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic, archiverDeadLetterTopic(group)] }).catch(() => undefined);
    await admin.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('go to the dead-letter topic with the reason; the rest is archived', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await createMissingTopics(admin, [{ topic, numPartitions: 1 }]);
    await admin.disconnect();
    const serde = createAvroSerde<Dispatch>({
      registry: createBuiltinCatalog(),
      subject: `${topic}-value`,
      schema: dispatchSchema,
    });
    const good = (subscriber: number): Dispatch => ({
      title: 'Sale',
      description: null,
      source: 'campaign',
      source_id: 1,
      merchant: 'm-dlq',
      subscriber_id: subscriber,
      notification_id: `n${subscriber}`,
      sent_at: Date.now(),
      status_code: 201,
      push_service: 'fcm.googleapis.com',
      url: null,
    });
    const garbage = [
      Buffer.from('{"title":"json, not avro"}'), // no Confluent frame
      encodeFrame(999_999, Buffer.from([1, 2, 3])), // unknown schema id
      encodeFrame(11, Buffer.from([0xff, 0xff, 0xff])), // a body that does not decode
    ];
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        // Garbage first (nothing held yet: committed past at once), then between good records.
        { key: 'a', value: garbage[0] as Buffer },
        { key: 'b', value: await serde.encode(good(1)) },
        { key: 'c', value: garbage[1] as Buffer },
        { key: 'd', value: await serde.encode(good(2)) },
        { key: 'e', value: garbage[2] as Buffer },
        { key: 'f', value: await serde.encode(good(3)) },
      ],
    });
    await producer.disconnect();

    const store = createLocalStore(dir);
    const metrics = createArchiverMetrics();
    const archiver = await startArchiver({
      kafka,
      store,
      topics: [topic],
      schemas: { [topic]: dispatchSchema },
      groupId: group,
      limits: { maxRecords: 1000, maxBytes: 1 << 20 },
      openFileWriteMs: 200,
      registry: createBuiltinCatalog(),
      metrics,
      logger: createLogger({ service: 'archiver-test', level: 'fatal' }),
      sessionTimeoutMs: 10_000,
      onCrash: (error) => assert.fail(error),
    });
    try {
      await waitFor(
        'three dead letters',
        async () => (await metrics.deadLetters.get()).values.reduce((n, v) => n + v.value, 0) === 3,
        30_000,
      );
    } finally {
      await archiver.stop();
    }

    const letters: Array<{ value: Buffer | null; headers: Record<string, string> }> = [];
    const consumer = kafka.consumer({ groupId: uniqueGroup('dlq-reader') });
    await consumer.connect();
    await consumer.subscribe({ topic: archiverDeadLetterTopic(group), fromBeginning: true });
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          const headers = Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
          );
          letters.push({ value: message.value, headers });
          if (letters.length === 3) resolve();
        },
      });
    });
    await consumer.disconnect();
    assert.deepEqual(
      letters.map((l) => [
        l.headers['hoot.source.topic'],
        l.headers['hoot.source.offset'],
        l.headers['hoot.error.code'],
      ]),
      [
        [topic, '0', 'BAD_MAGIC_BYTE'],
        [topic, '2', 'UNKNOWN_SCHEMA_ID'],
        [topic, '4', 'BAD_AVRO_BODY'],
      ],
    );
    assert.deepEqual(
      letters.map((l) => l.value),
      garbage,
      'the original bytes, untouched',
    );
    for (const letter of letters) assert.ok((letter.headers['hoot.error.reason'] ?? '').length > 0);

    // The archive holds the three good records (read with the store's own listing of this topic).
    const database = await openArchiveDatabase(store);
    try {
      const { rows } = await database.query(
        `SELECT subscriber_id, kafka_offset FROM read_parquet('${dir}/topic=${topic}/*/*/*.parquet') ORDER BY kafka_offset`,
      );
      assert.deepEqual(
        rows.map((r) => [Number(r.subscriber_id), Number(r.kafka_offset)]),
        [
          [1, 1],
          [2, 3],
          [3, 5],
        ],
      );
    } finally {
      database.close();
    }
    await store.close();
  });
});
