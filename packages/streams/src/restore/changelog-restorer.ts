import type { Logger } from 'pino';
import type { EngineMetrics } from '../metrics/engine-metrics.ts';
import type { PartitionReader } from '../port/kafka-port.ts';
import { BulkLoadFinisher } from './bulk-load-finisher.ts';
import type { StoreRestoration } from './store-restoration.ts';

const PROGRESS_EVERY_MS = 5_000;

/** Drives the partition reader over a task's changelogs until every store has caught up. */
export class ChangelogRestorer {
  readonly #reader: PartitionReader;
  readonly #metrics: EngineMetrics;
  readonly #logger: Logger;
  readonly #finisher = new BulkLoadFinisher();

  constructor(reader: PartitionReader, metrics: EngineMetrics, logger: Logger) {
    this.#reader = reader;
    this.#metrics = metrics;
    this.#logger = logger;
  }

  /**
   * Restores every store of a task, reading their changelogs at once, then ends the bulk loads
   * one store at a time. Rejects with the first store's failure, once no store applies batches.
   */
  async restore(taskId: string, restorations: StoreRestoration[]): Promise<void> {
    const results = await Promise.allSettled(restorations.map((r) => this.#restoreOne(taskId, r)));
    const failure = results.find((r) => r.status === 'rejected');
    for (const r of restorations) {
      const started = performance.now();
      const bulk = r.isBulkLoad;
      try {
        await r.finish(this.#finisher, failure === undefined);
      } catch (error) {
        if (failure === undefined) throw error;
        this.#logger.warn({ task: taskId, store: r.store, err: error }, 'ending a failed restore failed');
      }
      if (bulk && failure === undefined) {
        const seconds = (performance.now() - started) / 1000;
        this.#logger.info(
          { task: taskId, store: r.store, seconds },
          `moved the restored records of ${r.store} of task ${taskId} into place in ${seconds.toFixed(2)} s`,
        );
      }
    }
    if (failure !== undefined) throw failure.reason;
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
