import type { Schema } from 'avsc';
import type { BasicType } from 'hyparquet-writer';

/** One column of an archive file. */
export interface ArchiveColumn {
  name: string;
  type: BasicType;
  /** Where the value comes from: the Kafka record, or a field of its decoded value. */
  source: 'kafka' | 'value';
}

/**
 * Record fields never archived. A ping's `token` is a signed credential that lets its holder
 * report pings for that notification: an audit needs the ping, not the means to forge one.
 */
export const EXCLUDED_FIELDS: ReadonlySet<string> = new Set(['token']);

/** Columns every archive file starts with: where the record sits in Kafka. */
export const KAFKA_COLUMNS: readonly ArchiveColumn[] = [
  { name: 'kafka_partition', type: 'INT32', source: 'kafka' },
  { name: 'kafka_offset', type: 'INT64', source: 'kafka' },
  /** The record's Kafka timestamp (epoch ms), which also chose the file's dt/hour partition. */
  { name: 'kafka_timestamp', type: 'TIMESTAMP', source: 'kafka' },
  /** The schema id the record was written with (the reader schema is the topic's newest). */
  { name: 'schema_id', type: 'INT32', source: 'kafka' },
];

type AvroField = { name: string; type: unknown };

/** A field's Parquet type: Avro `long` fields named `*_at` or `event_time` hold epoch milliseconds. */
function columnType(field: AvroField): BasicType {
  let type = field.type;
  if (Array.isArray(type)) {
    const branches = type.filter((t) => t !== 'null');
    type = branches.length === 1 ? branches[0] : 'json';
  }
  if (typeof type === 'object' && type !== null) {
    const t = type as { type?: string; logicalType?: string };
    if (t.type === 'enum') return 'STRING';
    if (t.type === 'long' && t.logicalType === 'timestamp-millis') return 'TIMESTAMP';
    return 'JSON';
  }
  switch (type) {
    case 'string':
      return 'STRING';
    case 'int':
      return 'INT32';
    case 'long':
      return field.name.endsWith('_at') || field.name === 'event_time' ? 'TIMESTAMP' : 'INT64';
    case 'boolean':
      return 'BOOLEAN';
    case 'float':
      return 'FLOAT';
    case 'double':
      return 'DOUBLE';
    default:
      return 'JSON';
  }
}

/**
 * The columns of a topic's archive files: the Kafka columns, then each field of the topic's
 * (newest) Avro record schema in order, but those in EXCLUDED_FIELDS. Maps, arrays and nested
 * records become JSON text. Throws when the schema is not a record.
 */
export function archiveColumns(schema: Schema): ArchiveColumn[] {
  const record = schema as { type?: string; fields?: AvroField[] };
  if (record.type !== 'record' || !Array.isArray(record.fields)) {
    throw new Error('an archived topic needs an Avro record schema');
  }
  return [
    ...KAFKA_COLUMNS,
    ...record.fields
      .filter((f) => !EXCLUDED_FIELDS.has(f.name))
      .map((f): ArchiveColumn => ({ name: f.name, type: columnType(f), source: 'value' })),
  ];
}
