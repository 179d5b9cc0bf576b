import { type GroupMembership, keepInGroup } from '@hoot/kafka';
import type { ConsumerRunConfig, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { PartitionReader, ReadRequest } from '../kafka-port.ts';
import { toInputBatch } from './group-consumer.ts';

/** A read that gets no record and no step forward for this long fails (its caller retries), in ms. */
const DEFAULT_READ_IDLE_TIMEOUT_MS = 30_000;

interface ActiveRead {
  request: ReadRequest;
  /** Fails the read when it makes no progress for READ_IDLE_TIMEOUT_MS. */
  idle: NodeJS.Timeout | undefined;
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
 *
 * No read waits forever: one that makes no progress for `readIdleTimeoutMs` (default 30 s) fails,
 * and so does every read in progress when the consumer crashes or is given its partitions again
 * (its positions are then lost); the caller (a task opening) retries. The consumer rejoins its group
 * after the broker was away (`keepInGroup`); after any other crash every read fails at once.
 */
export function createKafkajsPartitionReader(
  kafka: Kafka,
  options: { groupId: string; topics: string[]; readIdleTimeoutMs?: number },
  logger: Logger,
): PartitionReader {
  const READ_IDLE_TIMEOUT_MS = options.readIdleTimeoutMs ?? DEFAULT_READ_IDLE_TIMEOUT_MS;
  const consumer = kafka.consumer({
    groupId: options.groupId,
    readUncommitted: false,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 100,
    // Decoded, a fetch takes several times its size in memory: bounded so that a restore does
    // not dominate the process' footprint. bench:engine's restore phase with 4 MiB page caches:
    // 643,547 / 682,248 / 671,466 records/s with 4 MiB fetches, 634,002 / 617,896 with 8 MiB.
    maxBytesPerPartition: 2 * 1024 * 1024,
    maxBytes: 4 * 1024 * 1024,
    sessionTimeout: 30_000,
  });
  const active = new Map<string, ActiveRead>();
  const key = (topic: string, partition: number) => `${topic}:${partition}`;
  /** Resolves once the consumer is in its group with every partition paused; replaced when it leaves. */
  let assigned: Promise<void> = Promise.resolve();
  let onJoin: () => void = () => {};
  const awaitJoin = () => {
    assigned = new Promise((resolve) => {
      onJoin = resolve;
    });
  };
  let failed: Error | undefined;
  let membership: GroupMembership | undefined;

  /** Waits until the consumer is in its group, at most READ_IDLE_TIMEOUT_MS. */
  async function joined(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`partition reader not in its group for ${READ_IDLE_TIMEOUT_MS} ms`)),
        READ_IDLE_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([assigned, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  function finish(read: ActiveRead, topic: string, partition: number) {
    clearTimeout(read.idle);
    active.delete(key(topic, partition));
    try {
      consumer.pause([{ topic, partitions: [partition] }]);
    } catch {
      // Not running (crashed, rejoining): nothing is fetched, and a rejoin pauses everything.
    }
  }

  function fail(read: ActiveRead, error: Error) {
    finish(read, read.request.topic, read.request.partition);
    read.reject(error);
  }

  function failAll(why: string) {
    for (const read of [...active.values()]) fail(read, new Error(`${why}; reading again`));
  }

  function progressed(read: ActiveRead) {
    clearTimeout(read.idle);
    read.idle = setTimeout(
      () =>
        fail(
          read,
          new Error(
            `no progress reading ${read.request.topic}:${read.request.partition} at offset ${read.position} for ${READ_IDLE_TIMEOUT_MS} ms`,
          ),
        ),
      READ_IDLE_TIMEOUT_MS,
    );
  }

  function advance(read: ActiveRead, topic: string, partition: number, nextOffset: number) {
    if (nextOffset > read.position) read.position = nextOffset;
    progressed(read);
    if (read.position >= read.request.toOffset) {
      finish(read, topic, partition);
      read.resolve();
    }
  }

  const runConfig: ConsumerRunConfig = {
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
        fail(read, error as Error);
        return;
      }
      if (active.get(key(batch.topic, batch.partition)) === read)
        advance(read, batch.topic, batch.partition, next);
    },
  };

  return {
    async start() {
      if (options.topics.length === 0) return;
      awaitJoin();
      membership = keepInGroup(consumer, runConfig, {
        logger,
        groupId: options.groupId,
        onCrash: (error) => {
          failed = error;
          logger.error({ err: error, groupId: options.groupId }, 'partition reader crashed; restores fail');
        },
      });
      consumer.on(consumer.events.GROUP_JOIN, () => {
        // A new generation starts from the beginning: reads in progress lost their positions.
        failAll('partition reader rejoined its group');
        consumer.pause(options.topics.map((topic) => ({ topic })));
        onJoin();
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        awaitJoin();
        failAll(`partition reader left its group (${payload.error.message})`);
      });
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        const read = active.get(key(payload.topic, payload.partition));
        if (read === undefined || payload.batchSize !== 0 || payload.firstOffset === null) return;
        // A batch that starts at or before the position and held nothing visible (control
        // records, aborted data) proves the offsets up to its end hold no data: the log is
        // immutable, so this holds even for a batch fetched before a seek.
        if (Number(payload.firstOffset) > read.position) return;
        read.working.then(() => {
          if (active.get(key(payload.topic, payload.partition)) === read)
            advance(read, payload.topic, payload.partition, Number(payload.lastOffset) + 1);
        });
      });
      await consumer.connect();
      await consumer.subscribe({ topics: options.topics, fromBeginning: true });
      await consumer.run(runConfig);
    },

    async read(request) {
      if (request.fromOffset >= request.toOffset) return;
      if (failed !== undefined) throw failed;
      await joined();
      const id = key(request.topic, request.partition);
      if (active.has(id)) throw new Error(`partition ${id} is already being read`);
      await new Promise<void>((resolve, reject) => {
        const read: ActiveRead = {
          request,
          idle: undefined,
          position: request.fromOffset,
          resolve,
          reject,
          working: Promise.resolve(),
        };
        active.set(id, read);
        progressed(read);
        try {
          consumer.seek({
            topic: request.topic,
            partition: request.partition,
            offset: String(request.fromOffset),
          });
          consumer.resume([{ topic: request.topic, partitions: [request.partition] }]);
        } catch (error) {
          // The consumer left its group between the join and now.
          fail(read, error as Error);
          return;
        }
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
      membership?.stop();
      for (const read of [...active.values()]) fail(read, new Error('partition reader stopped'));
      await consumer.disconnect();
    },
  };
}
