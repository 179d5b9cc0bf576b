import { zstdCompressSync } from 'node:zlib';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { ArchiveColumn } from './archive-columns.ts';

/** Identifies the writer in each file's footer; no version or time, so replays are byte-identical. */
export const CREATED_BY = 'hoot-archiver (archive format 1)';

/** Rows per Parquet row group: small enough that min/max statistics skip most of a file. */
export const ROW_GROUP_ROWS = 8192;

/** The columns a file is sorted by, those it has, in this order; then the Kafka offset. */
export const SORT_COLUMNS = ['merchant', 'subscriber_id'] as const;

export interface ArchiveFileContent {
  columns: readonly ArchiveColumn[];
  /** Column values by column name, all of the same length, in offset order. */
  values: ReadonlyMap<string, unknown[]>;
  /** Key-value metadata kept in the footer (topic, partition, offsets). */
  metadata: Record<string, string>;
  /** Rows left out: those whose `merchant` NUL `subscriber_id` is in the set (erased subscribers). */
  erased?: ReadonlySet<string>;
}

/**
 * Text columns whose min/max statistics are worth their cost: short values queries filter on.
 * Free text (titles, bodies, URLs, errors) and unique ids get none: their bounds skip nothing and
 * computing them was a fifth of the encoding time.
 */
const TEXT_STATISTICS = new Set(['merchant', 'source', 'outcome', 'push_service', 'urgency', 'currency']);

function hasStatistics(column: ArchiveColumn): boolean {
  return (column.type !== 'STRING' && column.type !== 'JSON') || TEXT_STATISTICS.has(column.name);
}

const compare = (a: unknown, b: unknown): number => {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  return (a as number | string) < (b as number | string) ? -1 : 1;
};

/**
 * Encodes one archive file: Parquet, ZSTD-compressed, rows sorted by merchant, subscriber and
 * offset (so a lookup of one subscriber reads few row groups: their min/max statistics bound
 * each group), row groups of ROW_GROUP_ROWS, rows of erased subscribers left out. The same
 * content always gives the same bytes.
 */
export function encodeArchiveFile(content: ArchiveFileContent): Uint8Array {
  const offsets = content.values.get('kafka_offset') as number[];
  const keys = SORT_COLUMNS.filter((c) => content.values.has(c)).map(
    (c) => content.values.get(c) as unknown[],
  );
  let order = offsets.map((_, i) => i);
  const erased = content.erased;
  const merchants = content.values.get('merchant');
  const subscribers = content.values.get('subscriber_id');
  if (erased !== undefined && erased.size > 0 && merchants !== undefined && subscribers !== undefined) {
    order = order.filter((i) => !erased.has(`${merchants[i]}\u0000${subscribers[i]}`));
  }
  order.sort((i, j) => {
    for (const column of keys) {
      const c = compare(column[i], column[j]);
      if (c !== 0) return c;
    }
    return (offsets[i] as number) - (offsets[j] as number);
  });
  const columnData = content.columns.map((column) => {
    const values = content.values.get(column.name) as unknown[];
    // INT64 columns take bigints; values are kept as numbers until here (Kafka offsets and Hoot's
    // ids stay below 2^53).
    const data =
      column.type === 'INT64'
        ? order.map((i) =>
            values[i] === null || values[i] === undefined ? null : BigInt(values[i] as number),
          )
        : order.map((i) => values[i] ?? null);
    return {
      name: column.name,
      type: column.type,
      data: data as never[],
      statistics: hasStatistics(column),
      // A subscriber's rows are spread over every hour and partition; the row groups' min/max
      // span most ids, a bloom filter tells DuckDB, Trino or Spark which hold one subscriber.
      bloomFilter: column.name === 'subscriber_id',
    };
  });
  const buffer = parquetWriteBuffer({
    columnData,
    codec: 'ZSTD',
    compressors: { ZSTD: (input: Uint8Array) => new Uint8Array(zstdCompressSync(input)) },
    rowGroupSize: ROW_GROUP_ROWS,
    statisticsTruncateLength: 64,
    kvMetadata: Object.entries(content.metadata).map(([key, value]) => ({ key, value })),
    createdBy: CREATED_BY,
  });
  return new Uint8Array(buffer);
}
