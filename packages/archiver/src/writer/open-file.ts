import {
  type ArchiveFileRef,
  archiveFileKey,
  type HourPartition,
  hourPartition,
} from '../layout/archive-layout.ts';
import type { ArchiveColumn } from '../parquet/archive-columns.ts';
import { type ArchiveFileContent, encodeArchiveFile } from '../parquet/encode-archive-file.ts';

const INTERN_LIMIT = 10_000;

/** When a file is complete. Only the records decide, never the clock, so replays cut alike. */
export interface RotationLimits {
  /** Records per file. */
  maxRecords: number;
  /** Sum of the records' value sizes in Kafka (bytes) per file, before Parquet encoding. */
  maxBytes: number;
}

/** One record to archive: where it sits in Kafka and its decoded value. */
export interface ArchivedRecord {
  offset: number;
  /** Kafka timestamp, epoch ms. */
  timestamp: number;
  /** Size of the record's value in Kafka, bytes. */
  size: number;
  schemaId: number;
  value: Record<string, unknown>;
}

/**
 * The records of one file being filled for one topic partition, kept column by column.
 * A record whose hour differs from the file's, or that would pass a limit, belongs to the next
 * file (`fits` says so); the caller then completes this one.
 */
export class OpenFile {
  readonly topic: string;
  readonly partition: number;
  readonly firstOffset: number;
  readonly hour: HourPartition;
  readonly #columns: readonly ArchiveColumn[];
  readonly #values = new Map<string, unknown[]>();
  /** Per text column, one instance of each distinct value (until INTERN_LIMIT values). */
  readonly #interned = new Map<string, Map<string, string> | undefined>();
  #records = 0;
  #bytes = 0;
  #lastOffset: number;

  constructor(topic: string, partition: number, columns: readonly ArchiveColumn[], first: ArchivedRecord) {
    this.topic = topic;
    this.partition = partition;
    this.#columns = columns;
    this.firstOffset = first.offset;
    this.#lastOffset = first.offset;
    this.hour = hourPartition(first.timestamp);
    for (const column of columns) {
      this.#values.set(column.name, []);
      if (column.type === 'STRING' && column.source === 'value') this.#interned.set(column.name, new Map());
    }
    this.add(first);
  }

  get records(): number {
    return this.#records;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get lastOffset(): number {
    return this.#lastOffset;
  }

  get ref(): Omit<ArchiveFileRef, 'open'> {
    return {
      topic: this.topic,
      partition: this.partition,
      firstOffset: String(this.firstOffset),
      ...this.hour,
    };
  }

  /** The key of the complete file, or of its open copy. */
  key(open = false): string {
    return archiveFileKey(this.ref, open);
  }

  /** Whether the record may join this file under the limits (same hour, room left). */
  fits(record: ArchivedRecord, limits: RotationLimits): boolean {
    if (this.#records >= limits.maxRecords) return false;
    if (this.#bytes + record.size > limits.maxBytes) return false;
    const hour = hourPartition(record.timestamp);
    return hour.dt === this.hour.dt && hour.hour === this.hour.hour;
  }

  add(record: ArchivedRecord): void {
    for (const column of this.#columns) {
      const values = this.#values.get(column.name) as unknown[];
      if (column.source === 'kafka') {
        values.push(column.name === 'kafka_partition' ? this.partition : kafkaValue(column.name, record));
        continue;
      }
      const value = archivedValue(column, record.value);
      const interned = typeof value === 'string' ? this.#interned.get(column.name) : undefined;
      values.push(interned === undefined ? value : this.#intern(column.name, interned, value as string));
    }
    this.#records++;
    this.#bytes += record.size;
    this.#lastOffset = record.offset;
  }

  /**
   * Campaign texts repeat from record to record: keeping one instance of each value makes the
   * file's memory that of its distinct texts, and lets the encoder's dictionary find repeats by
   * identity (the string's hash is computed once). A column with more distinct values than
   * INTERN_LIMIT (ids) stops being interned.
   */
  #intern(name: string, interned: Map<string, string>, value: string): string {
    const known = interned.get(value);
    if (known !== undefined) return known;
    if (interned.size >= INTERN_LIMIT) {
      this.#interned.set(name, undefined);
      return value;
    }
    interned.set(value, value);
    return value;
  }

  /** The file as Parquet bytes (see encodeArchiveFile), without the rows of erased subscribers. */
  encode(erased?: ReadonlySet<string>): Uint8Array {
    const content: ArchiveFileContent = {
      columns: this.#columns,
      values: this.#values,
      metadata: {
        'hoot.topic': this.topic,
        'hoot.partition': String(this.partition),
        'hoot.first_offset': String(this.firstOffset),
        'hoot.last_offset': String(this.#lastOffset),
        'hoot.records': String(this.#records),
      },
      ...(erased === undefined ? {} : { erased }),
    };
    return encodeArchiveFile(content);
  }
}

function kafkaValue(name: string, record: ArchivedRecord): unknown {
  switch (name) {
    case 'kafka_offset':
      return record.offset;
    case 'kafka_timestamp':
      return record.timestamp;
    case 'schema_id':
      return record.schemaId;
    default:
      throw new Error(`unknown Kafka column ${name}`);
  }
}

function archivedValue(column: ArchiveColumn, value: Record<string, unknown>): unknown {
  const v = value[column.name];
  if (v === undefined || v === null) return null;
  if (column.type === 'JSON') return JSON.stringify(v);
  return v;
}
