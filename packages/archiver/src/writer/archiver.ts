import { createHash } from 'node:crypto';
import {
  type AvroSerde,
  createAvroSerde,
  FrameError,
  type SchemaRegistry,
  topicSchemas,
  valueSubject,
} from '@hoot/events';
import { createMissingTopics, type GroupMembership, keepInGroup } from '@hoot/kafka';
import type { Schema } from 'avsc';
import { parquetMetadata } from 'hyparquet';
import type { Consumer, ConsumerRunConfig, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { readErasures } from '../maintenance/erasures.ts';
import type { ArchiverMetrics, RotationReason } from '../metrics.ts';
import { type ArchiveColumn, archiveColumns } from '../parquet/archive-columns.ts';
import { type ObjectStore, PreconditionFailedError } from '../storage/object-store.ts';
import { type ArchivedRecord, OpenFile, type RotationLimits } from './open-file.ts';

export interface ArchiverOptions {
  kafka: Kafka;
  store: ObjectStore;
  /** Topics to archive; each must be one of Hoot's (its schema comes from topicSchemas). */
  topics: readonly string[];
  groupId: string;
  limits: RotationLimits;
  /** How often files still being filled are written to `_open/`, in ms. */
  openFileWriteMs: number;
  registry: SchemaRegistry;
  metrics: ArchiverMetrics;
  logger: Logger;
  sessionTimeoutMs: number;
  /** A consumer crash that is not the broker being away: the caller ends the process. */
  onCrash(error: Error): void;
  /** Schemas by topic, for topics other than Hoot's own (tests). */
  schemas?: Readonly<Record<string, Schema>>;
}

export interface RunningArchiver {
  readonly membership: GroupMembership;
  /** Undefined when ready, else what is not. */
  readiness(): Promise<string | undefined>;
  /** Completes every file being filled, commits, leaves the group. */
  stop(): Promise<void>;
}

/** Name of the archiver's dead-letter topic. */
export function archiverDeadLetterTopic(groupId: string): string {
  return `${groupId}-dead-letter`;
}

const RETRY_MS = 500;
/** How long after its hour a caught-up partition's file is completed if no later record came. */
const HOUR_CLOSE_DELAY_MS = 5 * 60_000;
const RETRY_MAX_MS = 10_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the archiver holds for one topic partition between commits. */
interface PartitionState {
  topic: string;
  partition: number;
  /** The file being filled, if any record arrived since the last commit. */
  file: OpenFile | undefined;
  /** The offset after the last record taken (archived or dead-lettered). */
  next: number | undefined;
  /** The file changed since it was last written to `_open/`. */
  dirty: boolean;
  /** The last batch reached the partition's end: open copies are worth writing only then. */
  caughtUp: boolean;
  /** Bumped when the group rebalances: work of an older generation is dropped. */
  generation: number;
  /** Serialises the partition's work: batches, open-file writes, the final flush. */
  chain: Promise<unknown>;
}

const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');

/** The last offset an archive file covers, from its footer's `hoot.last_offset`; -1 when unreadable. */
function lastOffsetOf(file: Uint8Array): number {
  try {
    const buffer = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
    const entry = parquetMetadata(buffer).key_value_metadata?.find((e) => e.key === 'hoot.last_offset');
    return entry?.value === undefined ? -1 : Number(entry.value);
  } catch {
    return -1;
  }
}

/**
 * Archives topics to Parquet files, exactly once, as a Kafka consumer group reading committed
 * records only. For each topic partition it fills one file at a time from the committed offset;
 * a record that would cross the file's hour or its limits (records, bytes) completes the file:
 * it is written durably, then the offset after it is committed. The cuts depend on the records
 * only, so after a crash or a rebalance the next owner reads from the same committed offset and
 * writes the same file under the same name, with the same bytes: nothing is lost (offsets move
 * only past durable files) and nothing is archived twice (a replay replaces, never adds).
 * SIGTERM completes every file being filled and commits (those files end early; committed, they
 * are never replayed). Records that do not decode go to `<group>-dead-letter` with the reason in
 * headers before the offset moves past them.
 */
export async function startArchiver(options: ArchiverOptions): Promise<RunningArchiver> {
  const { store, metrics, logger, limits } = options;
  const deadLetterTopic = archiverDeadLetterTopic(options.groupId);
  const serdes = new Map<string, AvroSerde<Record<string, unknown>>>();
  const columns = new Map<string, ArchiveColumn[]>();
  for (const topic of options.topics) {
    const schema = options.schemas?.[topic] ?? (topicSchemas as Record<string, Schema>)[topic];
    if (schema === undefined) throw new Error(`no schema known for topic ${topic}`);
    serdes.set(
      topic,
      createAvroSerde<Record<string, unknown>>({
        registry: options.registry,
        subject: valueSubject(topic),
        schema,
      }),
    );
    columns.set(topic, archiveColumns(schema));
  }

  const admin = options.kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = options.topics.filter((t) => !existing.has(t));
    if (missing.length > 0) throw new Error(`topics to archive do not exist: ${missing.join(', ')}`);
    await createMissingTopics(admin, [{ topic: deadLetterTopic, numPartitions: 1 }]);
  } finally {
    await admin.disconnect();
  }

  const producer: Producer = options.kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
  await producer.connect();
  const consumer: Consumer = options.kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: options.sessionTimeoutMs,
    heartbeatInterval: Math.min(3000, options.sessionTimeoutMs / 3),
    readUncommitted: false,
    maxBytesPerPartition: 4 * 1024 * 1024,
  });

  const states = new Map<string, PartitionState>();
  let stopping = false;
  let generation = 0;
  let crashed: Error | undefined;
  /** Erased subscribers (see maintenance/erasures.ts), read again before each complete file. */
  let erased = await readErasures(store);

  function stateOf(topic: string, partition: number): PartitionState {
    const id = `${topic}/${partition}`;
    let state = states.get(id);
    if (state === undefined) {
      state = {
        topic,
        partition,
        file: undefined,
        next: undefined,
        dirty: false,
        caughtUp: false,
        generation,
        chain: Promise.resolve(),
      };
      states.set(id, state);
    }
    return state;
  }

  /** Runs partition work after the partition's earlier work. */
  function exclusive<T>(state: PartitionState, work: () => Promise<T>): Promise<T> {
    const run = state.chain.then(work, work);
    state.chain = run.catch(() => undefined);
    return run;
  }

  /** Retries storage work until it succeeds, the archiver stops or the partition moves. */
  async function persistently<T>(
    operation: string,
    state: PartitionState,
    heartbeat: () => Promise<void>,
    work: () => Promise<T>,
  ): Promise<T> {
    const started = state.generation;
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        metrics.storageErrors.inc({ operation });
        // Stopping, or the partition moved: the records stay uncommitted and are archived again.
        if (stopping || state.generation !== started) throw error;
        const delay = Math.min(RETRY_MAX_MS, RETRY_MS * 2 ** (attempt - 1));
        logger.warn(
          { err: error, operation, topic: state.topic, partition: state.partition, attempt, delay },
          'archive storage failed; retrying',
        );
        await sleep(delay);
        await heartbeat().catch(() => undefined);
      }
    }
  }

  /** Writes the complete file durably; a file already there from before a crash is replaced. */
  /**
   * Writes the complete file durably and resolves with the last offset the stored file covers.
   * A file already under that name (a replay after a crash, or another instance's write) is
   * left alone when it is the same or covers more of the partition (every version of a name
   * starts at the same offset with the same records, so the longer one holds the shorter), and
   * replaced, conditionally on what was read, when it covers less (a file cut short by a stop).
   */
  async function writeComplete(
    state: PartitionState,
    file: OpenFile,
    heartbeat: () => Promise<void>,
  ): Promise<number> {
    const timer = metrics.writeSeconds.startTimer();
    // Erasures recorded up to now apply to this file (and to replays of it).
    erased = await persistently('read_erasures', state, heartbeat, () => readErasures(store));
    const bytes = file.encode(erased);
    const key = file.key();
    const covered = await persistently('put', state, heartbeat, async () => {
      for (;;) {
        try {
          await store.put(key, bytes, { ifNoneMatch: '*' });
          return file.lastOffset;
        } catch (error) {
          if (!(error instanceof PreconditionFailedError)) throw error;
        }
        const existing = await store.head(key);
        if (existing === undefined) continue;
        const identical = existing.etag === md5(bytes);
        metrics.rewrites.inc({ topic: file.topic, identical: String(identical) });
        if (identical) return file.lastOffset;
        const body = await store.get(key);
        const storedLast = body === undefined ? -1 : lastOffsetOf(body);
        if (storedLast >= file.lastOffset) {
          logger.info(
            { key, storedLast, ours: file.lastOffset },
            'archive file already stored covering as much or more; kept',
          );
          return storedLast;
        }
        try {
          await store.put(key, bytes, { ifMatch: existing.etag });
          logger.info(
            { key, storedLast, ours: file.lastOffset },
            'archive file cut short before replaced by a longer one',
          );
          return file.lastOffset;
        } catch (error) {
          if (!(error instanceof PreconditionFailedError)) throw error;
        }
      }
    });
    timer();
    metrics.fileBytes.inc({ topic: file.topic }, bytes.length);
    metrics.records.inc({ topic: file.topic }, file.records);
    metrics.valueBytes.inc({ topic: file.topic }, file.bytes);
    await store.delete([file.key(true)]).catch((error: unknown) => {
      logger.warn(
        { err: error, key: file.key(true) },
        'could not remove the open copy; readers prefer the complete file',
      );
    });
    return covered;
  }

  /**
   * Completes the partition's file and commits the offset `next` (after what it holds), or the
   * offset after what the stored file covers when that is further: records up to there are then
   * skipped as they arrive.
   */
  async function complete(
    state: PartitionState,
    reason: RotationReason,
    next: number,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    const file = state.file;
    let commit = next;
    if (file !== undefined) {
      const covered = await writeComplete(state, file, heartbeat);
      commit = Math.max(next, covered + 1);
      metrics.files.inc({ topic: file.topic, reason });
      metrics.openRecords.dec({ topic: file.topic }, file.records);
      state.file = undefined;
      state.dirty = false;
    }
    await consumer.commitOffsets([
      { topic: state.topic, partition: state.partition, offset: String(commit) },
    ]);
    if (commit > next) state.next = commit;
  }

  function rotationReason(file: OpenFile, record: ArchivedRecord): RotationReason {
    if (file.records >= limits.maxRecords) return 'records';
    if (file.bytes + record.size > limits.maxBytes) return 'bytes';
    return 'hour';
  }

  async function deadLetter(topic: string, partition: number, message: KafkaMessage, error: unknown) {
    const e = error as { name?: string; code?: string; message?: string };
    metrics.deadLetters.inc({ topic });
    logger.warn(
      { err: error, topic, partition, offset: message.offset },
      'record does not decode; dead-lettered',
    );
    await producer.send({
      topic: deadLetterTopic,
      acks: -1,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            'hoot.source.topic': topic,
            'hoot.source.partition': String(partition),
            'hoot.source.offset': message.offset,
            'hoot.source.timestamp': message.timestamp,
            'hoot.error.stage': 'decode',
            'hoot.error.class': String(e?.name ?? 'Error'),
            'hoot.error.code': String(e?.code ?? ''),
            'hoot.error.reason': String(e?.message ?? error).slice(0, 2000),
          },
        },
      ],
    });
  }

  async function take(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const state = stateOf(batch.topic, batch.partition);
    const serde = serdes.get(batch.topic) as AvroSerde<Record<string, unknown>>;
    const topicColumns = columns.get(batch.topic) as ArchiveColumn[];
    await exclusive(state, async () => {
      // Counted once a batch: a labelled gauge update per record costs more than the rest of the loop.
      let taken = 0;
      try {
        await takeMessages();
        state.caughtUp = Number(batch.offsetLag()) <= 1; // 1: a transaction marker may end a partition
      } finally {
        metrics.openRecords.inc({ topic: batch.topic }, taken);
      }
      await heartbeat();

      async function takeMessages() {
        for (const message of batch.messages) {
          if (stopping || !isRunning() || isStale()) return;
          const offset = Number(message.offset);
          if (state.next !== undefined && offset < state.next) {
            resolveOffset(message.offset); // already in a stored file
            continue;
          }
          let value: Record<string, unknown> | undefined;
          try {
            value = await serde.decode(message.value, {
              topic: batch.topic,
              partition: batch.partition,
              offset: message.offset,
            });
          } catch (error) {
            if (!(error instanceof FrameError)) throw error; // registry unreachable: retried by kafkajs
            await deadLetter(batch.topic, batch.partition, message, error);
          }
          if (value !== undefined) {
            const record: ArchivedRecord = {
              offset,
              timestamp: Number(message.timestamp),
              size: message.value?.length ?? 0,
              // The frame was read and checked by the decode: its id follows the magic byte.
              schemaId: (message.value as Buffer).readInt32BE(1),
              value,
            };
            if (state.file !== undefined && !state.file.fits(record, limits)) {
              await complete(state, rotationReason(state.file, record), offset, heartbeat);
              if (state.next !== undefined && state.next > offset) {
                resolveOffset(message.offset); // the stored file already covers this record
                continue;
              }
            }
            if (state.file === undefined)
              state.file = new OpenFile(batch.topic, batch.partition, topicColumns, record);
            else state.file.add(record);
            taken++;
            state.dirty = true;
          } else if (state.file === undefined) {
            // Nothing held: move past the dead letter now, so a replay does not send it again.
            await consumer.commitOffsets([
              { topic: batch.topic, partition: batch.partition, offset: String(offset + 1) },
            ]);
          }
          state.next = offset + 1;
          resolveOffset(message.offset);
        }
      }
    });
  }

  /**
   * For partitions that have caught up: completes a file whose hour ended HOUR_CLOSE_DELAY_MS ago
   * (no later record came to cut it: a quiet partition), so every past hour becomes complete for
   * Hive readers and its offsets committed; writes the others to `_open/` when they changed, so
   * readers see recent records. Closing on the clock is safe like a stop's cut: the file is
   * committed at once, and a replay before the commit writes a file covering at least as much.
   */
  async function writeOpenFiles(): Promise<void> {
    // Only partitions that have caught up: while catching up, files complete within seconds
    // anyway, and encoding a growing copy again and again would halve the pace.
    const now = Date.now();
    const hourPast = (s: PartitionState) =>
      s.file !== undefined && now >= s.file.hourEndsAt + HOUR_CLOSE_DELAY_MS;
    const due = (s: PartitionState) => s.caughtUp && s.file !== undefined && (s.dirty || hourPast(s));
    if (![...states.values()].some(due)) return;
    erased = await readErasures(store).catch(() => erased);
    for (const state of states.values()) {
      if (!due(state)) continue;
      const seen = state.generation;
      await exclusive(state, async () => {
        const file = state.file;
        if (file === undefined || state.generation !== seen || stopping) return;
        if (hourPast(state) && state.next !== undefined) {
          try {
            await complete(state, 'hour', state.next, async () => undefined);
          } catch (error) {
            logger.warn(
              { err: error, key: file.key() },
              'could not complete the file of a past hour; trying again later',
            );
          }
          return;
        }
        if (!state.dirty) return;
        state.dirty = false;
        try {
          await store.put(file.key(true), file.encode(erased));
          metrics.openWrites.inc();
        } catch (error) {
          state.dirty = true;
          metrics.storageErrors.inc({ operation: 'put_open' });
          logger.warn(
            { err: error, key: file.key(true) },
            'could not write an open file; trying again later',
          );
        }
      });
    }
  }

  let openWriter: NodeJS.Timeout | undefined;
  let openWriting: Promise<void> = Promise.resolve();
  const scheduleOpenWrites = () => {
    openWriter = setTimeout(() => {
      openWriting = writeOpenFiles().finally(() => {
        if (!stopping) scheduleOpenWrites();
      });
    }, options.openFileWriteMs);
  };

  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    // kafkajs starts every assigned partition again from its committed offset after a rebalance:
    // what was held since is read again, so it is dropped here.
    generation++;
    for (const state of states.values()) {
      if (state.file !== undefined) metrics.openRecords.dec({ topic: state.topic }, state.file.records);
      state.file = undefined;
      state.next = undefined;
      state.dirty = false;
      state.generation = generation;
    }
    logger.info({ assignment: payload.memberAssignment }, 'archiver joined its group');
  });

  const runConfig: ConsumerRunConfig = {
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: Math.max(1, options.topics.length * 2),
    eachBatch: take,
  };
  const membership = keepInGroup(consumer, runConfig, {
    logger,
    groupId: options.groupId,
    onCrash: (error) => {
      if (stopping || crashed !== undefined) return;
      crashed = error;
      logger.fatal({ err: error }, 'the archiver consumer crashed');
      options.onCrash(error);
    },
  });
  await consumer.connect();
  for (const topic of options.topics) await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run(runConfig);
  scheduleOpenWrites();
  logger.info(
    { topics: options.topics, store: store.url, group: options.groupId, limits },
    'archiver started',
  );

  return {
    membership,
    async readiness() {
      if (crashed !== undefined) return `crashed: ${crashed.message}`;
      if (!membership.joined) {
        return membership.outReason === undefined
          ? `consumer group ${options.groupId} not joined yet`
          : `consumer group ${options.groupId} left: ${membership.outReason}`;
      }
      try {
        await store.check();
      } catch (error) {
        return `archive storage ${store.url} unavailable: ${(error as Error).message}`;
      }
      return undefined;
    },
    async stop() {
      stopping = true;
      clearTimeout(openWriter);
      await openWriting.catch(() => undefined);
      // No more batches: each partition's work so far finishes, then its file is completed and
      // committed while the consumer is still in the group.
      consumer.pause(options.topics.map((topic) => ({ topic })));
      await Promise.allSettled(
        [...states.values()].map((state) =>
          exclusive(state, async () => {
            if (state.next === undefined || state.generation !== generation) return;
            await complete(state, 'stop', state.next, async () => undefined);
          }).catch((error: unknown) => {
            logger.error(
              { err: error, topic: state.topic, partition: state.partition },
              'could not complete the file at stop; the next owner archives those records',
            );
          }),
        ),
      );
      membership.stop();
      await consumer.disconnect().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
    },
  };
}
