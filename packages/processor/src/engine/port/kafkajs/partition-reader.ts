import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { PartitionReader, ReadRequest } from '../kafka-port.ts';
import { toInputBatch } from './group-consumer.ts';

interface ActiveRead {
  request: ReadRequest;
  /** Next offset expected; records below it are stale deliveries and skipped. */
  position: number;
  resolve(): void;
  reject(error: unknown): void;
  working: Promise<void>;
}

/**
 * kafkajs has no assign(): reading a chosen partition from a chosen offset uses a consumer of its
 * own, alone in a group of its own so that it is given every partition of the topics it reads.
 * Everything starts paused; a read seeks one partition, resumes it, and pauses it again once the
 * position reaches the requested end (control records included).
 */
export function createKafkajsPartitionReader(
  kafka: Kafka,
  options: { groupId: string; topics: string[] },
  logger: Logger,
): PartitionReader {
  const consumer = kafka.consumer({
    groupId: options.groupId,
    readUncommitted: false,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 100,
    maxBytesPerPartition: 8 * 1024 * 1024,
    maxBytes: 32 * 1024 * 1024,
    sessionTimeout: 30_000,
  });
  const active = new Map<string, ActiveRead>();
  const key = (topic: string, partition: number) => `${topic}:${partition}`;
  let assigned: Promise<void> = Promise.resolve();

  function advance(read: ActiveRead, topic: string, partition: number, nextOffset: number) {
    if (nextOffset > read.position) read.position = nextOffset;
    if (read.position >= read.request.toOffset) {
      consumer.pause([{ topic, partitions: [partition] }]);
      active.delete(key(topic, partition));
      read.resolve();
    }
  }

  return {
    async start() {
      if (options.topics.length === 0) return;
      let joined!: () => void;
      assigned = new Promise((resolve) => {
        joined = resolve;
      });
      consumer.on(consumer.events.GROUP_JOIN, () => joined());
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        const read = active.get(key(payload.topic, payload.partition));
        if (read === undefined || payload.batchSize !== 0 || payload.firstOffset === null) return;
        // A batch that starts at or before the position and held nothing visible (control
        // records, aborted data) proves the offsets up to its end hold no data: the log is
        // immutable, so this holds even for a batch fetched before a seek.
        if (Number(payload.firstOffset) > read.position) return;
        read.working.then(() =>
          advance(read, payload.topic, payload.partition, Number(payload.lastOffset) + 1),
        );
      });
      await consumer.connect();
      await consumer.subscribe({ topics: options.topics, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: true,
        eachBatch: async ({ batch, isStale }) => {
          const read = active.get(key(batch.topic, batch.partition));
          if (read === undefined) {
            // kafkajs un-pauses a topic's other partitions when one is paused: pause this one again.
            consumer.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
            return;
          }
          if (isStale()) return;
          const input = toInputBatch(batch);
          const records = input.records.filter(
            (r) => r.offset >= read.position && r.offset < read.request.toOffset,
          );
          const next = Math.min(Number(batch.lastOffset()) + 1, read.request.toOffset);
          read.working = (async () => {
            if (records.length > 0) await read.request.onRecords(records, next);
          })();
          try {
            await read.working;
          } catch (error) {
            active.delete(key(batch.topic, batch.partition));
            consumer.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
            read.reject(error);
            return;
          }
          advance(read, batch.topic, batch.partition, next);
        },
      });
      consumer.pause(options.topics.map((topic) => ({ topic })));
    },

    async read(request) {
      if (request.fromOffset >= request.toOffset) return;
      await assigned;
      const id = key(request.topic, request.partition);
      if (active.has(id)) throw new Error(`partition ${id} is already being read`);
      await new Promise<void>((resolve, reject) => {
        active.set(id, {
          request,
          position: request.fromOffset,
          resolve,
          reject,
          working: Promise.resolve(),
        });
        consumer.seek({
          topic: request.topic,
          partition: request.partition,
          offset: String(request.fromOffset),
        });
        consumer.resume([{ topic: request.topic, partitions: [request.partition] }]);
        logger.debug(
          {
            topic: request.topic,
            partition: request.partition,
            from: request.fromOffset,
            to: request.toOffset,
          },
          'reading partition',
        );
      });
    },

    async stop() {
      for (const read of active.values()) read.reject(new Error('partition reader stopped'));
      active.clear();
      await consumer.disconnect();
    },
  };
}
