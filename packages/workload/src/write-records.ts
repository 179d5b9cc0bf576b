import {
  type AvroSerde,
  createAvroSerde,
  dispatchSchema,
  orderSchema,
  pingSchema,
  type SchemaRegistry,
  seedDispatchSchema,
  seedPingSchema,
  Topics,
  valueSubject,
} from '@hoot/events';
import type { Message, Producer } from 'kafkajs';
import type { RecordFormat, WorkloadRecord } from './records.ts';

export interface WorkloadTopics {
  ping: string;
  dispatch: string;
  orders: string;
}

export const defaultWorkloadTopics: WorkloadTopics = {
  ping: Topics.ping,
  dispatch: Topics.dispatch,
  orders: Topics.orders,
};

const schemas = {
  ping: pingSchema,
  'seed-ping': seedPingSchema,
  dispatch: dispatchSchema,
  'seed-dispatch': seedDispatchSchema,
  order: orderSchema,
} as const;

const CHUNK = 2000;

/**
 * Writes workload records as their producers would: Avro in the Confluent frame with each
 * record's own schema (the seed's for seed-era records), keyed or not, with its Kafka timestamp.
 * Returns the number of records written.
 */
export async function writeRecords(
  producer: Producer,
  registry: SchemaRegistry,
  batches: Iterable<WorkloadRecord[]>,
  topics: WorkloadTopics = defaultWorkloadTopics,
): Promise<number> {
  const serdes = new Map<string, AvroSerde<unknown>>();
  const serde = (format: RecordFormat, topic: string) => {
    const id = `${format}@${topic}`;
    let found = serdes.get(id);
    if (found === undefined) {
      found = createAvroSerde<unknown>({ registry, subject: valueSubject(topic), schema: schemas[format] });
      serdes.set(id, found);
    }
    return found;
  };
  let written = 0;
  let pending = new Map<string, Message[]>();
  let size = 0;
  const flush = async () => {
    if (size === 0) return;
    const topicMessages = [...pending].map(([topic, messages]) => ({ topic, messages }));
    pending = new Map();
    size = 0;
    await producer.sendBatch({ acks: -1, topicMessages });
  };
  for (const batch of batches) {
    for (const record of batch) {
      const topic = topics[record.topic];
      const value = await serde(record.format, topic).encode(record.value);
      const messages = pending.get(topic) ?? [];
      messages.push({ key: record.key, value, timestamp: String(record.timestamp) });
      pending.set(topic, messages);
      written++;
      if (++size >= CHUNK) await flush();
    }
  }
  await flush();
  return written;
}
