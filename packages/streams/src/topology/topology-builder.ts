import { type StoreSerde, stringSerde, type TopicSerde } from '../serde/serde.ts';
import { describeWindows, type TumblingWindows, type Window } from '../windows/tumbling.ts';
import type { Aggregator } from './aggregator.ts';
import { aggregateNode } from './nodes/aggregate.ts';
import { distinctNode, earliestDistinctNode } from './nodes/distinct.ts';
import { rekeyNode } from './nodes/rekey.ts';
import { sinkNode } from './nodes/sink.ts';
import { filterNode, flatMapNode, mapValuesNode } from './nodes/stateless.ts';
import { lookupNode, type TableMerge, tableNode } from './nodes/table.ts';
import { windowNode } from './nodes/window.ts';
import type { NodeDefinition, NodeFactory, SourceDefinition, StoreDefinition, Topology } from './topology.ts';

const byteSerde: StoreSerde<unknown> = {
  serialize: () => Buffer.alloc(0),
  deserialize: () => 1,
};

/**
 * Declares a topology: sources, stateless steps, re-keying, windows, distinct, aggregations,
 * tables with lookups, sinks. Names given to stateful steps name their stores and internal topics,
 * so keep them stable; a windowed store's name also encodes its window definition, so changing the
 * definition starts fresh state instead of misreading old state.
 */
export class TopologyBuilder {
  readonly name: string;
  readonly #sources: SourceDefinition[] = [];
  readonly #stores: StoreDefinition[] = [];
  readonly #repartitions: string[] = [];
  readonly #sinkTopics = new Set<string>();
  readonly #names = new Set<string>();

  constructor(name: string) {
    this.name = name;
  }

  /**
   * Records of a topic; keys are read as UTF-8 strings (or null), values with `value`. Event time
   * comes from `timestamp` (default: the Kafka timestamp); with `maxFutureSkewMs`, an event time
   * (the record's, or one a flatMap derives from it) later than the Kafka timestamp plus that skew
   * counts at the Kafka timestamp instead, and is counted in hoot_engine_future_event_times_total.
   */
  stream<V>(
    topic: string,
    options: {
      value: TopicSerde<V>;
      timestamp?: (value: V, recordTimestamp: number) => number;
      maxFutureSkewMs?: number;
    },
  ): KStream<string | null, V> {
    const node = this.node(`source-${topic}`, (_context, forward) => ({ process: forward }));
    this.#sources.push({
      topic,
      internal: false,
      value: options.value as TopicSerde<unknown>,
      timestamp: (options.timestamp ?? ((_v: V, ts: number) => ts)) as SourceDefinition['timestamp'],
      ...(options.maxFutureSkewMs === undefined ? {} : { maxFutureSkewMs: options.maxFutureSkewMs }),
      node,
    });
    return new KStream(this, node, undefined);
  }

  build(): Topology {
    if (this.#sources.length === 0) throw new Error(`topology ${this.name} has no source`);
    return {
      name: this.name,
      sources: [...this.#sources],
      stores: [...this.#stores],
      repartitions: [...this.#repartitions],
      sinkTopics: [...this.#sinkTopics],
    };
  }

  /** @internal */
  node(name: string, create: NodeFactory): NodeDefinition {
    return { name, create, children: [] };
  }

  /** @internal */
  claim(name: string): void {
    if (this.#names.has(name)) throw new Error(`topology ${this.name} already has a step named ${name}`);
    if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`step name ${name} may use only A-Z a-z 0-9 . _ -`);
    this.#names.add(name);
  }

  /** @internal */
  addStore(store: StoreDefinition): void {
    this.#stores.push(store);
  }

  /** @internal */
  addRepartition(name: string, values: StoreSerde<unknown>, node: NodeDefinition): void {
    this.#repartitions.push(name);
    this.#sources.push({
      topic: name,
      internal: true,
      value: values,
      timestamp: (_value, recordTimestamp) => recordTimestamp,
      node,
    });
  }

  /** @internal */
  addSinkTopic(topic: string): void {
    this.#sinkTopics.add(topic);
  }
}

export class KStream<K, V> {
  readonly #builder: TopologyBuilder;
  readonly #node: NodeDefinition;
  readonly #windows: TumblingWindows | undefined;

  /** @internal */
  constructor(builder: TopologyBuilder, node: NodeDefinition, windows: TumblingWindows | undefined) {
    this.#builder = builder;
    this.#node = node;
    this.#windows = windows;
  }

  filter(predicate: (value: V, key: K) => boolean): KStream<K, V> {
    return this.#then('filter', filterNode(predicate as (v: unknown, k: unknown) => boolean));
  }

  /** A new value per record; the mapper also sees the record's window, once windowed. */
  mapValues<V2>(mapper: (value: V, key: K, window: Window | undefined) => V2): KStream<K, V2> {
    return this.#then('map-values', mapValuesNode(mapper as Parameters<typeof mapValuesNode>[0]));
  }

  /** Any number of records per record. Keys may change, but partitions only change through rekey. */
  flatMap<K2, V2>(
    mapper: (value: V, key: K) => Iterable<{ key: K2; value: V2; timestamp?: number }>,
  ): KStream<K2, V2> {
    return this.#then('flat-map', flatMapNode(mapper as Parameters<typeof flatMapNode>[0]));
  }

  /**
   * Re-keys by `keyOf` through the repartition topic `<application>-<name>-repartition`, so that
   * records with the same new key meet in the same task. Records already keyed and partitioned
   * right skip the round trip.
   */
  rekey(
    name: string,
    keyOf: (value: V, key: K) => string,
    options: { value: StoreSerde<V> },
  ): KStream<string, V> {
    if (this.#windows !== undefined) throw new Error(`rekey ${name}: re-key before windowing`);
    this.#builder.claim(name);
    const values = options.value as StoreSerde<unknown>;
    const downstream = this.#builder.node(`${name}-continue`, (_context, forward) => ({ process: forward }));
    const rekey = this.#builder.node(
      name,
      rekeyNode(name, keyOf as (v: unknown, k: unknown) => string, values),
    );
    this.#node.children.push(rekey);
    rekey.children.push(downstream);
    const source = this.#builder.node(`${name}-source`, (_context, forward) => ({ process: forward }));
    source.children.push(downstream);
    this.#builder.addRepartition(name, values, source);
    return new KStream(this.#builder, downstream, undefined);
  }

  /** Assigns tumbling windows by event time; records for closed windows are dropped as late. */
  windowBy(name: string, windows: TumblingWindows): KStream<K, V> {
    this.#builder.claim(name);
    const node = this.#builder.node(name, windowNode(name, windows));
    this.#node.children.push(node);
    return new KStream(this.#builder, node, windows);
  }

  /**
   * Drops records whose (key, id) was seen within the last `horizonMs` of stream time.
   *
   * With `keep: 'earliest'` each (key, id) counts at the earliest event time of its records,
   * whatever their arrival order: when one arrives earlier than the one that passed, `retract` of
   * it is forwarded at the time that passed before it, so that a downstream aggregation (which
   * must understand retractions) moves the count. Only after windowBy.
   */
  distinct(
    name: string,
    options: {
      by: (value: V, key: K) => string;
      horizonMs: number;
      keep?: 'first' | 'earliest';
      retract?: (value: V) => V;
    },
  ): KStream<K, V> {
    const { horizonMs } = options;
    this.#store(name, 'key-value', byteSerde, (streamTime) => streamTime - horizonMs);
    const by = options.by as (v: unknown, k: unknown) => string;
    if (options.keep !== 'earliest') return this.#then(name, distinctNode(name, by));
    const { retract } = options;
    if (this.#windows === undefined || retract === undefined) {
      throw new Error(`distinct ${name}: keep 'earliest' needs a windowed stream and a retract function`);
    }
    return this.#then(
      name,
      earliestDistinctNode(name, by, retract as (value: unknown) => unknown, this.#windows),
    );
  }

  /** The records of this stream and of `other` as one stream; both must be unwindowed. */
  merge(other: KStream<K, V>): KStream<K, V> {
    if (this.#windows !== undefined || other.#windows !== undefined) {
      throw new Error('merge streams before windowing them');
    }
    const node = this.#builder.node('merge', (_context, forward) => ({ process: forward }));
    this.#node.children.push(node);
    other.#node.children.push(node);
    return new KStream(this.#builder, node, undefined);
  }

  /**
   * One value per key, per window when the stream is windowed (unless `perWindow: false`).
   * Returns the stream of updates: each carries the latest value, and its window when windowed.
   */
  aggregate<A>(
    name: string,
    aggregator: Aggregator<V, A>,
    options: { value: StoreSerde<A>; perWindow?: boolean },
  ): KStream<K, A> {
    const windows = options.perWindow === false ? undefined : this.#windows;
    const storeName = windows === undefined ? name : `${name}-${describeWindows(windows)}`;
    this.#store(
      storeName,
      windows === undefined ? 'key-value' : 'window',
      options.value as StoreSerde<unknown>,
      windows === undefined ? undefined : (streamTime) => streamTime - windows.retentionMs,
    );
    const node = this.#builder.node(
      storeName,
      aggregateNode(storeName, aggregator as Aggregator<unknown, unknown>, windows?.sizeMs),
    );
    this.#node.children.push(node);
    return new KStream(this.#builder, node, windows);
  }

  /**
   * Keeps the latest value per key (by event time) for lookups, or with `merge` a value folded from
   * the entry and each record (a short history, say); entries expire `ttlMs` of stream time after
   * their latest event time.
   */
  toTable<T = V>(
    name: string,
    options: {
      value: StoreSerde<T>;
      ttlMs?: number;
      merge?: (current: T | undefined, currentTime: number, incoming: V, incomingTime: number) => T;
    },
  ): TableRef<T> {
    const { ttlMs } = options;
    this.#store(
      name,
      'key-value',
      options.value as StoreSerde<unknown>,
      ttlMs === undefined ? undefined : (streamTime) => streamTime - ttlMs,
    );
    this.#then(name, tableNode(name, options.merge as TableMerge | undefined));
    return { storeName: name };
  }

  /** Joins each record with a table of the same task, by a key the record names. */
  lookup<T, R>(
    table: TableRef<T>,
    keyOf: (value: V, key: K) => string,
    join: (value: V, found: T | undefined, key: K) => R | undefined,
  ): KStream<K, R> {
    return this.#then(
      `lookup-${table.storeName}`,
      lookupNode(
        table.storeName,
        keyOf as (v: unknown, k: unknown) => unknown,
        join as Parameters<typeof lookupNode>[2],
      ),
    );
  }

  to(topic: string, options: { value: TopicSerde<V> }): void {
    this.#builder.addSinkTopic(topic);
    this.#then(`sink-${topic}`, sinkNode(topic, options.value as TopicSerde<unknown>));
  }

  /** Claims a step name and declares its string-keyed store. */
  #store(
    name: string,
    kind: StoreDefinition['kind'],
    values: StoreSerde<unknown>,
    expiryCutoff: ((streamTime: number) => number) | undefined,
  ): void {
    this.#builder.claim(name);
    this.#builder.addStore({
      name,
      kind,
      keys: stringSerde as StoreSerde<unknown>,
      values,
      ...(expiryCutoff === undefined ? {} : { expiryCutoff }),
    });
  }

  #then<K2, V2>(name: string, create: NodeFactory): KStream<K2, V2> {
    const node = this.#builder.node(name, create);
    this.#node.children.push(node);
    return new KStream<K2, V2>(this.#builder, node, this.#windows);
  }
}

export interface TableRef<V> {
  readonly storeName: string;
  /** Type marker only. */
  readonly __value?: V;
}
