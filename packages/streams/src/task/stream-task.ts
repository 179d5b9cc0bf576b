import type { Logger } from 'pino';
import type { EngineMetrics } from '../metrics/engine-metrics.ts';
import type { AdminPort, InputBatch, InputRecord, TransactionalProducer } from '../port/kafka-port.ts';
import type { ChangelogRestorer } from '../restore/changelog-restorer.ts';
import { StoreRestoration } from '../restore/store-restoration.ts';
import { int64Serde, stringSerde } from '../serde/serde.ts';
import type { CachingBytesStore } from '../state/caching-store.ts';
import type { KeyValueStore } from '../state/key-value-store.ts';
import { buildKeyValueStore, buildWindowStore, type StoreStack } from '../state/store-builder.ts';
import { TaskStateManager } from '../state/task-state-manager.ts';
import type { WindowStore } from '../state/window-store.ts';
import { boundEventTime, eventTimeBound } from '../topology/event-time-bound.ts';
import type { RecordOrigin } from '../topology/stream-record.ts';
import type { TaskContext } from '../topology/task-context.ts';
import {
  changelogTopic,
  repartitionTopic,
  type StoreDefinition,
  sourceTopic,
  type Topology,
} from '../topology/topology.ts';
import { instantiateGraph, type SourceRoute } from './graph.ts';
import { RecordCollector } from './record-collector.ts';
import { deadLetter, lateRecord } from './side-outputs.ts';
import { assertTransition, TaskStatus } from './task-status.ts';

/** Stream time is state like any other: changelogged, so a new owner resumes with the same value. */
const META_STORE = 'task-meta';
const STREAM_TIME = 'stream-time';

export interface StreamTaskOptions {
  applicationId: string;
  partition: number;
  partitionCount: number;
  topology: Topology;
  stateDir: string;
  cacheMaxEntries: number;
  admin: AdminPort;
  producer: TransactionalProducer;
  restorer: ChangelogRestorer;
  metrics: EngineMetrics;
  logger: Logger;
}

interface OpenStore {
  definition: StoreDefinition;
  stack: StoreStack<KeyValueStore<unknown, unknown> | WindowStore<unknown, unknown>>;
  changelog: string;
  release: () => void;
}

/**
 * The work of one partition number across every co-partitioned source topic: its processor graph,
 * its SQLite state and its transactional producer (whose transactional id fences older owners).
 */
export class StreamTask {
  readonly id: string;
  readonly partition: number;
  #status: TaskStatus = TaskStatus.Created;
  readonly #o: StreamTaskOptions;
  readonly #log: Logger;
  #state!: TaskStateManager;
  readonly #stores = new Map<string, OpenStore>();
  readonly #collector: RecordCollector;
  #routes = new Map<string, SourceRoute>();
  /** Next input offset per source topic: processed (position) and committed. */
  readonly #position = new Map<string, number>();
  readonly #committed = new Map<string, number>();
  #streamTime = Number.MIN_SAFE_INTEGER;
  #committedStreamTime = Number.MIN_SAFE_INTEGER;
  #uncommittedRecords = 0;
  #positionMoved = false;
  #lastCommit = performance.now();
  /** Since when the task has had input it has not committed (undefined: none). */
  #pendingSince: number | undefined;
  /** Why the last commit failed; cleared by a commit that succeeds. */
  #lastError: string | undefined;

  constructor(options: StreamTaskOptions) {
    this.#o = options;
    this.partition = options.partition;
    this.id = String(options.partition);
    this.#log = options.logger.child({ task: this.id });
    this.#collector = new RecordCollector(options.partition);
  }

  get status(): TaskStatus {
    return this.#status;
  }

  /** Next offset to read per source topic, as of the last commit. */
  committedOffsets(): ReadonlyMap<string, number> {
    return new Map(this.#committed);
  }

  /** Fences older owners, restores every store to the end of its changelog, reads committed offsets. */
  async open(groupId: string): Promise<void> {
    this.#transition(TaskStatus.Restoring);
    await this.#o.producer.connect();
    this.#openState();
    const restorations = await this.#restorations();
    if (restorations.some((r) => r.isCorrupt)) {
      this.#log.warn('local checkpoints are ahead of the changelogs; wiping local state');
      this.#closeStores();
      TaskStateManager.wipe(this.#o.stateDir, this.id);
      this.#openState();
      await this.#o.restorer.restore(this.id, await this.#restorations());
    } else {
      await this.#o.restorer.restore(this.id, restorations);
    }
    for (const source of this.#o.topology.sources) {
      const topic = sourceTopic(this.#o.applicationId, source);
      // Without a committed offset the task starts from the beginning: position 0, never
      // "anywhere", so that a range the consumer skipped cannot pass for processed.
      const committed = (await this.#o.admin.committedOffsets(groupId, topic)).get(this.partition) ?? 0;
      this.#committed.set(topic, committed);
      this.#position.set(topic, committed);
    }
    this.#routes = instantiateGraph(this.#o.topology, this.#o.applicationId, this.#context());
    this.#streamTime = this.#committedStreamTime =
      this.#metaStore().get(STREAM_TIME) ?? Number.MIN_SAFE_INTEGER;
    this.#state.begin();
    this.#transition(TaskStatus.Running);
    this.#o.metrics.openTasks.inc();
    this.#log.info(
      { committed: Object.fromEntries(this.#committed), streamTime: this.#streamTime },
      'task running',
    );
  }

  /**
   * Decodes and processes a batch; records before the position (already processed) are skipped.
   * Returns the offset the consumer must be moved back to when the batch does not follow on from
   * the position (its fetch started past it: a batch in between was dropped, say one fetched
   * before a rebalance and handled after the task rolled back), else undefined. Such a batch is
   * not processed: processing it would step over the records in between.
   */
  async process(batch: InputBatch): Promise<number | undefined> {
    const route = this.#routes.get(batch.topic);
    if (route === undefined || this.#status !== TaskStatus.Running) return undefined;
    const start = this.#position.get(batch.topic) ?? 0;
    const records = batch.records.filter((r) => r.offset >= start);
    if (records.length === 0) return undefined;
    if (records[0]!.offset > start && batch.fetchOffset > start) {
      this.#log.warn(
        { topic: batch.topic, position: start, fetchedFrom: batch.fetchOffset, first: records[0]!.offset },
        'batch does not follow on from the position; reading again from the position',
      );
      return start;
    }
    const decoded = await decodeValues(records, route.source.value);
    if (this.#status !== TaskStatus.Running) return undefined;
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      const result = decoded[i]!;
      const origin: RecordOrigin = {
        topic: batch.topic,
        partition: this.partition,
        offset: record.offset,
        key: record.key,
        value: record.value,
        timestamp: record.timestamp,
        eventTimeBound: eventTimeBound(record.timestamp, route.source.maxFutureSkewMs),
      };
      if (!result.ok) {
        this.#deadLetter(origin, 'decode', result.error);
      } else if (result.value !== null) {
        try {
          const eventTime = route.source.timestamp(result.value, record.timestamp);
          const bound = boundEventTime(eventTime, origin.eventTimeBound);
          if (bound.bounded) this.#o.metrics.futureEventTimes.inc({ topic: batch.topic });
          route.node.process({
            key: record.key === null ? null : record.key.toString('utf8'),
            value: result.value,
            timestamp: bound.timestamp,
            origin,
          });
        } catch (error) {
          this.#deadLetter(origin, 'process', error);
        }
      }
      this.#position.set(batch.topic, record.offset + 1);
    }
    // A transaction's commit marker (or aborted data) after the last record is part of the batch:
    // step over it, or the committed offset would stop one short of the end forever.
    if (batch.nextOffset > this.#position.get(batch.topic)!)
      this.#position.set(batch.topic, batch.nextOffset);
    this.#uncommittedRecords += records.length;
    this.#o.metrics.recordsProcessed.inc({ topic: batch.topic }, records.length);
    this.#o.metrics.consumerLag.set(
      { topic: batch.topic, partition: String(this.partition) },
      Math.max(0, batch.highWatermark - (this.#position.get(batch.topic) ?? 0)),
    );
    if (this.#pendingSince === undefined && records.length > 0) this.#pendingSince = performance.now();
    return undefined;
  }

  /** Offsets [first, next) held nothing visible: move past them when contiguous with the position. */
  skipInvisible(topic: string, firstOffset: number, nextOffset: number): void {
    const position = this.#position.get(topic) ?? 0;
    if (firstOffset > position || nextOffset <= position) return;
    this.#position.set(topic, nextOffset);
    this.#positionMoved = true;
  }

  /**
   * How long the task has had input without committing it, ms (0 when it has none): the measure
   * of a stall, whatever its cause (a wedged client, a coordinator that never answers), and the
   * last commit's error if it failed.
   */
  stall(now = performance.now()): { ms: number; lastError: string | undefined } {
    if (this.#status !== TaskStatus.Running || this.#pendingSince === undefined) {
      return { ms: 0, lastError: this.#lastError };
    }
    return { ms: now - Math.max(this.#pendingSince, this.#lastCommit), lastError: this.#lastError };
  }

  commitDue(intervalMs: number, maxRecords: number): boolean {
    if (this.#status !== TaskStatus.Running) return false;
    if (this.#uncommittedRecords >= maxRecords) return true;
    const dirty = this.#uncommittedRecords > 0 || this.#positionMoved;
    return dirty && performance.now() - this.#lastCommit >= intervalMs;
  }

  /**
   * Commits everything since the last commit, atomically:
   * 1. Flush each store's cache in topological order (aggregates forward their updates downstream)
   *    and expire entries past retention (their deletions become changelog tombstones).
   * 2. Record stream time in the task's changelogged meta store.
   * 3. In one Kafka transaction: outputs, changelog records and the input offsets.
   * 4. Store each changelog's next offset as its store's checkpoint and commit SQLite: local state
   *    becomes durable only now that Kafka has it.
   * A failure rolls back to the last commit and rethrows; the caller rewinds the consumer.
   */
  async commit(groupId: string): Promise<void> {
    if (this.#status !== TaskStatus.Running) return;
    const started = performance.now();
    try {
      // Step 1
      for (const store of this.#stores.values()) {
        store.stack.cache.flush();
        const cutoff = store.definition.expiryCutoff?.(this.#streamTime);
        if (cutoff !== undefined && this.#streamTime > Number.MIN_SAFE_INTEGER)
          store.stack.typed.expire(cutoff);
      }
      // Step 2
      if (this.#streamTime !== this.#committedStreamTime) {
        this.#metaStore().put(STREAM_TIME, this.#streamTime, this.#streamTime);
        this.#stores.get(META_STORE)!.stack.cache.flush();
      }
      // Step 3
      const records = await this.#collector.drain();
      const offsets = [...this.#position].map(([topic, offset]) => ({
        topic,
        partition: this.partition,
        offset,
      }));
      const written = await this.#o.producer.commitTransaction(records, { groupId, offsets });
      // Step 4
      for (const [name, store] of this.#stores) {
        const last = written.get(`${store.changelog}:${this.partition}`);
        if (last !== undefined) this.#state.setCheckpoint(name, last + 1);
      }
      this.#state.commit();
      this.#state.begin();
    } catch (error) {
      this.rollback();
      this.#o.metrics.commits.inc({ outcome: 'failed' });
      this.#lastError = error instanceof Error ? error.message : String(error);
      throw error;
    }
    this.#lastError = undefined;
    for (const [topic, offset] of this.#position) this.#committed.set(topic, offset);
    this.#committedStreamTime = this.#streamTime;
    this.#uncommittedRecords = 0;
    this.#positionMoved = false;
    this.#lastCommit = performance.now();
    this.#pendingSince = undefined;
    this.#o.metrics.commits.inc({ outcome: 'committed' });
    this.#o.metrics.commitDuration.observe((this.#lastCommit - started) / 1000);
    this.#o.metrics.stateBytes.set({ task: this.id }, this.#state.sizeBytes());
  }

  /** Drops everything since the last commit. Returns where each source topic must be re-read from. */
  rollback(): Map<string, number> {
    if (this.#uncommittedRecords > 0 || this.#collector.size > 0) {
      this.#log.info(
        { uncommitted: this.#uncommittedRecords, committed: Object.fromEntries(this.#committed) },
        'rolling back to the last commit',
      );
    }
    for (const store of this.#stores.values()) store.stack.cache.discard();
    this.#collector.clear();
    this.#state.rollback();
    this.#state.begin();
    this.#position.clear();
    for (const [topic, offset] of this.#committed) this.#position.set(topic, offset);
    this.#streamTime = this.#committedStreamTime;
    this.#uncommittedRecords = 0;
    this.#positionMoved = false;
    return new Map(this.#committed);
  }

  /** Closes without committing: uncommitted work is rolled back; the SQLite file stays for next time. */
  async close(): Promise<void> {
    if (this.#status === TaskStatus.Closed) return;
    const wasRunning = this.#status === TaskStatus.Running;
    this.#transition(TaskStatus.Closed);
    if (wasRunning) this.#o.metrics.openTasks.dec();
    // Its lag is its new owner's to report: a series left here would show a lag that no longer is.
    for (const topic of this.#position.keys())
      this.#o.metrics.consumerLag.remove({ topic, partition: String(this.partition) });
    this.#closeStores();
    await this.#o.producer.disconnect().catch(() => {});
  }

  #openState(): void {
    this.#state = new TaskStateManager(this.#o.stateDir, this.id);
    const definitions: StoreDefinition[] = [
      ...this.#o.topology.stores,
      { name: META_STORE, kind: 'key-value', keys: stringSerde as never, values: int64Serde as never },
    ];
    for (const definition of definitions) {
      const changelog = changelogTopic(this.#o.applicationId, definition.name);
      const options = {
        db: this.#state.db,
        name: definition.name,
        keys: definition.keys,
        values: definition.values,
        changelog: this.#collector.changelogWriter(changelog),
        cacheMaxEntries: this.#o.cacheMaxEntries,
      };
      const stack = definition.kind === 'window' ? buildWindowStore(options) : buildKeyValueStore(options);
      const release = this.#o.metrics.watchStore(definition.name, stack.typed.counts);
      this.#stores.set(definition.name, { definition, stack, changelog, release });
    }
  }

  #closeStores(): void {
    for (const store of this.#stores.values()) store.release();
    this.#stores.clear();
    // A task whose open failed before its state was opened (its producer could not connect while
    // the broker was away) has none to close; closing it must not throw, or the failed open
    // that is to be retried becomes an uncaught error that ends the process.
    if ((this.#state as TaskStateManager | undefined) !== undefined) this.#state.close();
  }

  async #restorations(): Promise<StoreRestoration[]> {
    return Promise.all(
      [...this.#stores].map(async ([name, store]) => {
        const endOffset = (await this.#o.admin.endOffsets(store.changelog)).get(this.partition) ?? 0;
        return new StoreRestoration({
          store: name,
          topic: store.changelog,
          partition: this.partition,
          endOffset,
          state: this.#state,
          sqlite: store.stack.sqlite,
        });
      }),
    );
  }

  #metaStore(): KeyValueStore<string, number> {
    return this.#stores.get(META_STORE)!.stack.typed as KeyValueStore<string, number>;
  }

  #store(name: string): OpenStore {
    const store = this.#stores.get(name);
    if (store === undefined) throw new Error(`task ${this.id} has no store ${name}`);
    return store;
  }

  #context(): TaskContext {
    const { applicationId } = this.#o;
    return {
      taskId: this.id,
      partition: this.partition,
      partitionCount: this.#o.partitionCount,
      repartitionTopic: (name) => repartitionTopic(applicationId, name),
      keyValueStore: <K, V>(name: string) => this.#store(name).stack.typed as unknown as KeyValueStore<K, V>,
      windowStore: <K, V>(name: string) => this.#store(name).stack.typed as unknown as WindowStore<K, V>,
      cache: (name: string): CachingBytesStore => this.#store(name).stack.cache,
      send: (record) => this.#collector.send(record),
      streamTime: () => this.#streamTime,
      observeTimestamp: (timestamp) => {
        if (timestamp > this.#streamTime) this.#streamTime = timestamp;
      },
      dropLate: (node, origin, details) => {
        this.#o.metrics.lateRecordsDropped.inc({ node });
        this.#collector.send(lateRecord(applicationId, node, origin, details));
        this.#log.debug(
          { node, ...details, topic: origin.topic, offset: origin.offset },
          'late record dropped',
        );
      },
      countDuplicate: (node) => this.#o.metrics.duplicateRecords.inc({ node }),
      countFutureEventTime: (topic) => this.#o.metrics.futureEventTimes.inc({ topic }),
    };
  }

  #deadLetter(origin: RecordOrigin, stage: 'decode' | 'process', error: unknown): void {
    this.#o.metrics.deadLetterRecords.inc({ topic: origin.topic, stage });
    this.#collector.send(deadLetter(this.#o.applicationId, origin, stage, error));
    this.#log.warn(
      { topic: origin.topic, offset: origin.offset, stage, err: error },
      'record sent to the dead-letter topic',
    );
  }

  #transition(to: TaskStatus): void {
    assertTransition(this.id, this.#status, to);
    this.#status = to;
  }
}

type Decoded = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Decodes the values of a batch, in order. A serde that answers synchronously (JSON, Avro with
 * known schemas) costs no promise per record; only values whose decoding returned a promise are
 * awaited.
 */
async function decodeValues(
  records: InputRecord[],
  serde: { deserialize(data: Buffer): unknown },
): Promise<Decoded[]> {
  const decoded: Decoded[] = new Array(records.length);
  let pending: Promise<void>[] | undefined;
  for (let i = 0; i < records.length; i++) {
    const bytes = records[i]!.value;
    if (bytes === null) {
      decoded[i] = { ok: true, value: null };
      continue;
    }
    try {
      const value = serde.deserialize(bytes);
      if (value instanceof Promise) {
        pending ??= [];
        pending.push(
          value.then(
            (v) => {
              decoded[i] = { ok: true, value: v };
            },
            (error) => {
              decoded[i] = { ok: false, error };
            },
          ),
        );
      } else decoded[i] = { ok: true, value };
    } catch (error) {
      decoded[i] = { ok: false, error };
    }
  }
  if (pending !== undefined) await Promise.all(pending);
  return decoded;
}
