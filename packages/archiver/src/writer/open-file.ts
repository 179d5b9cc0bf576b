import {
  type ArchiveFileRef,
  archiveFileKey,
  type HourPartition,
  hourPartition,
} from '../layout/archive-layout.ts';
import type { ArchiveColumn } from '../parquet/archive-columns.ts';
import { type ArchiveFileContent, encodeArchiveFile } from '../parquet/encode-archive-file.ts';

const INTERN_LIMIT = 10_000;
const HOUR_MS = 3_600_000;

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
  /** Hours since the epoch of the file's records. */
  readonly #hourIndex: number;
  readonly #columns: readonly ArchiveColumn[];
  /** Values by column position. */
  readonly #values: unknown[][];
  /** How each column's value is taken from a record. */
  readonly #readers: Array<(record: ArchivedRecord) => unknown>;
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
    this.#hourIndex = Math.floor(first.timestamp / HOUR_MS);
    this.#values = columns.map(() => []);
    this.#readers = columns.map((column) => this.#reader(column));
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

  /** When the hour of the file's records ends, epoch ms. */
  get hourEndsAt(): number {
    return (this.#hourIndex + 1) * HOUR_MS;
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
    return Math.floor(record.timestamp / HOUR_MS) === this.#hourIndex;
  }

  add(record: ArchivedRecord): void {
    const values = this.#values;
    const readers = this.#readers;
    for (let i = 0; i < readers.length; i++)
      (values[i] as unknown[]).push((readers[i] as (r: ArchivedRecord) => unknown)(record));
    this.#records++;
    this.#bytes += record.size;
    this.#lastOffset = record.offset;
  }

  #reader(column: ArchiveColumn): (record: ArchivedRecord) => unknown {
    const { name } = column;
    if (column.source === 'kafka') {
      switch (name) {
        case 'kafka_partition':
          return () => this.partition;
        case 'kafka_offset':
          return (r) => r.offset;
        case 'kafka_timestamp':
          return (r) => r.timestamp;
        case 'schema_id':
          return (r) => r.schemaId;
        default:
          throw new Error(`unknown Kafka column ${name}`);
      }
    }
    if (column.type === 'JSON') {
      return (r) => {
        const v = r.value[name];
        return v === undefined || v === null ? null : JSON.stringify(v);
      };
    }
    if (column.type !== 'STRING') return (r) => r.value[name] ?? null;
    // Campaign texts repeat from record to record: one instance of each distinct value keeps the
    // file's memory that of its distinct texts and lets the encoder's dictionary find repeats by
    // identity (a string's hash is computed once). Past INTERN_LIMIT distinct values (ids) the
    // column stops being interned.
    let interned: Map<string, string> | undefined = new Map();
    return (r) => {
      const v = r.value[name];
      if (typeof v !== 'string') return v ?? null;
      if (interned === undefined) return v;
      const known = interned.get(v);
      if (known !== undefined) return known;
      if (interned.size >= INTERN_LIMIT) interned = undefined;
      else interned.set(v, v);
      return v;
    };
  }

  /** What encodeArchiveFile takes to write this file, without the rows of erased subscribers. */
  content(erased?: ReadonlySet<string>): ArchiveFileContent {
    return {
      columns: this.#columns,
      values: new Map(this.#columns.map((column, i) => [column.name, this.#values[i] as unknown[]])),
      metadata: {
        'hoot.topic': this.topic,
        'hoot.partition': String(this.partition),
        'hoot.first_offset': String(this.firstOffset),
        'hoot.last_offset': String(this.#lastOffset),
        'hoot.records': String(this.#records),
      },
      ...(erased === undefined ? {} : { erased }),
    };
  }

  /** The file as Parquet bytes (see encodeArchiveFile), without the rows of erased subscribers. */
  encode(erased?: ReadonlySet<string>): Uint8Array {
    return encodeArchiveFile(this.content(erased));
  }
}
