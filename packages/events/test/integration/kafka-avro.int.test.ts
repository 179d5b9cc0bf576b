import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createMissingTopics, javaCompatiblePartitioner, partitionForKey } from '@hoot/kafka';
import avro from 'avsc';
import { Kafka, logLevel } from 'kafkajs';
import {
  BUILTIN_SCHEMA_IDS,
  campaignKey,
  createAvroSerde,
  createBuiltinCatalog,
  encodeFrame,
  FrameError,
  type Ping,
  pingSchema,
  seedPingSchema,
  valueSubject,
} from '../../src/index.ts';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

describe('Avro in the Confluent frame through a real broker', () => {
  const kafka = new Kafka({ clientId: 'events-it', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const topic = `it-pings-${randomUUID()}`;
  const partitions = 3;

  before(async () => {
    await admin.connect();
    await createMissingTopics(admin, [{ topic, numPartitions: partitions }]);
  });
  after(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
  });

  it('carries our pings to the partitions Java would pick, and seed-schema pings with defaults', async () => {
    const serde = createAvroSerde<Ping>({
      registry: createBuiltinCatalog(),
      subject: valueSubject(topic),
      schema: pingSchema,
    });
    const pings: Ping[] = [1, 2, 3, 4, 5, 6].map((n) => ({
      merchant: `shop-${n % 3}.myshopify.com`,
      source: 'campaign',
      source_id: 100 + n,
      subscriber_id: 1000 + n,
      delivered_time: n % 2 === 0 ? `2026-11-21 10:0${n}:00` : null,
      clicked_time: n % 2 === 1 ? `2026-11-21 11:0${n}:00` : null,
      notification_id: `n-${n}`,
      token: `t-${n}`,
      received_at: 1_795_000_000_000 + n,
      event_time: 1_795_000_000_000 + n,
    }));
    // Written by a producer of the system Hoot replaces: the seed's schema, no key.
    const seedPing = {
      merchant: 'legacy.myshopify.com',
      source: 'campaign',
      source_id: 7,
      subscriber_id: 77,
      delivered_time: '2021-03-04 05:06:07.891011',
      clicked_time: null,
    };
    const seedFrame = encodeFrame(
      BUILTIN_SCHEMA_IDS.seedPing,
      avro.Type.forSchema(seedPingSchema).toBuffer(seedPing),
    );

    const producer = kafka.producer({ createPartitioner: javaCompatiblePartitioner, idempotent: true });
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: [
        ...(await Promise.all(
          pings.map(async (p) => ({ key: campaignKey(p), value: await serde.encode(p) })),
        )),
        { key: null, value: seedFrame },
        { key: 'garbage', value: Buffer.from('{"not":"avro"}') },
      ],
    });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: `it-${randomUUID()}`, readUncommitted: false });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: Array<{ partition: number; key: string | null; value: Buffer | null }> = [];
    const expected = pings.length + 2;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`received ${received.length} of ${expected}`)), 30_000);
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            received.push({ partition, key: message.key?.toString() ?? null, value: message.value });
            if (received.length === expected) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();

    for (const p of pings) {
      const key = campaignKey(p);
      const got = received.find((r) => r.key === key);
      assert.ok(got, `ping ${key} arrived`);
      assert.equal(got.partition, partitionForKey(key, partitions), `${key} is on Java's partition`);
      assert.deepEqual({ ...(await serde.decode(got.value)) }, p);
    }

    const legacy = received.find((r) => r.key === null);
    assert.ok(legacy);
    assert.deepEqual(
      { ...(await serde.decode(legacy.value)) },
      { ...seedPing, notification_id: null, token: null, received_at: null, event_time: null },
    );

    const garbage = received.find((r) => r.key === 'garbage');
    assert.ok(garbage);
    await assert.rejects(
      serde.decode(garbage.value, { topic, partition: garbage.partition, offset: '0' }),
      (e: unknown) => e instanceof FrameError && e.code === 'BAD_MAGIC_BYTE' && e.context.topic === topic,
    );
  });
});
