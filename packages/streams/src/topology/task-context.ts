import type { OutgoingRecord } from '../port/kafka-port.ts';
import type { CachingBytesStore } from '../state/caching-store.ts';
import type { KeyValueStore } from '../state/key-value-store.ts';
import type { WindowStore } from '../state/window-store.ts';
import type { RecordOrigin } from './stream-record.ts';

/** An output whose value may still be being serialized; resolved at commit. */
export interface PendingRecord extends Omit<OutgoingRecord, 'value'> {
  value: Buffer | null | Promise<Buffer>;
}

/** What processor nodes of one task can reach. */
export interface TaskContext {
  readonly taskId: string;
  readonly partition: number;
  /** Partitions of every (co-partitioned) source topic of the topology. */
  readonly partitionCount: number;
  /** The topic a repartition of this topology writes to. */
  repartitionTopic(name: string): string;
  keyValueStore<K, V>(name: string): KeyValueStore<K, V>;
  windowStore<K, V>(name: string): WindowStore<K, V>;
  /** The cache layer of a store: aggregates forward what it flushes. */
  cache(name: string): CachingBytesStore;
  send(record: PendingRecord): void;
  /** Highest event time this task has seen. */
  streamTime(): number;
  observeTimestamp(timestamp: number): void;
  /** A record too late for its window: dropped, counted and written to the processing log. */
  dropLate(node: string, origin: RecordOrigin, details: Record<string, number>): void;
  /** Counts an event time of a record of `topic` that was not believed (see event-time-bound.ts). */
  countFutureEventTime(topic: string): void;
  /** A duplicate a distinct node dropped: counted. */
  countDuplicate(node: string): void;
}
