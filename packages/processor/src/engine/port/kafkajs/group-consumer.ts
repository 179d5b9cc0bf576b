import type { Batch, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { GroupConsumer, GroupConsumerOptions, InputBatch, InputRecord } from '../kafka-port.ts';
import { kafkajsAssigner } from './assigner.ts';
import { isBrokerAway } from './errors.ts';

/** Pause before rejoining the group after kafkajs gave up on a broker that was away. */
const REJOIN_DELAY_MS = 2_000;

/**
 * The engine's group consumer on kafkajs. kafkajs restarts itself after a retriable crash, but
 * gives up for good on some errors that only mean the broker is away (restarting, stopped, hung):
 * "Failed to find group coordinator" arrives non-retriable once its retries are spent. Those
 * rejoin the group after a pause, for as long as it takes; only other crashes reach `onCrash`.
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
    maxBytesPerPartition: 2 * 1024 * 1024,
    maxBytes: 16 * 1024 * 1024,
  });
  let running = false;
  let rejoinTimer: NodeJS.Timeout | undefined;

  return {
    async run(handlers) {
      const runOptions: Parameters<typeof consumer.run>[0] = {
        autoCommit: false,
        eachBatchAutoResolve: true,
        partitionsConsumedConcurrently: 1,
        eachBatch: async ({ batch, heartbeat, isStale }) => {
          await handlers.onBatch(toInputBatch(batch), { heartbeat, isStale });
        },
      };
      const rejoin = (error: Error) => {
        logger.warn(
          { err: error, groupId: options.groupId, inMs: REJOIN_DELAY_MS },
          'group consumer stopped while the broker was away; rejoining',
        );
        rejoinTimer = setTimeout(() => {
          if (!running) return;
          // kafkajs disconnected the crashed consumer: connect and run it again, same subscription.
          consumer
            .connect()
            .then(() => consumer.run(runOptions))
            .then(
              () => logger.info({ groupId: options.groupId }, 'group consumer rejoined'),
              (again: Error) => (running && isBrokerAway(again) ? rejoin(again) : handlers.onCrash(again)),
            );
        }, REJOIN_DELAY_MS);
      };
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
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (payload.restart) return;
        if (running && isBrokerAway(payload.error)) rejoin(payload.error);
        else handlers.onCrash(payload.error);
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
      clearTimeout(rejoinTimer);
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
