/**
 * The narrow port between the engine and a Kafka client. The engine speaks only this; an adapter
 * (port/kafkajs) implements it. Offsets are JS numbers: safe up to 2^53.
 */
export interface KafkaPort {
  admin(): AdminPort;
  groupConsumer(options: GroupConsumerOptions): GroupConsumer;
  /** Connecting it fences any other producer with the same transactional id. */
  transactionalProducer(transactionalId: string): TransactionalProducer;
  /** Reads chosen partitions from chosen offsets (for restoring changelogs); read_committed. */
  partitionReader(options: { groupId: string; topics: string[] }): PartitionReader;
}

export interface TopicSpec {
  topic: string;
  partitions: number;
  replicationFactor: number;
  config?: Record<string, string>;
}

export interface AdminPort {
  connect(): Promise<void>;
  /**
   * Creates missing topics (existing ones are left alone) and resolves once every partition of all
   * of them is served by its leader: a topic the controller has created may not be yet.
   */
  ensureTopics(specs: TopicSpec[]): Promise<void>;
  /** Partition count, or undefined when the topic does not exist. */
  partitionCount(topic: string): Promise<number | undefined>;
  /** High watermark per partition (the offset the next record will get). */
  endOffsets(topic: string): Promise<Map<number, number>>;
  /** Committed offset per partition of a group (partitions without one are absent). */
  committedOffsets(groupId: string, topic: string): Promise<Map<number, number>>;
  /** Deletes every record of a partition before `offset` (moves its log start offset). */
  deleteRecordsBefore(topic: string, partition: number, offset: number): Promise<void>;
  disconnect(): Promise<void>;
}

export interface InputRecord {
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  /** The record's Kafka timestamp, epoch ms. */
  timestamp: number;
  headers: Record<string, Buffer | undefined>;
}

export interface InputBatch {
  topic: string;
  partition: number;
  records: InputRecord[];
  highWatermark: number;
  /** The offset after the batch, past any trailing control records or aborted data. */
  nextOffset: number;
  /**
   * The offset the fetch that brought the batch started at: the offsets from it up to the first
   * record held nothing visible (control records, aborted data). A consumer whose position is
   * below it has missed records.
   */
  fetchOffset: number;
}

export interface BatchControl {
  /** Keeps the group membership alive during long work. Throws when a rebalance is under way. */
  heartbeat(): Promise<void>;
  /** True when the batch was overtaken by a seek: skip it. */
  isStale(): boolean;
}

export interface GroupConsumerOptions {
  groupId: string;
  topics: string[];
  /** Chooses which member gets which partitions; gets each member's userData. */
  assigner: GroupAssigner;
  /** Sent with this member's subscription to the assigner (e.g. the tasks it has state for). */
  userData: () => Buffer;
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /**
   * How many partitions' batches may be in onBatch at once (default 1). Batches of one partition
   * are always handed over one at a time, in order.
   */
  partitionsConsumedConcurrently?: number;
}

export interface GroupAssigner {
  name: string;
  assign(input: {
    members: Array<{ memberId: string; userData: Buffer }>;
    partitionsByTopic: Map<string, number>;
  }): Map<string, Map<string, number[]>>;
}

export interface GroupConsumerHandlers {
  /** A new generation's assignment, topic to partitions. Called before its first batch. */
  onAssignment(assignment: Map<string, number[]>): void;
  onBatch(batch: InputBatch, control: BatchControl): Promise<void>;
  /**
   * A fetched range [firstOffset, nextOffset) held nothing visible (only control records or
   * aborted data) and was not handed to onBatch: a consumer at or past firstOffset may move to
   * nextOffset.
   */
  onInvisibleRange(topic: string, partition: number, firstOffset: number, nextOffset: number): void;
  /** The consumer stopped on an error it could not recover from. */
  onCrash(error: Error): void;
}

export interface GroupConsumer {
  run(handlers: GroupConsumerHandlers): Promise<void>;
  seek(topic: string, partition: number, offset: number): void;
  stop(): Promise<void>;
}

export interface OutgoingRecord {
  topic: string;
  /** When absent, the producer's murmur2 partitioner picks one from the key. */
  partition?: number;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, string | Buffer>;
  timestamp?: number;
}

export interface TransactionalProducer {
  connect(): Promise<void>;
  /**
   * One Kafka transaction: sends the records, adds the input offsets of the consumer group and
   * commits; aborts and throws when any step fails. Returns, per "topic:partition", the offset
   * of the last record written there.
   */
  commitTransaction(
    records: OutgoingRecord[],
    offsets: { groupId: string; offsets: Array<{ topic: string; partition: number; offset: number }> },
  ): Promise<Map<string, number>>;
  disconnect(): Promise<void>;
}

export interface ReadRequest {
  topic: string;
  partition: number;
  fromOffset: number;
  /** Stop once the reader's position reaches this offset (usually the end offset). */
  toOffset: number;
  onRecords(records: InputRecord[], nextOffset: number): void | Promise<void>;
}

export interface PartitionReader {
  start(): Promise<void>;
  read(request: ReadRequest): Promise<void>;
  stop(): Promise<void>;
}

/** Thrown by adapters when a newer producer with the same transactional id took over. */
export class ProducerFencedError extends Error {
  readonly retriable = false;
  constructor(transactionalId: string, cause?: unknown) {
    super(`producer ${transactionalId} was fenced by a newer instance`, { cause });
    this.name = 'ProducerFencedError';
  }
}
