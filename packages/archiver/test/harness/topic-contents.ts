import { createHash } from 'node:crypto';
import { createAvroSerde, createBuiltinCatalog, topicSchemas, valueSubject } from '@hoot/events';
import type { Schema } from 'avsc';
import type { Kafka } from 'kafkajs';

/** What one record contributes to a checksum: where it is and the fields every topic has. */
export function rowDigest(row: {
  kafka_partition: unknown;
  kafka_offset: unknown;
  merchant: unknown;
  subscriber_id: unknown;
}): bigint {
  const text = [row.kafka_partition, row.kafka_offset, row.merchant, row.subscriber_id ?? '']
    .map(String)
    .join('|');
  return BigInt(`0x${createHash('sha256').update(text).digest('hex').slice(0, 12)}`);
}

/** Per partition: records, the offsets seen, and the sum of their digests. */
export interface PartitionSummary {
  count: number;
  firstOffset: number;
  lastOffset: number;
  checksum: bigint;
}

/** Summaries by partition number of rows carrying kafka_partition/kafka_offset. */
export function summarise(
  rows: Iterable<{
    kafka_partition: unknown;
    kafka_offset: unknown;
    merchant: unknown;
    subscriber_id: unknown;
  }>,
): Map<number, PartitionSummary> {
  const out = new Map<number, PartitionSummary>();
  for (const row of rows) {
    const partition = Number(row.kafka_partition);
    const offset = Number(row.kafka_offset);
    const s = out.get(partition) ?? { count: 0, firstOffset: offset, lastOffset: offset, checksum: 0n };
    s.count++;
    s.firstOffset = Math.min(s.firstOffset, offset);
    s.lastOffset = Math.max(s.lastOffset, offset);
    s.checksum += rowDigest(row);
    out.set(partition, s);
  }
  return out;
}

/**
 * Every committed record of a topic, decoded, read from the beginning to the end offsets at the
 * call (a throwaway consumer group, read_committed): the ground truth an archive is compared to.
 */
export async function readTopic(
  kafka: Kafka,
  topic: string,
): Promise<
  Array<{ kafka_partition: number; kafka_offset: number; merchant: unknown; subscriber_id: unknown }>
> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(
    ends.filter((e) => Number(e.high) > Number(e.low)).map((e) => [e.partition, Number(e.high)]),
  );
  const serde = createAvroSerde<Record<string, unknown>>({
    registry: createBuiltinCatalog(),
    subject: valueSubject(topic),
    schema: (topicSchemas as Record<string, Schema>)[topic] as Schema,
  });
  const rows: Array<{
    kafka_partition: number;
    kafka_offset: number;
    merchant: unknown;
    subscriber_id: unknown;
  }> = [];
  if (remaining.size === 0) return rows;
  const consumer = kafka.consumer({
    groupId: `truth-${topic}-${Date.now()}-${Math.random()}`,
    readUncommitted: false,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) {
            const value = await serde.decode(message.value);
            rows.push({
              kafka_partition: batch.partition,
              kafka_offset: Number(message.offset),
              merchant: value.merchant,
              subscriber_id: value.subscriber_id ?? null,
            });
          }
          const end = remaining.get(batch.partition);
          if (end !== undefined && Number(batch.lastOffset()) + 1 >= end) remaining.delete(batch.partition);
          if (remaining.size === 0) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return rows;
}
