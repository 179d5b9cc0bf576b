import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createBuiltinCatalog, ensureTopics, sharedTopicConfigs } from '@hoot/events';
import { createLogger } from '@hoot/runtime';
import { PrivateBroker, Workload } from '@hoot/workload';
import { Kafka, logLevel } from 'kafkajs';
import { createArchiverMetrics } from '../src/metrics.ts';
import { openArchiveDatabase } from '../src/query/archive-database.ts';
import { createLocalStore } from '../src/storage/local-store.ts';
import { startArchiver } from '../src/writer/archiver.ts';
import {
  ARCHIVED,
  allRecords,
  archivedCount,
  compareWithTopics,
  uniqueGroup,
  waitFor,
  writePhase,
} from './harness/archive-test.ts';

const logger = createLogger({
  service: 'archiver-test',
  level: (process.env.ARCHIVER_TEST_LOG as 'info') ?? 'warn',
});

describe('the archiver on a real broker', () => {
  const broker = new PrivateBroker();
  let kafka: Kafka;
  let written = 0;
  const dirs: string[] = [];

  before(async () => {
    await broker.start();
    kafka = new Kafka({ brokers: [broker.brokers], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, sharedTopicConfigs({ partitions: 3, replicationFactor: 1 }));
    await admin.disconnect();
    const workload = new Workload({ seed: 12, notifications: 4000, merchants: 6, days: 1 });
    written = await writePhase(kafka, allRecords(workload));
  });

  after(async () => {
    await broker.destroy();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('archives every record of the workload once to a local directory, readable with DuckDB', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hoot-archive-'));
    dirs.push(dir);
    const store = createLocalStore(dir);
    const metrics = createArchiverMetrics();
    const archiver = await startArchiver({
      kafka,
      store,
      topics: ARCHIVED.map((a) => a.topic),
      groupId: uniqueGroup('archive-local'),
      limits: { maxRecords: 700, maxBytes: 64 * 1024 * 1024 },
      openFileWriteMs: 300,
      registry: createBuiltinCatalog(),
      metrics,
      logger,
      sessionTimeoutMs: 10_000,
      onCrash: (error) => assert.fail(error),
    });
    try {
      await waitFor(
        'every record in the archive',
        async () => (await archivedCount(store)) >= written,
        60_000,
        500,
      );
    } finally {
      await archiver.stop();
    }

    const { problems, records } = await compareWithTopics(kafka, store);
    assert.equal(records, written);
    assert.deepEqual(problems, []);
    const database = await openArchiveDatabase(store);
    try {
      const open = await database
        .query(`SELECT count(*)::INTEGER AS n FROM dispatch WHERE filename LIKE '%_open%'`)
        .catch(() => undefined);
      assert.ok(open === undefined || Number(open.rows[0]?.n) === 0, 'no open file left after stop');
      const { rows } = await database.query(
        `SELECT count(DISTINCT dt || ' ' || hour)::INTEGER AS hours, count(*)::INTEGER AS n FROM dispatch`,
      );
      assert.ok(Number(rows[0]?.hours) > 1, 'records spread over several hour partitions');
    } finally {
      database.close();
    }
  });
});
