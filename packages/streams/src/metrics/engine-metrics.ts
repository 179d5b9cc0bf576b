import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { StoreOperationCounts } from '../state/store-metrics.ts';

/** The engine's Prometheus metrics, registered once per engine on the given registry. */
export class EngineMetrics {
  readonly recordsProcessed: Counter<'topic'>;
  readonly consumerLag: Gauge<'topic' | 'partition'>;
  readonly commitDuration: Histogram;
  readonly commits: Counter<'outcome'>;
  readonly restoredRecords: Counter<'store'>;
  readonly restoreDuration: Histogram<'store'>;
  readonly lateRecordsDropped: Counter<'node'>;
  readonly duplicateRecords: Counter<'node'>;
  readonly futureEventTimes: Counter<'topic'>;
  readonly inputRewinds: Counter<'topic'>;
  readonly taskStall: Gauge<'task'>;
  readonly deadLetterRecords: Counter<'topic' | 'stage'>;
  readonly openTasks: Gauge;
  readonly stateBytes: Gauge<'task'>;
  // Counts of open tasks' stores are read live; a closed task's are folded into #retired.
  readonly #live = new Set<{ store: string; counts: StoreOperationCounts }>();
  readonly #retired = new Map<string, StoreOperationCounts>();

  constructor(registry: Registry, prefix = 'hoot_engine_') {
    const registers = [registry];
    this.recordsProcessed = new Counter({
      name: `${prefix}records_processed_total`,
      help: 'Input records processed, by source topic',
      labelNames: ['topic'],
      registers,
    });
    this.consumerLag = new Gauge({
      name: `${prefix}consumer_lag_records`,
      help: 'Records between the last processed offset and the partition end, at the last fetch',
      labelNames: ['topic', 'partition'],
      registers,
    });
    this.commitDuration = new Histogram({
      name: `${prefix}commit_duration_seconds`,
      help: 'Time to commit one task: flush, Kafka transaction, SQLite commit',
      buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.commits = new Counter({
      name: `${prefix}commits_total`,
      help: 'Task commits, by outcome (committed, failed, fenced)',
      labelNames: ['outcome'],
      registers,
    });
    this.restoredRecords = new Counter({
      name: `${prefix}restored_records_total`,
      help: 'Changelog records applied while restoring stores',
      labelNames: ['store'],
      registers,
    });
    this.restoreDuration = new Histogram({
      name: `${prefix}restore_duration_seconds`,
      help: 'Time to restore one store of one task',
      labelNames: ['store'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
      registers,
    });
    this.lateRecordsDropped = new Counter({
      name: `${prefix}late_records_dropped_total`,
      help: 'Records dropped because their window had closed (written to the processing log)',
      labelNames: ['node'],
      registers,
    });
    this.duplicateRecords = new Counter({
      name: `${prefix}duplicate_records_total`,
      help: 'Records dropped by a distinct step as already seen',
      labelNames: ['node'],
      registers,
    });
    this.futureEventTimes = new Counter({
      name: `${prefix}future_event_times_total`,
      help: "Event times later than their record's Kafka timestamp plus the allowed skew (a wrong clock), counted at the Kafka timestamp instead, by source topic",
      labelNames: ['topic'],
      registers,
    });
    this.inputRewinds = new Counter({
      name: `${prefix}input_rewinds_total`,
      help: "Batches that did not follow on from their task's position (a batch before them was dropped), not processed: the consumer was moved back to the position",
      labelNames: ['topic'],
      registers,
    });
    this.taskStall = new Gauge({
      name: `${prefix}task_stall_seconds`,
      help: 'How long each open task has had input it has not committed (0: none); a stall past the bounds makes the processor not ready, then restarts it',
      labelNames: ['task'],
      registers,
    });
    this.deadLetterRecords = new Counter({
      name: `${prefix}dead_letter_records_total`,
      help: 'Records sent to the dead-letter topic, by source topic and stage (decode, process)',
      labelNames: ['topic', 'stage'],
      registers,
    });
    this.openTasks = new Gauge({
      name: `${prefix}open_tasks`,
      help: 'Tasks open in this process',
      registers,
    });
    this.stateBytes = new Gauge({
      name: `${prefix}state_bytes`,
      help: 'Bytes of SQLite state on disk, per task',
      labelNames: ['task'],
      registers,
    });
    const totals = () => this.#storeTotals();
    new Counter({
      name: `${prefix}store_operations_total`,
      help: 'State store operations, by store and operation',
      labelNames: ['store', 'operation'],
      registers,
      collect() {
        this.reset();
        for (const [store, counts] of totals()) {
          for (const [operation, n] of Object.entries(counts)) this.inc({ store, operation }, n);
        }
      },
    });
  }

  /** Reports a store's operation counts while its task is open; call the result when it closes. */
  watchStore(store: string, counts: StoreOperationCounts): () => void {
    const entry = { store, counts };
    this.#live.add(entry);
    return () => {
      this.#live.delete(entry);
      const retired = this.#retired.get(store);
      this.#retired.set(store, retired === undefined ? { ...counts } : addCounts(retired, counts));
    };
  }

  #storeTotals(): Map<string, StoreOperationCounts> {
    const totals = new Map<string, StoreOperationCounts>();
    for (const [store, counts] of this.#retired) totals.set(store, { ...counts });
    for (const { store, counts } of this.#live) {
      const total = totals.get(store);
      totals.set(store, total === undefined ? { ...counts } : addCounts(total, counts));
    }
    return totals;
  }
}

function addCounts(a: StoreOperationCounts, b: StoreOperationCounts): StoreOperationCounts {
  return {
    gets: a.gets + b.gets,
    puts: a.puts + b.puts,
    deletes: a.deletes + b.deletes,
    expired: a.expired + b.expired,
  };
}
