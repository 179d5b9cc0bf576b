import type { Logger } from 'pino';
import type { EngineMetrics } from '../metrics/engine-metrics.ts';
import type { PartitionReader } from '../port/kafka-port.ts';
import type { StoreRestoration } from './store-restoration.ts';

const PROGRESS_EVERY_MS = 5_000;

/** Drives the partition reader over a task's changelogs until every store has caught up. */
export class ChangelogRestorer {
  readonly #reader: PartitionReader;
  readonly #metrics: EngineMetrics;
  readonly #logger: Logger;

  constructor(reader: PartitionReader, metrics: EngineMetrics, logger: Logger) {
    this.#reader = reader;
    this.#metrics = metrics;
    this.#logger = logger;
  }

  async restore(taskId: string, restorations: StoreRestoration[]): Promise<void> {
    await Promise.all(restorations.map((r) => this.#restoreOne(taskId, r)));
  }

  async #restoreOne(taskId: string, r: StoreRestoration): Promise<void> {
    const from = r.startOffset;
    if (r.remaining === 0) return;
    const started = performance.now();
    let lastLog = started;
    this.#logger.info(
      { task: taskId, store: r.store, topic: r.topic, from, to: r.endOffset },
      `restoring ${r.store} of task ${taskId}: ${r.remaining} offsets`,
    );
    r.start();
    try {
      await this.#reader.read({
        topic: r.topic,
        partition: r.partition,
        fromOffset: from,
        toOffset: r.endOffset,
        onRecords: (records, nextOffset) => {
          r.apply(records, nextOffset);
          this.#metrics.restoredRecords.inc({ store: r.store }, records.length);
          const now = performance.now();
          if (now - lastLog >= PROGRESS_EVERY_MS) {
            lastLog = now;
            this.#logger.info(
              { task: taskId, store: r.store, restored: r.restored, next: nextOffset, to: r.endOffset },
              `restoring ${r.store} of task ${taskId}: ${r.restored} records so far`,
            );
          }
        },
      });
    } finally {
      r.finish();
    }
    const seconds = (performance.now() - started) / 1000;
    this.#metrics.restoreDuration.observe({ store: r.store }, seconds);
    this.#logger.info(
      {
        task: taskId,
        store: r.store,
        restored: r.restored,
        seconds,
        recordsPerSecond: Math.round(r.restored / seconds),
      },
      `restored ${r.store} of task ${taskId}: ${r.restored} records in ${seconds.toFixed(2)} s`,
    );
  }
}
