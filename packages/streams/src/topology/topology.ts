import type { StoreSerde, TopicSerde } from '../serde/serde.ts';
import type { ProcessorNode, StreamRecord } from './stream-record.ts';
import type { TaskContext } from './task-context.ts';

/** Creates one node of a task's processor graph; `forward` hands records to its children. */
export type NodeFactory = (
  context: TaskContext,
  forward: (record: StreamRecord<unknown, unknown>) => void,
) => ProcessorNode;

export interface NodeDefinition {
  readonly name: string;
  readonly create: NodeFactory;
  readonly children: NodeDefinition[];
}

export interface SourceDefinition {
  /** A topic name, or for a repartition source the repartition's name (see sourceTopic). */
  readonly topic: string;
  /** Repartition topics are the topology's own; others must exist. */
  readonly internal: boolean;
  readonly value: TopicSerde<unknown>;
  readonly timestamp: (value: unknown, recordTimestamp: number) => number;
  /**
   * How far a record's event time may be ahead of its Kafka timestamp before it is not believed
   * (see event-time-bound.ts); undefined: any event time is believed.
   */
  readonly maxFutureSkewMs?: number;
  readonly node: NodeDefinition;
}

export interface StoreDefinition {
  readonly name: string;
  readonly kind: 'key-value' | 'window';
  readonly keys: StoreSerde<unknown>;
  readonly values: StoreSerde<unknown>;
  /** Entries older than this cutoff (given stream time) are expired at each commit. */
  readonly expiryCutoff?: (streamTime: number) => number;
}

/** A built topology: what the engine needs to run it. Knows nothing of any business. */
export interface Topology {
  readonly name: string;
  readonly sources: readonly SourceDefinition[];
  /** In topological order: upstream stores first, so flushes cascade downstream in one pass. */
  readonly stores: readonly StoreDefinition[];
  /** Names of the repartitions (topics via repartitionTopic). */
  readonly repartitions: readonly string[];
  readonly sinkTopics: readonly string[];
}

/** The topic a source reads in an application. */
export function sourceTopic(applicationId: string, source: SourceDefinition): string {
  return source.internal ? repartitionTopic(applicationId, source.topic) : source.topic;
}

/** Internal topic names derive from the application id, so two applications never share them. */
export function changelogTopic(applicationId: string, store: string): string {
  return `${applicationId}-${store}-changelog`;
}

export function repartitionTopic(applicationId: string, name: string): string {
  return `${applicationId}-${name}-repartition`;
}

export function deadLetterTopic(applicationId: string): string {
  return `${applicationId}-dead-letter`;
}

export function processingLogTopic(applicationId: string): string {
  return `${applicationId}-processing-log`;
}
