import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The Postgres sink's Prometheus metrics. */
export class SinkMetrics {
  readonly rowsWritten: Counter<'table'>;
  readonly recordsSkipped: Counter<'reason'>;
  readonly transactionDuration: Histogram;
  readonly retries: Counter;
  readonly lag: Gauge<'partition'>;
  readonly deadLetters: Counter;

  constructor(registry: Registry, prefix = 'hoot_sink_') {
    const registers = [registry];
    this.rowsWritten = new Counter({
      name: `${prefix}rows_written_total`,
      help: 'Rows upserted, by table',
      labelNames: ['table'],
      registers,
    });
    this.recordsSkipped = new Counter({
      name: `${prefix}records_skipped_total`,
      help: 'Records not written again because Postgres already had them (replay after a restart)',
      labelNames: ['reason'],
      registers,
    });
    this.transactionDuration = new Histogram({
      name: `${prefix}transaction_duration_seconds`,
      help: 'One Postgres transaction: rows and offsets',
      buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.retries = new Counter({
      name: `${prefix}postgres_retries_total`,
      help: 'Transactions retried after a Postgres error (outage, failover)',
      registers,
    });
    this.lag = new Gauge({
      name: `${prefix}lag_records`,
      help: 'Records of campaign-reporting not yet in Postgres, per partition, at the last batch',
      labelNames: ['partition'],
      registers,
    });
    this.deadLetters = new Counter({
      name: `${prefix}dead_letter_records_total`,
      help: 'Undecodable campaign-reporting records sent to the dead-letter topic',
      registers,
    });
  }
}
