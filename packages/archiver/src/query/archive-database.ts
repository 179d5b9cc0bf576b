import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { Topics, topicSchemas } from '@hoot/events';
import type { Schema } from 'avsc';
import { type ArchiveColumn, archiveColumns } from '../parquet/archive-columns.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { archiveFiles, localPaths } from './archive-files.ts';

/** The SQL views over the archive, by name, and the topic each reads. */
export const ARCHIVE_VIEWS: Readonly<Record<string, string>> = {
  dispatch: Topics.dispatch,
  pings: Topics.ping,
  orders: Topics.orders,
};

const SQL_TYPES: Record<ArchiveColumn['type'], string> = {
  BOOLEAN: 'BOOLEAN',
  INT32: 'INTEGER',
  INT64: 'BIGINT',
  FLOAT: 'FLOAT',
  DOUBLE: 'DOUBLE',
  BYTE_ARRAY: 'BLOB',
  STRING: 'VARCHAR',
  JSON: 'VARCHAR',
  TIMESTAMP: 'TIMESTAMP',
  UUID: 'UUID',
  FLOAT16: 'FLOAT',
  GEOMETRY: 'BLOB',
  GEOGRAPHY: 'BLOB',
  VARIANT: 'VARCHAR',
};

/** A SQL string literal: quotes doubled. Only for values Hoot made (file paths), never for input. */
export function sqlLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * The SQL reading a topic's files: read_parquet over the list with Hive partitioning (the
 * columns topic, dt, hour) and columns united by name (files written before a field existed
 * read it as NULL); with no file yet, an empty relation of the topic's columns.
 */
export function topicRelation(topic: string, paths: readonly string[]): string {
  if (paths.length > 0) {
    return `read_parquet([${paths.map(sqlLiteral).join(', ')}], hive_partitioning = true, union_by_name = true)`;
  }
  const schema = (topicSchemas as Record<string, Schema>)[topic];
  const columns = schema === undefined ? [] : archiveColumns(schema);
  const select = [
    ...columns.map((c) => `NULL::${SQL_TYPES[c.type]} AS ${c.name}`),
    'NULL::DATE AS dt',
    'NULL::BIGINT AS hour',
    'NULL::VARCHAR AS topic',
  ];
  return `(SELECT ${select.join(', ')} WHERE false)`;
}

/** A DuckDB database over the archive, with one view per topic (see ARCHIVE_VIEWS). */
export interface ArchiveDatabase {
  /** Runs SQL with named parameters (`$name`); rows with JSON-safe values (64-bit integers as strings). */
  query(
    sql: string,
    parameters?: Record<string, DuckDBValue>,
  ): Promise<{ columns: string[]; rows: Record<string, unknown>[] }>;
  close(): void;
}

export interface ArchiveQueryEngineOptions {
  /** Where copies of S3 objects are kept (default: the OS temporary directory). */
  cacheDirectory?: string;
  /** DuckDB worker threads (default 2). */
  threads?: number;
}

export interface OpenArchiveDatabaseOptions extends ArchiveQueryEngineOptions {
  /** Only these UTC days (`YYYY-MM-DD`) of each topic: the partition pruning of a lookup. */
  days?: Readonly<Record<string, readonly string[]>>;
}

/**
 * One DuckDB for many queries over the archive: each `open` is a connection of its own with
 * views over the files listed at that moment. Parquet footers (row-group statistics, bloom filter
 * offsets) stay cached across queries, so a lookup reads only the row groups it needs.
 */
export interface ArchiveQueryEngine {
  readonly store: ObjectStore;
  /** A connection whose views `dispatch`, `pings` and `orders` read the current files. */
  open(options?: Pick<OpenArchiveDatabaseOptions, 'days'>): Promise<ArchiveDatabase>;
  close(): void;
}

/** Starts a query engine over `store` (see ArchiveQueryEngine). */
export async function createArchiveQueryEngine(
  store: ObjectStore,
  options: ArchiveQueryEngineOptions = {},
): Promise<ArchiveQueryEngine> {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(options.threads ?? 2) });
  const setup = await instance.connect();
  await setup.run('SET GLOBAL parquet_metadata_cache = true');
  setup.closeSync();
  const cache = options.cacheDirectory ?? join(tmpdir(), 'hoot-archive-cache');
  return {
    store,
    async open(openOptions = {}) {
      const connection: DuckDBConnection = await instance.connect();
      try {
        for (const [view, topic] of Object.entries(ARCHIVE_VIEWS)) {
          const files = await archiveFiles(store, topic, openOptions.days?.[topic]);
          const paths = await localPaths(store, files, cache);
          await connection.run(`CREATE TEMP VIEW ${view} AS SELECT * FROM ${topicRelation(topic, paths)}`);
        }
      } catch (error) {
        connection.closeSync();
        throw error;
      }
      return {
        async query(sql, parameters) {
          const reader = await connection.runAndReadAll(sql, parameters);
          return { columns: reader.columnNames(), rows: reader.getRowObjectsJson() };
        },
        close() {
          connection.closeSync();
        },
      };
    },
    close() {
      instance.closeSync();
    },
  };
}

/**
 * Opens an in-memory DuckDB whose views `dispatch`, `pings` and `orders` read the archive's
 * current files (complete ones, and open copies of those being filled): one query engine for
 * one connection, both closed by `close`. The file list is taken at opening.
 */
export async function openArchiveDatabase(
  store: ObjectStore,
  options: OpenArchiveDatabaseOptions = {},
): Promise<ArchiveDatabase> {
  const engine = await createArchiveQueryEngine(store, options);
  try {
    const database = await engine.open(options.days === undefined ? {} : { days: options.days });
    return {
      query: database.query,
      close() {
        database.close();
        engine.close();
      },
    };
  } catch (error) {
    engine.close();
    throw error;
  }
}
