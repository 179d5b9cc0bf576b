import { Consumer } from '@platformatic/kafka';
import type { Logger } from 'pino';
import type { PartitionReader, ReadRequest } from '../kafka-port.ts';
import { baseOptions, type PlatformaticClientSettings } from './client-options.ts';
import { fetchRound } from './fetch-round.ts';
import { PartitionDecoder } from './partition-decoder.ts';

/** A read that gets no record and no step forward for this long fails (its caller retries), in ms. */
const DEFAULT_READ_IDLE_TIMEOUT_MS = 30_000;
/** Pause after a round in which every partition failed, in ms. */
const ERROR_BACKOFF_MS = 250;

interface ActiveRead {
  request: ReadRequest;
  position: number;
  decoder: PartitionDecoder;
  idle: NodeJS.Timeout | undefined;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Reads chosen partitions from chosen offsets, read_committed, with no consumer group at all: the
 * library's `Consumer.fetch` takes explicit offsets, so one loop fetches every partition being
 * read in one request per leader and hands each its records. `options.groupId` is unused.
 *
 * No read waits forever: one that makes no progress for `readIdleTimeoutMs` (default 30 s) fails
 * and its caller (a task opening) retries; `stop()` fails the reads in progress.
 */
export function createPlatformaticPartitionReader(
  settings: PlatformaticClientSettings,
  options: { groupId: string; topics: string[]; readIdleTimeoutMs?: number },
  logger: Logger,
): PartitionReader {
  const idleMs = options.readIdleTimeoutMs ?? DEFAULT_READ_IDLE_TIMEOUT_MS;
  const consumer = new Consumer({
    ...baseOptions(settings, 3),
    groupId: options.groupId,
    autocommit: false,
  });
  consumer.topics.trackAll(...options.topics);
  const active = new Map<string, ActiveRead>();
  const key = (topic: string, partition: number) => `${topic}:${partition}`;
  let running = false;
  let wake: (() => void) | undefined;
  let loop: Promise<void> | undefined;

  function finish(read: ActiveRead) {
    clearTimeout(read.idle);
    active.delete(key(read.request.topic, read.request.partition));
  }

  function fail(read: ActiveRead, error: Error) {
    finish(read);
    read.reject(error);
  }

  function progressed(read: ActiveRead) {
    clearTimeout(read.idle);
    read.idle = setTimeout(
      () =>
        fail(
          read,
          new Error(
            `no progress reading ${read.request.topic}:${read.request.partition} at offset ${read.position} for ${idleMs} ms`,
          ),
        ),
      idleMs,
    );
  }

  async function run(): Promise<void> {
    while (running) {
      if (active.size === 0) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        continue;
      }
      const reads = [...active.values()];
      let outcomes: Awaited<ReturnType<typeof fetchRound>>;
      try {
        outcomes = await fetchRound(
          consumer,
          reads.map((r) => ({ topic: r.request.topic, partition: r.request.partition, offset: r.position })),
          // Decoded, a fetch takes several times its size in memory: bounded like the kafkajs reader's.
          { maxWaitMs: 100, maxBytes: 8 * 1024 * 1024, maxBytesPerPartition: 2 * 1024 * 1024 },
        );
      } catch (error) {
        logger.debug({ err: error }, 'partition reader fetch failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, ERROR_BACKOFF_MS));
        continue;
      }
      let failures = 0;
      for (const outcome of outcomes) {
        const read = active.get(key(outcome.want.topic, outcome.want.partition));
        // A read that ended, or a new read of the partition, while the fetch was under way.
        if (read === undefined || read.position !== outcome.want.offset) continue;
        if (outcome.kind === 'error') {
          failures++;
          logger.debug(
            { topic: outcome.want.topic, partition: outcome.want.partition, error: outcome.error },
            'fetch failed',
          );
          continue;
        }
        if (outcome.kind === 'out-of-range') {
          // Records before the log start were deleted: they hold nothing to restore.
          if (outcome.logStartOffset > read.position) {
            read.position = outcome.logStartOffset;
            read.decoder = new PartitionDecoder();
            progressed(read);
          } else failures++;
        } else {
          const decoded = read.decoder.decode(outcome.response, read.position);
          const next = Math.min(decoded.nextOffset, read.request.toOffset);
          const records = decoded.records.filter((r) => r.offset < read.request.toOffset);
          if (records.length > 0) {
            try {
              await read.request.onRecords(records, next);
            } catch (error) {
              fail(read, error as Error);
              continue;
            }
          }
          if (next > read.position) {
            read.position = next;
            progressed(read);
          }
        }
        if (read.position >= read.request.toOffset) {
          finish(read);
          read.resolve();
        }
      }
      if (failures > 0 && failures === outcomes.length)
        await new Promise((r) => setTimeout(r, ERROR_BACKOFF_MS));
    }
  }

  return {
    async start() {
      running = true;
      loop = run().catch((error: unknown) => {
        logger.error({ err: error }, 'partition reader stopped on an error; restores fail');
        running = false;
        for (const read of [...active.values()]) fail(read, error as Error);
      });
    },

    async read(request) {
      if (request.fromOffset >= request.toOffset) return;
      if (!running) throw new Error('partition reader is not running');
      const id = key(request.topic, request.partition);
      if (active.has(id)) throw new Error(`partition ${id} is already being read`);
      await new Promise<void>((resolve, reject) => {
        const read: ActiveRead = {
          request,
          position: request.fromOffset,
          decoder: new PartitionDecoder(),
          idle: undefined,
          resolve,
          reject,
        };
        active.set(id, read);
        progressed(read);
        wake?.();
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
      running = false;
      wake?.();
      for (const read of [...active.values()]) fail(read, new Error('partition reader stopped'));
      await loop;
      await consumer.close(true);
    },
  };
}
