import { type GroupMembership, keepInGroup } from '@hoot/kafka';
import type { Batch, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { GroupConsumer, GroupConsumerOptions, InputBatch, InputRecord } from '../kafka-port.ts';
import { kafkajsAssigner } from './assigner.ts';

/**
 * The engine's group consumer on kafkajs. It stays in its group through broker restarts, outages
 * and hangs (`keepInGroup`); only crashes that are not the broker being away reach `onCrash`.
 * A consumer away for long with input pending is the stall watchdog's to report.
 */
export function createKafkajsGroupConsumer(
  kafka: Kafka,
  options: GroupConsumerOptions,
  logger: Logger,
): GroupConsumer {
  const consumer = kafka.consumer({
    groupId: options.groupId,
    partitionAssigners: [kafkajsAssigner(options.assigner, options.userData)],
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    rebalanceTimeout: options.rebalanceTimeoutMs ?? 60_000,
    heartbeatInterval: options.heartbeatIntervalMs ?? 3_000,
    readUncommitted: false,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 250,
    // A fetch is decoded whole into objects that live until its last batch is processed: 4 MiB
    // (two partitions' 2 MiB) rather than 16 keeps fewer of them alive at once, at the same speed
    // in bench:engine. Smaller partition limits were slower: batches of a few thousand records
    // commit by time rather than by count, five times as many commits.
    maxBytesPerPartition: 2 * 1024 * 1024,
    maxBytes: 4 * 1024 * 1024,
  });
  let running = false;
  let membership: GroupMembership | undefined;

  return {
    async run(handlers) {
      const runOptions: Parameters<typeof consumer.run>[0] = {
        autoCommit: false,
        eachBatchAutoResolve: true,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
        eachBatch: async ({ batch, heartbeat, isStale }) => {
          await handlers.onBatch(toInputBatch(batch), { heartbeat, isStale });
        },
      };
      membership = keepInGroup(consumer, runOptions, {
        logger,
        groupId: options.groupId,
        onCrash: handlers.onCrash,
      });
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        const assignment = new Map<string, number[]>();
        for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
          assignment.set(topic, [...partitions]);
        }
        handlers.onAssignment(assignment);
      });
      // Batches of only control records or aborted data never reach eachBatch: this is how the
      // engine learns that its position moved past them.
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        if (payload.batchSize !== 0 || payload.firstOffset === null) return;
        handlers.onInvisibleRange(
          payload.topic,
          payload.partition,
          Number(payload.firstOffset),
          Number(payload.lastOffset) + 1,
        );
      });
      await consumer.connect();
      await consumer.subscribe({ topics: options.topics, fromBeginning: true });
      running = true;
      await consumer.run(runOptions);
    },
    seek(topic, partition, offset) {
      if (running) consumer.seek({ topic, partition, offset: String(offset) });
    },
    async stop() {
      running = false;
      membership?.stop();
      await consumer.disconnect();
    },
  };
}

export function toInputBatch(batch: Batch): InputBatch {
  return {
    topic: batch.topic,
    partition: batch.partition,
    highWatermark: Number(batch.highWatermark),
    records: batch.messages.map(toInputRecord),
    nextOffset: Number(batch.lastOffset()) + 1,
    // Set by kafkajs on every batch (the fetch request's offset), absent from its type declarations.
    fetchOffset: Number((batch as Batch & { fetchedOffset: string }).fetchedOffset),
  };
}

function toInputRecord(message: Batch['messages'][number]): InputRecord {
  const headers: Record<string, Buffer | undefined> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    headers[name] =
      first === undefined ? undefined : Buffer.isBuffer(first) ? first : Buffer.from(String(first));
  }
  return {
    offset: Number(message.offset),
    key: message.key,
    value: message.value,
    timestamp: Number(message.timestamp),
    headers,
  };
}
