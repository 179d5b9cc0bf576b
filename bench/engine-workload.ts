// The engine benchmark's workload, shared by bench/engine-throughput.ts and bench/kafka-streams.ts
// so that both process byte-identical records: JSON events {id, group, ts} keyed by group, 18,500
// groups, event times over one day from 2026-11-01, one record in 20 repeating an earlier id.

import { createMissingTopics } from '@hoot/kafka';
import type { Kafka } from 'kafkajs';

const base = Date.UTC(2026, 10, 1);

/** Record `j` of the workload: its key (the group) and its JSON value. */
export function workloadRecord(j: number): { key: string; value: string } {
  const group = `shop-${j % 500}.example/campaign/${j % 37}`;
  // One record in 20 repeats an earlier id: the distinct step has work to do.
  const id = j % 20 === 0 && j > 0 ? `n-${j - 1}` : `n-${j}`;
  return { key: group, value: JSON.stringify({ id, group, ts: base + (j % 86_400) * 1000 }) };
}

/**
 * Creates `input` and `output` with `partitions` partitions each and writes `records` workload
 * records to `input` (idempotent producer, acks from all in-sync replicas). Returns the seconds
 * the writing took.
 */
export async function prefill(
  kafka: Kafka,
  options: { input: string; output: string; records: number; partitions: number },
): Promise<number> {
  const { input, output, records, partitions } = options;
  const admin = kafka.admin();
  await admin.connect();
  await createMissingTopics(admin, [
    { topic: input, numPartitions: partitions },
    { topic: output, numPartitions: partitions },
  ]);
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const start = performance.now();
  const batch = 20_000;
  for (let i = 0; i < records; i += batch) {
    const messages = [];
    for (let j = i; j < Math.min(records, i + batch); j++) messages.push(workloadRecord(j));
    await producer.send({ topic: input, acks: -1, messages });
  }
  await producer.disconnect();
  return (performance.now() - start) / 1000;
}
