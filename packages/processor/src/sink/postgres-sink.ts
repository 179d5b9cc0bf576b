import { randomUUID } from 'node:crypto';
import { inTransaction } from '@hoot/db';
import type { AvroSerde, CampaignReport } from '@hoot/events';
import {
  type BatchControl,
  coPartitionedAssigner,
  encodeMemberTasks,
  type GroupConsumer,
  type InputBatch,
  type KafkaPort,
  type OutgoingRecord,
  type TransactionalProducer,
} from '@hoot/streams';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { upsertReports } from './report-rows.ts';
import type { SinkMetrics } from './sink-metrics.ts';
import { lockSinkOffset, type PartitionRef, readSinkOffset, writeSinkOffset } from './sink-offsets.ts';

export interface PostgresSinkOptions {
  port: KafkaPort;
  pool: Pool;
  topic: string;
  groupId: string;
  reports: AvroSerde<CampaignReport>;
  metrics: SinkMetrics;
  logger: Logger;
  /** Of the dead-letter topic, when the sink creates it. */
  replicationFactor?: number;
  sessionTimeoutMs?: number;
  /** Longest wait between two tries while Postgres is down. */
  maxBackoffMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Copies campaign-reporting into Postgres, exactly once: each batch's rows and the offset after it
 * are written in one Postgres transaction, and records below the stored offset are skipped, so a
 * restart, a rebalance or a replay writes nothing twice and loses nothing. Reads read_committed,
 * in its own consumer group; Postgres, not Kafka, holds its position. While Postgres is down it
 * retries the same batch with backoff, heartbeating so it keeps its partitions.
 */
export class PostgresSink {
  readonly #options: PostgresSinkOptions;
  readonly #consumer: GroupConsumer;
  readonly #positions = new Map<number, number>();
  #deadLetters: TransactionalProducer | undefined;
  #stopping = false;
  #healthy = true;

  constructor(options: PostgresSinkOptions) {
    this.#options = options;
    this.#consumer = options.port.groupConsumer({
      groupId: options.groupId,
      topics: [options.topic],
      assigner: coPartitionedAssigner(),
      userData: () => encodeMemberTasks({ owned: [...this.#positions.keys()], onDisk: [] }),
      ...(options.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: options.sessionTimeoutMs }),
    });
  }

  /** False while Postgres writes are failing. */
  get healthy(): boolean {
    return this.#healthy;
  }

  async start(onCrash: (error: Error) => void): Promise<void> {
    const admin = this.#options.port.admin();
    await admin.connect();
    try {
      await admin.ensureTopics([
        {
          topic: this.#deadLetterTopic(),
          partitions: 1,
          replicationFactor: this.#options.replicationFactor ?? 1,
        },
      ]);
    } finally {
      await admin.disconnect();
    }
    await this.#consumer.run({
      onAssignment: () => this.#positions.clear(),
      onBatch: (batch, control) => this.#onBatch(batch, control),
      onInvisibleRange: () => {},
      onCrash,
    });
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#consumer.stop();
    await this.#deadLetters?.disconnect();
  }

  async #onBatch(batch: InputBatch, control: BatchControl): Promise<void> {
    const { topic, groupId, metrics } = this.#options;
    const ref: PartitionRef = { group: groupId, topic, partition: batch.partition };
    let position = this.#positions.get(batch.partition);
    if (position === undefined) {
      position = await this.#retry(() => readSinkOffset(this.#options.pool, ref), control);
      this.#positions.set(batch.partition, position);
    }
    const last = batch.records.at(-1);
    if (last !== undefined && last.offset < position) {
      // Behind what Postgres holds (a fresh start reads from the beginning): jump ahead.
      metrics.recordsSkipped.inc({ reason: 'already_written' }, batch.records.length);
      this.#consumer.seek(topic, batch.partition, position);
      return;
    }
    const fresh = batch.records.filter((r) => r.offset >= position && r.value !== null);
    const reports: Array<{ offset: number; report: CampaignReport }> = [];
    const bad: OutgoingRecord[] = [];
    for (const record of fresh) {
      try {
        const context = { topic, partition: batch.partition, offset: String(record.offset) };
        reports.push({
          offset: record.offset,
          report: await this.#options.reports.decode(record.value, context),
        });
      } catch (error) {
        bad.push({
          topic: this.#deadLetterTopic(),
          key: record.key,
          value: record.value,
          headers: {
            'hoot.error': error instanceof Error ? error.message : String(error),
            'hoot.source': `${topic}/${batch.partition}/${record.offset}`,
          },
        });
      }
    }
    if (bad.length > 0) await this.#deadLetter(bad);
    const nextOffset = Math.max(position, batch.nextOffset);
    await this.#retry(() => this.#write(ref, reports, nextOffset), control);
    this.#positions.set(batch.partition, nextOffset);
    metrics.lag.set({ partition: String(batch.partition) }, Math.max(0, batch.highWatermark - nextOffset));
  }

  async #write(
    ref: PartitionRef,
    entries: Array<{ offset: number; report: CampaignReport }>,
    nextOffset: number,
  ): Promise<void> {
    const { pool, metrics } = this.#options;
    const end = metrics.transactionDuration.startTimer();
    const written = await inTransaction(pool, async (client) => {
      const stored = await lockSinkOffset(client, ref);
      // Another instance may have written this batch, or part of it, while partitions moved
      // between instances: write only what it has not.
      if (stored >= nextOffset) return undefined;
      const reports = entries.filter((e) => e.offset >= stored).map((e) => e.report);
      await upsertReports(client, reports);
      await writeSinkOffset(client, ref, nextOffset);
      return reports;
    });
    if (written === undefined) {
      metrics.recordsSkipped.inc({ reason: 'written_by_another_instance' }, entries.length);
      return;
    }
    const hourly = written.filter((r) => r.window_start !== null).length;
    metrics.rowsWritten.inc({ table: 'campaign_hourly_reports' }, hourly);
    metrics.rowsWritten.inc({ table: 'campaign_reports' }, written.length - hourly);
    end();
  }

  /** Runs `work` until it succeeds, backing off while it fails; heartbeats between tries. */
  async #retry<T>(work: () => Promise<T>, control: BatchControl): Promise<T> {
    const maxBackoffMs = this.#options.maxBackoffMs ?? 5_000;
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await work();
        if (!this.#healthy) this.#options.logger.info({ attempt }, 'postgres is back; sink resumed');
        this.#healthy = true;
        return result;
      } catch (error) {
        if (this.#stopping) throw error;
        if (this.#healthy)
          this.#options.logger.warn({ err: error }, 'postgres write failed; retrying with backoff');
        this.#healthy = false;
        this.#options.metrics.retries.inc();
        await sleep(Math.min(maxBackoffMs, 100 * 2 ** Math.min(attempt, 10)));
        await control.heartbeat();
      }
    }
  }

  #deadLetterTopic(): string {
    return `${this.#options.groupId}-dead-letter`;
  }

  async #deadLetter(records: OutgoingRecord[]): Promise<void> {
    if (this.#deadLetters === undefined) {
      const producer = this.#options.port.transactionalProducer(
        `${this.#options.groupId}-dead-letter-${randomUUID()}`,
      );
      await producer.connect();
      this.#deadLetters = producer;
    }
    await this.#deadLetters.commitTransaction(records, { groupId: this.#options.groupId, offsets: [] });
    this.#options.metrics.deadLetters.inc(records.length);
    this.#options.logger.warn({ count: records.length }, 'undecodable reports sent to the dead-letter topic');
  }
}
