import type { Window } from '../windows/tumbling.ts';
import type { EventTimeBound } from './event-time-bound.ts';

/** Where a record entered the task: kept for dead letters and the processing log. */
export interface RecordOrigin {
  topic: string;
  partition: number;
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  /** The record's Kafka timestamp, epoch ms. */
  timestamp: number;
  /**
   * How far the event times of the record, and of anything derived from it, are believed
   * (event-time-bound.ts); undefined when the source sets no bound.
   */
  eventTimeBound: EventTimeBound | undefined;
}

export interface StreamRecord<K, V> {
  key: K;
  value: V;
  /** Event time, epoch ms: drives stream time and windows. */
  timestamp: number;
  /** Set once the stream is windowed. */
  window?: Window;
  origin: RecordOrigin;
}

export interface ProcessorNode<K = unknown, V = unknown> {
  process(record: StreamRecord<K, V>): void;
}

export type Forward<K, V> = (record: StreamRecord<K, V>) => void;
