import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parseArchiveFileKey } from '../layout/archive-layout.ts';
import { sqlLiteral } from '../query/archive-database.ts';
import { type ArchiveFile, localPaths } from '../query/archive-files.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { recordErasure } from './erasures.ts';

export interface ForgetResult {
  /** Archive files looked at (complete and open). */
  filesScanned: number;
  /** Files written again without the subscriber's rows. */
  filesRewritten: number;
  rowsRemoved: number;
}

/**
 * Erases one subscriber of one merchant from the archive (a privacy request). First records the
 * erasure, so the archiver leaves those rows out of every file it writes from then on; then
 * rewrites each file holding such rows without them (each rewrite replaces the object whole, so
 * a crash leaves every file either as it was or rewritten: running the command again finishes
 * the job). Other rows, their order and types are kept. Copies on Kafka itself expire with the
 * topics' retention.
 */
export async function forgetSubscriber(
  store: ObjectStore,
  merchant: string,
  subscriberId: number,
  options: { cacheDirectory?: string; log?: (line: string) => void } = {},
): Promise<ForgetResult> {
  await recordErasure(store, merchant, subscriberId);
  const files: ArchiveFile[] = [];
  for await (const object of store.list('')) {
    const ref = parseArchiveFileKey(object.key);
    if (ref !== undefined) files.push({ ...ref, key: object.key, size: object.size, etag: object.etag });
  }
  const work = await mkdtemp(join(tmpdir(), 'hoot-forget-'));
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const connection = await instance.connect();
  const result: ForgetResult = { filesScanned: files.length, filesRewritten: 0, rowsRemoved: 0 };
  try {
    const paths = await localPaths(
      store,
      files,
      options.cacheDirectory ?? join(tmpdir(), 'hoot-archive-cache'),
    );
    for (const [i, file] of files.entries()) {
      const path = paths[i];
      if (path === undefined) continue;
      const source = `read_parquet(${sqlLiteral(path)}, hive_partitioning = false)`;
      const columns = (await connection.runAndReadAll(`SELECT * FROM ${source} LIMIT 0`)).columnNames();
      if (!columns.includes('merchant') || !columns.includes('subscriber_id')) continue;
      const match = 'merchant = $merchant AND subscriber_id = $subscriber';
      const parameters = { merchant, subscriber: subscriberId };
      const found = await connection.runAndReadAll(
        `SELECT count(*)::INTEGER AS n FROM ${source} WHERE ${match}`,
        parameters,
      );
      const rows = Number(found.getRowObjectsJson()[0]?.n ?? 0);
      if (rows === 0) continue;
      const output = join(work, `${i}.parquet`);
      await connection.run(
        `COPY (SELECT * FROM ${source} WHERE NOT (${match}) OR merchant IS NULL OR subscriber_id IS NULL)
         TO ${sqlLiteral(output)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 8192)`,
        parameters,
      );
      await store.put(file.key, new Uint8Array(await readFile(output)));
      result.filesRewritten++;
      result.rowsRemoved += rows;
      options.log?.(`${file.key}: ${rows} rows removed`);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(work, { recursive: true, force: true });
  }
  return result;
}
