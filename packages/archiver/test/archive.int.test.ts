import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createBuiltinCatalog, sharedTopicConfigs } from '@hoot/events';
import { createMissingTopics } from '@hoot/kafka';
import { createLogger } from '@hoot/runtime';
import { PrivateBroker, Workload } from '@hoot/workload';
import { Kafka, logLevel } from 'kafkajs';
import { parseArchiveFileKey } from '../src/layout/archive-layout.ts';
import { forgetSubscriber } from '../src/maintenance/forget.ts';
import { removeExpired } from '../src/maintenance/retention.ts';
import { type ArchiverMetrics, createArchiverMetrics } from '../src/metrics.ts';
import { openArchiveDatabase } from '../src/query/archive-database.ts';
import { createLocalStore } from '../src/storage/local-store.ts';
import type { ObjectStore } from '../src/storage/object-store.ts';
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
  const stores: ObjectStore[] = [];

  const sum = async (metric: { get(): Promise<{ values: Array<{ value: number }> }> }) =>
    (await metric.get()).values.reduce((n, v) => n + v.value, 0);

  /** The archiver in this process over `store`, cutting files at 700 records. */
  function startLocalArchiver(
    store: ObjectStore,
    groupId: string,
    metrics: ArchiverMetrics,
    openFileWriteMs: number,
  ) {
    return startArchiver({
      kafka,
      store,
      topics: ARCHIVED.map((a) => a.topic),
      groupId,
      limits: { maxRecords: 700, maxBytes: 64 * 1024 * 1024 },
      openFileWriteMs,
      registry: createBuiltinCatalog(),
      metrics,
      logger,
      sessionTimeoutMs: 10_000,
      onCrash: (error) => assert.fail(error),
    });
  }

  /** Runs an archiver of a new group over a new local directory until it holds every record, then stops it. */
  async function archiveAll(name: string): Promise<ObjectStore> {
    const dir = mkdtempSync(join(tmpdir(), 'hoot-archive-'));
    dirs.push(dir);
    const store = createLocalStore(dir);
    stores.push(store);
    const metrics = createArchiverMetrics();
    const archiver = await startLocalArchiver(store, uniqueGroup(name), metrics, 300);
    try {
      // Taken by this archiver (in complete files or in files being filled), and visible to
      // readers (open copies are written every 300 ms).
      await waitFor(
        'every record taken and in the archive',
        async () =>
          (await sum(metrics.records)) + (await sum(metrics.openRecords)) >= written &&
          (await archivedCount(store)) >= written,
        60_000,
        500,
      );
      // The workload's hours are long past: once caught up, every file is completed and
      // committed without waiting for a later record or a stop.
      await waitFor(
        'every file of a past hour completed',
        async () => (await sum(metrics.openRecords)) === 0,
        30_000,
      );
    } finally {
      await archiver.stop();
    }
    return store;
  }

  /** Complete files by key, with their etags (MD5 of the bytes). */
  async function completeFiles(store: ObjectStore): Promise<Map<string, string>> {
    const files = new Map<string, string>();
    for await (const object of store.list('topic=')) files.set(object.key, object.etag);
    return files;
  }

  before(async () => {
    await broker.start();
    kafka = new Kafka({ brokers: [broker.brokers], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await createMissingTopics(admin, sharedTopicConfigs({ partitions: 3, replicationFactor: 1 }));
    await admin.disconnect();
    const workload = new Workload({ seed: 12, notifications: 4000, merchants: 6, days: 1 });
    written = await writePhase(kafka, allRecords(workload));
  });

  after(async () => {
    for (const store of stores) await store.close();
    await broker.destroy();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('archives every record of the workload once to a local directory, readable with DuckDB', async () => {
    const store = await archiveAll('archive-local');
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
  it('writes the same file names with the same bytes when the topics are archived again', async () => {
    const first = await completeFiles(stores[0] as ObjectStore);
    const again = await completeFiles(await archiveAll('archive-again'));
    assert.ok(first.size > 10, `several files (${first.size})`);
    assert.deepEqual([...again.entries()].sort(), [...first.entries()].sort());
  });

  it('never replaces a stored file with a shorter one: an instance stopped early commits past what is stored', async () => {
    const store = stores[1] as ObjectStore;
    const before = await completeFiles(store);
    const metrics = createArchiverMetrics();
    const group = uniqueGroup('archive-early-stop');
    const archiver = await startLocalArchiver(store, group, metrics, 60_000);
    try {
      await waitFor('some records taken, not all', async () => (await sum(metrics.records)) > 0, 60_000, 5);
    } finally {
      await archiver.stop(); // cuts each file being filled where it stands
    }
    const kept = (await metrics.rewrites.get()).values.filter((v) => v.labels.identical === 'false');
    assert.ok(kept.length > 0, 'a file cut short met the longer stored one');
    assert.deepEqual([...(await completeFiles(store)).entries()].sort(), [...before.entries()].sort());
    const { problems } = await compareWithTopics(kafka, store);
    assert.deepEqual(problems, []);
    // Its commits went past the stored files: the group, started again, adds no file and
    // changes none (the rest of each partition cuts exactly where the stored files do).
    const admin = kafka.admin();
    await admin.connect();
    let remaining = 0;
    try {
      for (const { topic } of ARCHIVED) {
        const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
        for (const end of await admin.fetchTopicOffsets(topic)) {
          const at = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
          remaining += Number(end.high) - Math.max(0, Number(at));
        }
      }
    } finally {
      await admin.disconnect();
    }
    const againMetrics = createArchiverMetrics();
    const again = await startLocalArchiver(store, group, againMetrics, 60_000);
    try {
      await waitFor(
        `the ${remaining} records after the commits taken`,
        async () => (await sum(againMetrics.records)) + (await sum(againMetrics.openRecords)) === remaining,
        60_000,
      );
    } finally {
      await again.stop();
    }
    assert.deepEqual([...(await completeFiles(store)).entries()].sort(), [...before.entries()].sort());
  });

  it('forgets one subscriber of one merchant: none of their rows left, every other row intact', async () => {
    const store = stores[1] as ObjectStore;
    const database = await openArchiveDatabase(store);
    let merchant: string;
    let subscriber: number;
    try {
      const { rows } = await database.query(
        `SELECT merchant, subscriber_id, count(*)::INTEGER AS n FROM (
           SELECT merchant, subscriber_id FROM dispatch UNION ALL SELECT merchant, subscriber_id FROM pings)
         GROUP BY ALL ORDER BY n DESC, merchant, subscriber_id LIMIT 1`,
      );
      merchant = String(rows[0]?.merchant);
      subscriber = Number(rows[0]?.subscriber_id);
      assert.ok(Number(rows[0]?.n) >= 2, 'a subscriber with a dispatch and a ping');
    } finally {
      database.close();
    }
    const result = await forgetSubscriber(store, merchant, subscriber);
    assert.ok(result.filesRewritten > 0 && result.rowsRemoved >= 2, JSON.stringify(result));
    const { problems } = await compareWithTopics(
      kafka,
      store,
      (row) => row.merchant === merchant && Number(row.subscriber_id) === subscriber,
    );
    assert.deepEqual(problems, []);
    const same = await forgetSubscriber(store, merchant, subscriber);
    assert.equal(same.filesRewritten, 0, 'forgetting again finds nothing left');
  });

  it('removes the hour partitions older than the retention, and only those', async () => {
    const store = stores[0] as ObjectStore;
    const before = await completeFiles(store);
    const hours = [
      ...new Set([...before.keys()].map((k) => parseArchiveFileKey(k)).map((r) => `${r?.dt}T${r?.hour}`)),
    ].sort();
    const keepFrom = hours[Math.floor(hours.length / 2)] as string;
    const now = Date.parse(`${keepFrom}:00:00Z`) + 2 * 86_400_000;
    const removed = await removeExpired(store, 2, now);
    const after = await completeFiles(store);
    assert.ok(removed.length > 0 && after.size > 0);
    for (const key of before.keys()) {
      const ref = parseArchiveFileKey(key);
      const old = `${ref?.dt}T${ref?.hour}` < keepFrom;
      assert.equal(after.has(key), !old, `${key} ${old ? 'removed' : 'kept'}`);
    }
  });
});
