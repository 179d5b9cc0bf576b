import { Consumer, type ConsumerGroupJoinPayload, FetchIsolationLevels } from '@platformatic/kafka';
import type { Logger } from 'pino';
import type {
  BatchControl,
  GroupConsumer,
  GroupConsumerHandlers,
  GroupConsumerOptions,
  InputBatch,
} from '../kafka-port.ts';
import { createPlatformaticAdmin } from './admin.ts';
import { platformaticAssigner } from './assigner.ts';
import { baseOptions, type PlatformaticClientSettings } from './client-options.ts';
import { describeError } from './errors.ts';
import { type FetchOutcome, fetchRound } from './fetch-round.ts';
import { PartitionDecoder } from './partition-decoder.ts';

/** Pause before joining again after the library gave up a (re)join, in ms. */
const REJOIN_DELAY_MS = 2_000;
/** Pause after a fetch round that failed for every partition, in ms. */
const ERROR_BACKOFF_MS = 250;
/** How long a fetch waits at the broker for data, in ms. */
const MAX_WAIT_MS = 250;

interface Assigned {
  topic: string;
  partition: number;
  /** Next offset to fetch and hand over. */
  position: number;
  /** Bumped by every seek: a batch fetched under an older epoch is stale. */
  epoch: number;
  decoder: PartitionDecoder;
}

/**
 * The engine's group consumer on @platformatic/kafka. The library keeps the membership (JoinGroup
 * with the engine's assigner and this member's userData, SyncGroup, heartbeats on a timer of their
 * own, a rejoin whenever the coordinator asks for one); this adapter fetches the assigned
 * partitions itself with `Consumer.fetch` (read_committed, explicit offsets), so that it can seek,
 * hand over one partition's batch at a time and report ranges that held nothing visible.
 *
 * Every generation starts from the group's committed offsets (requireStable), like kafkajs after
 * a rebalance; `onAssignment` is called once they are known, before the generation's first batch.
 * Each round fetches every assigned partition and hands over their batches, up to
 * `partitionsConsumedConcurrently` partitions at once (one batch per partition per round, so a
 * partition's batches stay in order); a batch's `heartbeat()` throws once a newer generation
 * has started and `isStale()` turns true after a seek of its partition or a new generation.
 * When the library gives up a rejoin (the broker away for long), it is asked to join again every
 * 2 s; `onCrash` is called only if the fetch loop itself fails.
 */
export function createPlatformaticGroupConsumer(
  settings: PlatformaticClientSettings,
  options: GroupConsumerOptions,
  logger: Logger,
): GroupConsumer {
  const log = logger.child({ component: 'platformatic-consumer', groupId: options.groupId });
  const consumer = new Consumer({
    ...baseOptions(settings, 10),
    groupId: options.groupId,
    autocommit: false,
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    rebalanceTimeout: options.rebalanceTimeoutMs ?? 60_000,
    heartbeatInterval: options.heartbeatIntervalMs ?? 3_000,
    protocols: [{ name: options.assigner.name, version: 1 }],
    protocolsMetadata: () => options.userData(),
    partitionAssigner: platformaticAssigner(options.assigner),
    isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    maxWaitTime: MAX_WAIT_MS,
  });
  consumer.topics.trackAll(...options.topics);
  const admin = createPlatformaticAdmin(settings);
  const key = (topic: string, partition: number) => `${topic}:${partition}`;
  const concurrency = options.partitionsConsumedConcurrently ?? 1;

  let running = false;
  /** Counts the generations this member joined; batches remember the one they were fetched in. */
  let generation = 0;
  /** True once the current generation's positions are known. */
  let ready = false;
  let assigned = new Map<string, Assigned>();
  /** Seeks made while a generation's positions were being loaded: applied on top of them. */
  const pendingSeeks = new Map<string, number>();
  let wake: (() => void) | undefined;
  let loop: Promise<void> | undefined;
  let rejoinTimer: NodeJS.Timeout | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  async function committedPositions(assignment: Map<string, number[]>): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const [topic, partitions] of assignment) {
      if (partitions.length === 0) continue;
      const committed = await admin.committedOffsets(options.groupId, topic);
      for (const p of partitions) out.set(key(topic, p), committed.get(p) ?? 0);
    }
    return out;
  }

  function onJoin(handlers: GroupConsumerHandlers, payload: ConsumerGroupJoinPayload) {
    const gen = ++generation;
    ready = false;
    const assignment = new Map<string, number[]>();
    for (const a of payload.assignments ?? []) assignment.set(a.topic, [...a.partitions]);
    log.debug({ generation: payload.generationId, memberId: payload.memberId }, 'joined group');
    void (async () => {
      for (;;) {
        try {
          const positions = await committedPositions(assignment);
          if (gen !== generation || !running) return;
          const next = new Map<string, Assigned>();
          for (const [topic, partitions] of assignment) {
            for (const partition of partitions) {
              const id = key(topic, partition);
              next.set(id, {
                topic,
                partition,
                position: pendingSeeks.get(id) ?? positions.get(id) ?? 0,
                epoch: 0,
                decoder: new PartitionDecoder(),
              });
            }
          }
          pendingSeeks.clear();
          assigned = next;
          ready = true;
          handlers.onAssignment(assignment);
          wake?.();
          return;
        } catch (error) {
          if (gen !== generation || !running) return;
          log.warn(
            { err: error, detail: describeError(error) },
            'reading committed offsets failed; retrying',
          );
          await new Promise((resolve) => setTimeout(resolve, REJOIN_DELAY_MS));
        }
      }
    })();
  }

  function rejoinLater(error: unknown) {
    if (!running || rejoinTimer !== undefined) return;
    log.warn(
      { err: error, detail: describeError(error), inMs: REJOIN_DELAY_MS },
      'out of the group; joining again',
    );
    rejoinTimer = setTimeout(() => {
      rejoinTimer = undefined;
      if (!running) return;
      consumer.joinGroup({}).catch((again: unknown) => rejoinLater(again));
    }, REJOIN_DELAY_MS);
  }

  async function deliver(
    handlers: GroupConsumerHandlers,
    outcome: FetchOutcome,
    gen: number,
  ): Promise<boolean> {
    const id = key(outcome.want.topic, outcome.want.partition);
    const part = assigned.get(id);
    if (part === undefined || gen !== generation || part.position !== outcome.want.offset) return true;
    if (outcome.kind === 'error') {
      log.debug({ partition: id, error: outcome.error }, 'fetch failed');
      return false;
    }
    if (outcome.kind === 'out-of-range') {
      // Kafka's auto.offset.reset=earliest: the records before the log start were deleted.
      log.warn(
        { partition: id, position: part.position, logStart: outcome.logStartOffset },
        'offset out of range',
      );
      part.position = outcome.logStartOffset;
      part.decoder = new PartitionDecoder();
      return true;
    }
    const fetchOffset = part.position;
    const decoded = part.decoder.decode(outcome.response, part.position);
    if (decoded.records.length === 0) {
      if (decoded.nextOffset > part.position) {
        handlers.onInvisibleRange(part.topic, part.partition, part.position, decoded.nextOffset);
        part.position = decoded.nextOffset;
      }
      return true;
    }
    const batch: InputBatch = {
      topic: part.topic,
      partition: part.partition,
      records: decoded.records,
      highWatermark: decoded.highWatermark,
      nextOffset: decoded.nextOffset,
      fetchOffset,
    };
    const epoch = part.epoch;
    const isStale = () => gen !== generation || assigned.get(id) !== part || part.epoch !== epoch;
    const control: BatchControl = {
      heartbeat: async () => {
        if (gen !== generation) throw new Error(`group ${options.groupId} is rebalancing`);
      },
      isStale,
    };
    try {
      await handlers.onBatch(batch, control);
    } catch (error) {
      if (isStale()) return true;
      // kafkajs restarts its consumer from the committed offsets after a batch fails: so does this.
      log.warn(
        { err: error, partition: id },
        'batch failed; rewinding the partition to its committed offset',
      );
      try {
        const committed = await admin.committedOffsets(options.groupId, part.topic);
        if (!isStale()) {
          part.position = committed.get(part.partition) ?? 0;
          part.decoder = new PartitionDecoder();
        }
      } catch {
        // Read again on the next failure or generation.
      }
      return true;
    }
    if (!isStale()) part.position = decoded.nextOffset;
    return true;
  }

  async function run(handlers: GroupConsumerHandlers): Promise<void> {
    while (running) {
      if (!ready || assigned.size === 0) {
        await sleep(MAX_WAIT_MS);
        continue;
      }
      const gen = generation;
      const parts = [...assigned.values()];
      let outcomes: FetchOutcome[];
      try {
        outcomes = await fetchRound(
          consumer,
          parts.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.position })),
          { maxWaitMs: MAX_WAIT_MS, maxBytes: 16 * 1024 * 1024, maxBytesPerPartition: 2 * 1024 * 1024 },
        );
      } catch (error) {
        log.debug({ err: error }, 'fetch failed; retrying');
        await sleep(ERROR_BACKOFF_MS);
        continue;
      }
      // One outcome per partition: partitions are handed over concurrently, at most
      // `partitionsConsumedConcurrently` at once; the next round waits for all of them.
      let failures = 0;
      let next = 0;
      const worker = async () => {
        while (running && next < outcomes.length) {
          const outcome = outcomes[next++]!;
          if (!(await deliver(handlers, outcome, gen))) failures++;
        }
      };
      const workers = Math.max(1, Math.min(concurrency, outcomes.length));
      await Promise.all(Array.from({ length: workers }, worker));
      if (failures > 0 && failures === outcomes.length) await sleep(ERROR_BACKOFF_MS);
    }
  }

  return {
    async run(handlers) {
      running = true;
      consumer.on('consumer:group:join', (payload) => onJoin(handlers, payload));
      consumer.on('consumer:group:rebalance', () => log.debug('group rebalancing'));
      consumer.on('error', (error: Error) => rejoinLater(error));
      await consumer.joinGroup({});
      loop = run(handlers).catch((error: unknown) => {
        running = false;
        log.error({ err: error }, 'group consumer fetch loop failed');
        handlers.onCrash(error as Error);
      });
    },
    seek(topic, partition, offset) {
      if (!running) return;
      const id = key(topic, partition);
      if (!ready) {
        pendingSeeks.set(id, offset);
        return;
      }
      const part = assigned.get(id);
      if (part === undefined) return;
      part.position = offset;
      part.epoch++;
      part.decoder = new PartitionDecoder();
    },
    async stop() {
      running = false;
      clearTimeout(rejoinTimer);
      wake?.();
      await loop;
      await consumer
        .close(true)
        .catch((error: unknown) => log.debug({ err: error }, 'leaving the group failed'));
      await admin.disconnect();
    },
  };
}
