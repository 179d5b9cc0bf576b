import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Why a file was completed. `stop`: the archiver stopped (SIGTERM) and wrote what it had. */
export type RotationReason = 'records' | 'bytes' | 'hour' | 'stop';

/** Every metric the archiver exports, on its own registry. */
export function createArchiverMetrics(registry = new Registry()) {
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    records: new Counter({
      name: 'hoot_archiver_records_total',
      help: 'Records written to complete archive files, by topic',
      labelNames: ['topic'] as const,
      registers: [registry],
    }),
    valueBytes: new Counter({
      name: 'hoot_archiver_value_bytes_total',
      help: 'Kafka value bytes of the records in complete archive files, by topic',
      labelNames: ['topic'] as const,
      registers: [registry],
    }),
    files: new Counter({
      name: 'hoot_archiver_files_total',
      help: 'Complete archive files written, by topic and why the file ended (records, bytes, hour, stop)',
      labelNames: ['topic', 'reason'] as const,
      registers: [registry],
    }),
    fileBytes: new Counter({
      name: 'hoot_archiver_file_bytes_total',
      help: 'Parquet bytes of complete archive files written, by topic',
      labelNames: ['topic'] as const,
      registers: [registry],
    }),
    rewrites: new Counter({
      name: 'hoot_archiver_file_rewrites_total',
      help: 'Complete files written again after a crash or rebalance; identical="false" when the bytes differed (a file ended early by a stop, now longer)',
      labelNames: ['topic', 'identical'] as const,
      registers: [registry],
    }),
    openWrites: new Counter({
      name: 'hoot_archiver_open_file_writes_total',
      help: 'Writes of files still being filled to _open/, for readers',
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'hoot_archiver_dead_letters_total',
      help: 'Records that could not be decoded, sent to the dead-letter topic, by topic',
      labelNames: ['topic'] as const,
      registers: [registry],
    }),
    storageErrors: new Counter({
      name: 'hoot_archiver_storage_errors_total',
      help: 'Failed storage operations (retried), by operation',
      labelNames: ['operation'] as const,
      registers: [registry],
    }),
    writeSeconds: new Histogram({
      name: 'hoot_archiver_file_write_seconds',
      help: 'Time to encode and durably store one complete file',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    openRecords: new Gauge({
      name: 'hoot_archiver_open_records',
      help: 'Records held in files still being filled (read from Kafka, offsets not yet committed)',
      labelNames: ['topic'] as const,
      registers: [registry],
    }),
    retentionRemoved: new Counter({
      name: 'hoot_archiver_retention_removed_files_total',
      help: 'Files removed because their hour partition passed ARCHIVE_RETENTION_DAYS',
      registers: [registry],
    }),
  };
}

export type ArchiverMetrics = ReturnType<typeof createArchiverMetrics>;
