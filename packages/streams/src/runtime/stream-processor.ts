import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import type { Logger } from 'pino';
import type { EngineMetrics } from '../metrics/engine-metrics.ts';
import {
  type AdminPort,
  type BatchControl,
  type GroupConsumer,
  type InputBatch,
  type KafkaPort,
  type PartitionReader,
  ProducerFencedError,
  type TopicSpec,
} from '../port/kafka-port.ts';
import { ChangelogRestorer } from '../restore/changelog-restorer.ts';
import { StreamTask } from '../task/stream-task.ts';
import {
  changelogTopic,
  deadLetterTopic,
  processingLogTopic,
  repartitionTopic,
  sourceTopic,
  type Topology,
} from '../topology/topology.ts';
import { coPartitionedAssigner, encodeMemberTasks } from './co-partitioned-assigner.ts';
import { ManagedTask } from './managed-task.ts';

export interface StreamProcessorOptions {
  applicationId: string;
  topology: Topology;
  port: KafkaPort;
  stateDir: string;
  commitIntervalMs: number;
  commitMaxRecords: number;
  cacheMaxEntries?: number;
  replicationFactor?: number;
  /** Group session timeout: how long a dead member holds its partitions. */
  sessionTimeoutMs?: number;
  /**
   * A task with input it has not committed for this long makes the processor not ready (default
   * 60 s); for `stallExitMs` (default 300 s), the processor crashes so its supervisor restarts it.
   */
  stallNotReadyMs?: number;
  stallExitMs?: number;
  metrics: EngineMetrics;
  logger: Logger;
}

/** Pause before an assigned task is opened again after it was fenced, in ms. */
const FENCED_BACKOFF_MS = 5_000;
/** Pause before an assigned task is opened again after its opening failed, in ms. */
const OPEN_RETRY_MS = 2_000;
const WATCHDOG_INTERVAL_MS = 1_000;
const PURGE_INTERVAL_MS = 30_000;

/**
 * Runs a topology as one member of the consumer group named by the application id: one task per
 * partition number, opened and closed as assignments change, each committing exactly once through
 * its own transactional producer.
 */
export class StreamProcessor {
  readonly #o: StreamProcessorOptions;
  readonly #log: Logger;
  readonly #instanceId = randomUUID();
  readonly #tasks = new Map<number, ManagedTask>();
  /** Assigned tasks not to be opened again before this time (epoch ms): fenced, or failed to open. */
  readonly #reopenAfter = new Map<number, number>();
  #assigned = new Set<number>();
  /** Tasks whose opening has failed since they were assigned: when it first failed, and the last error. */
  readonly #failingOpens = new Map<number, { since: number; lastError: string }>();
  #admin!: AdminPort;
  #reader!: PartitionReader;
  #consumer!: GroupConsumer;
  #restorer!: ChangelogRestorer;
  #partitionCount = 0;
  #timer: NodeJS.Timeout | undefined;
  #purgeTimer: NodeJS.Timeout | undefined;
  #watchdogTimer: NodeJS.Timeout | undefined;
  /** Tasks stalled past stallNotReadyMs at the last watchdog round, with why. */
  #stalled: string[] = [];
  readonly #purged = new Map<string, number>();
  #stopping = false;
  #running = false;
  #crash: ((error: Error) => void) | undefined;

  constructor(options: StreamProcessorOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'stream-processor', application: options.applicationId });
  }

  get groupId(): string {
    return this.#o.applicationId;
  }

  /** True once every assigned task is open and running, and none is stalled. */
  get ready(): boolean {
    return this.problem === undefined;
  }

  /** Why the processor is not ready: tasks opening, or stalled with their last error; else undefined. */
  get problem(): string | undefined {
    if (!this.#running) return 'not started';
    if (
      ![...this.#assigned].every((p) => this.#tasks.has(p)) ||
      ![...this.#tasks.values()].every((t) => t.task.status === 'running')
    )
      return 'tasks are restoring or being assigned';
    if (this.#stalled.length > 0) return `stalled: ${this.#stalled.join('; ')}`;
    return undefined;
  }

  /** Called when the consumer dies on an error it cannot recover from. */
  onCrash(listener: (error: Error) => void): void {
    this.#crash = listener;
  }

  async start(): Promise<void> {
    const { applicationId, topology, port } = this.#o;
    this.#admin = port.admin();
    await this.#admin.connect();
    this.#partitionCount = await this.#checkSources();
    await this.#admin.ensureTopics(this.#internalTopics());

    const changelogs = [...topology.stores.map((s) => s.name), 'task-meta'].map((s) =>
      changelogTopic(applicationId, s),
    );
    this.#reader = port.partitionReader({
      groupId: `${applicationId}-restore-${this.#instanceId}`,
      topics: changelogs,
    });
    await this.#reader.start();
    this.#restorer = new ChangelogRestorer(this.#reader, this.#o.metrics, this.#log);

    this.#consumer = port.groupConsumer({
      groupId: applicationId,
      topics: topology.sources.map((s) => sourceTopic(applicationId, s)),
      assigner: coPartitionedAssigner(),
      userData: () => encodeMemberTasks({ owned: [...this.#tasks.keys()], onDisk: this.#tasksOnDisk() }),
      sessionTimeoutMs: this.#o.sessionTimeoutMs ?? 30_000,
      heartbeatIntervalMs: Math.max(500, Math.floor((this.#o.sessionTimeoutMs ?? 30_000) / 10)),
      // One batch at a time: with kafkajs handing several partitions' batches over at once, the
      // broker-freeze fault test lost counts on Kafka 4.4; with one it passed three runs of three.
      partitionsConsumedConcurrently: 1,
    });
    await this.#consumer.run({
      onAssignment: (assignment) => this.#onAssignment(assignment),
      onBatch: (batch, control) => this.#onBatch(batch, control),
      onInvisibleRange: (topic, partition, first, next) => {
        const managed = this.#tasks.get(partition);
        if (managed !== undefined) void managed.lock(() => managed.task.skipInvisible(topic, first, next));
      },
      onCrash: (error) => {
        this.#log.error({ err: error }, 'consumer crashed');
        this.#crash?.(error);
      },
    });
    this.#running = true;
    this.#timer = setInterval(
      () => this.#commitDueTasks(),
      Math.max(10, Math.min(this.#o.commitIntervalMs, 100)),
    );
    this.#purgeTimer = setInterval(() => void this.#purgeRepartitions(), PURGE_INTERVAL_MS);
    this.#watchdogTimer = setInterval(() => {
      this.#reopenClosedTasks();
      this.#watchStalls();
    }, WATCHDOG_INTERVAL_MS);
    this.#log.info(
      { partitions: this.#partitionCount, instance: this.#instanceId },
      'stream processor started',
    );
  }

  /** Stops taking input, commits every task, leaves the group, closes tasks. */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    clearInterval(this.#timer);
    clearInterval(this.#purgeTimer);
    clearInterval(this.#watchdogTimer);
    await Promise.all([...this.#tasks.values()].map((m) => m.lock(() => this.#commit(m)).catch(() => {})));
    await this.#consumer?.stop();
    await Promise.all([...this.#tasks.values()].map((m) => m.lock(() => m.task.close())));
    this.#tasks.clear();
    await this.#reader?.stop();
    await this.#admin?.disconnect();
    this.#running = false;
    this.#log.info('stream processor stopped');
  }

  async #checkSources(): Promise<number> {
    const counts = new Map<string, number>();
    for (const source of this.#o.topology.sources.filter((s) => !s.internal)) {
      const count = await this.#admin.partitionCount(source.topic);
      if (count === undefined) throw new Error(`source topic ${source.topic} does not exist`);
      counts.set(source.topic, count);
    }
    const distinct = new Set(counts.values());
    if (distinct.size !== 1) {
      throw new Error(
        `source topics must be co-partitioned (same partition count): ${JSON.stringify(Object.fromEntries(counts))}`,
      );
    }
    return [...distinct][0]!;
  }

  #internalTopics(): TopicSpec[] {
    const { applicationId, topology, replicationFactor = 1 } = this.#o;
    const spec = (topic: string, config: Record<string, string>): TopicSpec => ({
      topic,
      partitions: this.#partitionCount,
      replicationFactor,
      config,
    });
    return [
      ...topology.repartitions.map((name) =>
        // Records keep their event time, which may be weeks old: no time-based deletion; the
        // engine purges what it has committed instead.
        spec(repartitionTopic(applicationId, name), { 'retention.ms': '-1' }),
      ),
      ...[...topology.stores.map((s) => s.name), 'task-meta'].map((store) =>
        spec(changelogTopic(applicationId, store), { 'cleanup.policy': 'compact' }),
      ),
      spec(deadLetterTopic(applicationId), { 'retention.ms': '2592000000' }),
      spec(processingLogTopic(applicationId), { 'retention.ms': '2592000000' }),
    ];
  }

  #tasksOnDisk(): number[] {
    try {
      return readdirSync(this.#o.stateDir)
        .map((f) => /^task-(\d+)\.sqlite$/.exec(f)?.[1])
        .filter((id): id is string => id !== undefined)
        .map(Number);
    } catch {
      return [];
    }
  }

  #onAssignment(assignment: Map<string, number[]>): void {
    this.#assigned = new Set([...assignment.values()].flat());
    for (const partition of this.#failingOpens.keys())
      if (!this.#assigned.has(partition)) this.#failingOpens.delete(partition);
    this.#log.info({ tasks: [...this.#assigned].sort((a, b) => a - b) }, 'assignment received');
    for (const [partition, managed] of this.#tasks) {
      if (this.#assigned.has(partition)) {
        // kafkajs revokes everything on a rebalance and resumes from committed offsets.
        void managed.lock(() => managed.task.status === 'running' && managed.task.rollback());
      } else {
        this.#tasks.delete(partition);
        void managed.lock(() => managed.task.close());
      }
    }
    for (const partition of this.#assigned) {
      if (!this.#tasks.has(partition)) this.#openTask(partition);
    }
  }

  #openTask(partition: number): ManagedTask {
    const { applicationId, port } = this.#o;
    const firstSource = this.#o.topology.sources[0]!.topic;
    const task = new StreamTask({
      applicationId,
      partition,
      partitionCount: this.#partitionCount,
      topology: this.#o.topology,
      stateDir: this.#o.stateDir,
      cacheMaxEntries: this.#o.cacheMaxEntries ?? 10_000,
      admin: this.#admin,
      producer: port.transactionalProducer(`${applicationId}-${firstSource}-${partition}`),
      restorer: this.#restorer,
      metrics: this.#o.metrics,
      logger: this.#log,
    });
    const managed = new ManagedTask(task);
    this.#tasks.set(partition, managed);
    managed.ready = managed.lock(async () => {
      try {
        await task.open(this.groupId);
        this.#failingOpens.delete(partition);
        this.#seekToCommitted(task, task.rollback());
        return true;
      } catch (error) {
        this.#log.error({ err: error, task: partition }, 'task failed to open; will retry');
        this.#reopenAfter.set(partition, Date.now() + OPEN_RETRY_MS);
        this.#failingOpens.set(partition, {
          since: this.#failingOpens.get(partition)?.since ?? performance.now(),
          lastError: error instanceof Error ? error.message : String(error),
        });
        await task.close();
        if (this.#tasks.get(partition) === managed) this.#tasks.delete(partition);
        return false;
      }
    });
    return managed;
  }

  async #onBatch(batch: InputBatch, control: BatchControl): Promise<void> {
    if (this.#stopping) return;
    let managed = this.#tasks.get(batch.partition);
    if (managed === undefined) {
      if (!this.#mayOpen(batch.partition)) return;
      managed = this.#openTask(batch.partition);
    }
    if (!(await waitWithHeartbeat(managed.ready, control))) return;
    await managed.lock(async () => {
      if (control.isStale() || this.#stopping || this.#tasks.get(batch.partition) !== managed) return;
      const rewindTo = await managed.task.process(batch);
      if (rewindTo !== undefined) {
        this.#o.metrics.inputRewinds.inc({ topic: batch.topic });
        this.#consumer.seek(batch.topic, batch.partition, rewindTo);
        return;
      }
      if (managed.task.commitDue(this.#o.commitIntervalMs, this.#o.commitMaxRecords))
        await this.#commit(managed);
    });
  }

  #commitDueTasks(): void {
    for (const managed of this.#tasks.values()) {
      if (managed.task.commitDue(this.#o.commitIntervalMs, this.#o.commitMaxRecords)) {
        void managed.lock(() => {
          if (managed.task.commitDue(this.#o.commitIntervalMs, this.#o.commitMaxRecords))
            return this.#commit(managed);
        });
      }
    }
  }

  /** Commits one task; on failure rewinds the consumer, or drops the task when it was fenced. */
  async #commit(managed: ManagedTask): Promise<void> {
    const { task } = managed;
    try {
      await task.commit(this.groupId);
    } catch (error) {
      if (error instanceof ProducerFencedError) {
        this.#log.warn({ task: task.id }, 'task fenced by another instance; closing it');
        this.#o.metrics.commits.inc({ outcome: 'fenced' });
        this.#reopenAfter.set(task.partition, Date.now() + FENCED_BACKOFF_MS);
        if (this.#tasks.get(task.partition) === managed) this.#tasks.delete(task.partition);
        await task.close();
        return;
      }
      this.#log.warn({ err: error, task: task.id }, 'commit failed; rolled back to the last commit');
      this.#seekToCommitted(task, task.rollback());
    }
  }

  /** True when an assigned partition has no task and its pause after a fence or a failed opening is over. */
  #mayOpen(partition: number): boolean {
    return (
      !this.#stopping &&
      this.#assigned.has(partition) &&
      !this.#tasks.has(partition) &&
      Date.now() >= (this.#reopenAfter.get(partition) ?? 0)
    );
  }

  /**
   * Opens every assigned task that has none: one fenced and closed, or whose opening failed. Not
   * left to the next batch of its partition, which may never come: the consumer moved past the
   * batch the task dropped, and the opening seeks back to the committed offsets.
   */
  #reopenClosedTasks(): void {
    if (!this.#running) return;
    for (const partition of this.#assigned) if (this.#mayOpen(partition)) this.#openTask(partition);
  }

  /**
   * No silent livelock: a task that has had input without committing it for stallNotReadyMs, or
   * whose opening has kept failing that long, is reported (readiness,
   * hoot_engine_task_stall_seconds, a warning with its last error); past stallExitMs the
   * processor crashes, so its supervisor starts it afresh. (An opening never hangs: a restore
   * without progress fails and is retried.)
   */
  #watchStalls(): void {
    const notReadyMs = this.#o.stallNotReadyMs ?? 60_000;
    const exitMs = this.#o.stallExitMs ?? 300_000;
    const now = performance.now();
    const stalled: string[] = [];
    this.#o.metrics.taskStall.reset();
    const stalls: Array<{ task: string; ms: number; lastError: string | undefined; what: string }> = [];
    for (const managed of this.#tasks.values()) {
      const { ms, lastError } = managed.task.stall(now);
      stalls.push({ task: managed.task.id, ms, lastError, what: 'has not committed its input' });
    }
    for (const [partition, { since, lastError }] of this.#failingOpens) {
      stalls.push({ task: String(partition), ms: now - since, lastError, what: 'has failed to open' });
    }
    for (const { task, ms, lastError, what } of stalls) {
      this.#o.metrics.taskStall.set({ task }, ms / 1000);
      if (ms < notReadyMs) continue;
      const why = `task ${task} ${what} for ${Math.round(ms / 1000)} s${lastError === undefined ? '' : ` (last error: ${lastError})`}`;
      stalled.push(why);
      if (ms >= exitMs && !this.#stopping) {
        this.#log.fatal({ task, stalledMs: Math.round(ms), lastError }, 'task stalled; exiting');
        clearInterval(this.#watchdogTimer);
        this.#crash?.(new Error(why));
        return;
      }
    }
    if (stalled.length > this.#stalled.length) this.#log.warn({ stalled }, 'tasks stalled');
    this.#stalled = stalled;
  }

  /** Deletes repartition records that owned tasks have committed past. */
  async #purgeRepartitions(): Promise<void> {
    const topics = new Set(
      this.#o.topology.repartitions.map((name) => repartitionTopic(this.#o.applicationId, name)),
    );
    for (const managed of this.#tasks.values()) {
      for (const [topic, offset] of managed.task.committedOffsets()) {
        const key = `${topic}:${managed.task.partition}`;
        if (!topics.has(topic) || offset <= (this.#purged.get(key) ?? 0)) continue;
        try {
          await this.#admin.deleteRecordsBefore(topic, managed.task.partition, offset);
          this.#purged.set(key, offset);
        } catch (error) {
          this.#log.debug(
            { err: error, topic, partition: managed.task.partition },
            'purging repartition records failed',
          );
        }
      }
    }
  }

  #seekToCommitted(task: StreamTask, committed: Map<string, number>): void {
    for (const source of this.#o.topology.sources) {
      const topic = sourceTopic(this.#o.applicationId, source);
      this.#consumer.seek(topic, task.partition, committed.get(topic) ?? 0);
    }
  }
}

/** Waits for a task to open while keeping the group membership alive. */
async function waitWithHeartbeat(ready: Promise<boolean>, control: BatchControl): Promise<boolean> {
  let settled: boolean | undefined;
  void ready.then((ok) => {
    settled = ok;
  });
  while (settled === undefined) {
    await Promise.race([ready, new Promise((resolve) => setTimeout(resolve, 1_000))]);
    if (settled === undefined) await control.heartbeat();
  }
  return settled;
}
