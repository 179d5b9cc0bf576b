import { randomUUID } from 'node:crypto';
import { createMissingTopics } from '@hoot/kafka';
import { Kafka, logLevel, type Message } from 'kafkajs';

export const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
export const kafka = new Kafka({ clientId: 'processor-it', brokers, logLevel: logLevel.NOTHING });

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export async function createTopics(topics: Array<{ topic: string; partitions: number; compact?: boolean }>) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await createMissingTopics(
      admin,
      topics.map((t) => ({
        topic: t.topic,
        numPartitions: t.partitions,
        configEntries: t.compact ? [{ name: 'cleanup.policy', value: 'compact' }] : [],
      })),
    );
  } finally {
    await admin.disconnect();
  }
}

/** Deletes every topic whose name starts with one of the prefixes (a test's topics and internals). */
export async function deleteTopicsWithPrefix(...prefixes: string[]) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => prefixes.some((p) => t.startsWith(p)));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}

export async function produce(topic: string, messages: Message[]) {
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 5000) {
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 5000) });
    }
  } finally {
    await producer.disconnect();
  }
}

export interface ReadRecord {
  partition: number;
  offset: number;
  key: string | null;
  keyBytes: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** Every committed record of a topic, up to the end offsets at the time of the call. */
export async function readAll(topic: string, timeoutMs = 60_000): Promise<ReadRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
  await admin.disconnect();
  const positions = new Map([...ends.keys()].map((p) => [p, 0]));
  const done = () => [...ends].every(([p, end]) => (positions.get(p) ?? 0) >= end);
  const records: ReadRecord[] = [];
  if (done()) return records;
  const consumer = kafka.consumer({
    groupId: uniqueName('reader'),
    readUncommitted: false,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    const next = Number(payload.lastOffset) + 1;
    if (next > (positions.get(payload.partition) ?? 0)) positions.set(payload.partition, next);
    if (done()) finish();
  });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
      records.push({
        partition,
        offset: Number(message.offset),
        key: message.key?.toString() ?? null,
        keyBytes: message.key,
        value: message.value,
        headers,
      });
    },
  });
  const timer = setTimeout(finish, timeoutMs);
  await finished;
  clearTimeout(timer);
  await consumer.disconnect();
  if (!done())
    throw new Error(
      `reading ${topic} timed out at ${JSON.stringify([...positions])} of ${JSON.stringify([...ends])}`,
    );
  return records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

/** Records between a group's committed offsets and the end of each partition of a topic. */
export async function groupLag(groupId: string, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    let lag = 0;
    for (const end of ends) {
      const c = Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
      lag += Number(end.high) - Math.max(0, c);
    }
    return lag;
  } finally {
    await admin.disconnect();
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Produces `messages` in `chunks` equal parts with `pauseMs` between them: input that keeps flowing. */
export async function produceSpread(topic: string, messages: Message[], chunks: number, pauseMs: number) {
  const perChunk = Math.ceil(messages.length / chunks);
  for (let i = 0; i < chunks; i++) {
    await produce(topic, messages.slice(i * perChunk, (i + 1) * perChunk));
    await sleep(pauseMs);
  }
}
