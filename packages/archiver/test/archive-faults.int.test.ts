import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sharedTopicConfigs } from '@hoot/events';
import { createMissingTopics } from '@hoot/kafka';
import { PrivateBroker, Workload, type WorkloadRecord } from '@hoot/workload';
import { Kafka, logLevel } from 'kafkajs';
import {
  archivedCount,
  compareWithTopics,
  uniqueGroup,
  waitFor,
  writePhase,
} from './harness/archive-test.ts';
import { type ArchiverProcess, startArchiverProcess } from './harness/archiver-process.ts';
import { type S3ProxyServer, startS3Proxy } from './harness/s3-proxy.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The workload's records in chunks of `size`, for writing a little at a time. */
function* chunks(workload: Workload, size: number): Iterable<WorkloadRecord[]> {
  let chunk: WorkloadRecord[] = [];
  for (const batch of [...workload.main(), ...workload.orders()]) {
    for (const record of batch) {
      chunk.push(record);
      if (chunk.length === size) {
        yield chunk;
        chunk = [];
      }
    }
  }
  if (chunk.length > 0) yield chunk;
}

describe('the archiver killed with SIGKILL mid-file and its S3 server stopped', () => {
  const broker = new PrivateBroker();
  let kafka: Kafka;
  let s3: S3ProxyServer;
  let archiver: ArchiverProcess | undefined;

  before(async () => {
    await Promise.all([broker.start(), startS3Proxy().then((server) => (s3 = server))]);
    kafka = new Kafka({ brokers: [broker.brokers], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await createMissingTopics(admin, sharedTopicConfigs({ partitions: 3, replicationFactor: 1 }));
    await admin.disconnect();
  });

  after(async () => {
    await archiver?.kill9();
    await s3?.dispose();
    await broker.destroy();
  });

  it('archives every record exactly once on S3 through three kills and a 20 s storage outage', async () => {
    const prefix = 'faults';
    const store = s3.store(prefix);
    const env = {
      KAFKA_BROKERS: broker.brokers,
      ARCHIVE_URL: `s3://${s3.bucket}/${prefix}`,
      ARCHIVE_S3_ENDPOINT: s3.endpoint,
      ARCHIVE_S3_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      ARCHIVE_S3_REGION: s3.region,
      ARCHIVER_GROUP_ID: uniqueGroup('archive-faults'),
      ARCHIVE_FILE_MAX_RECORDS: '300',
      ARCHIVE_OPEN_FILE_WRITE_MS: '500',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
    };
    // Records keep arriving through every fault: 100 every 600 ms, about a minute in all.
    const workload = new Workload({ seed: 7, notifications: 6000, merchants: 5, days: 1 });
    let writing = true;
    let written = 0;
    const writer = (async () => {
      for (const chunk of chunks(workload, 100)) {
        written += await writePhase(kafka, [chunk]);
        await sleep(600);
      }
      writing = false;
    })();

    // `archiver` (for the cleanup) always names the one running.
    const start = async (name: string) => {
      archiver = await startArchiverProcess(name, env);
      return archiver;
    };
    let running = await start('faults-1');
    const midFile = async (what: string) =>
      waitFor(what, async () => (await running.metric('hoot_archiver_open_records')) > 0, 30_000, 50);
    for (let kill = 1; kill <= 2; kill++) {
      await sleep(2500);
      await midFile(`records held in a file being filled before kill ${kill}`);
      await running.kill9();
      running = await start(`faults-${kill + 1}`);
    }

    // The S3 server stops for 20 s while records keep arriving: /readyz says so, nothing is lost.
    await sleep(1500);
    await s3.stop();
    const stoppedAt = Date.now();
    await waitFor(
      'readyz 503 while S3 is down',
      async () => (await running.readyz()).status === 503,
      15_000,
      200,
    );
    const { body } = await running.readyz();
    assert.match(body, /storage/);
    await sleep(20_000 - (Date.now() - stoppedAt));
    await s3.restart();
    await waitFor(
      'readyz 200 once S3 is back',
      async () => (await running.readyz()).status === 200,
      30_000,
      200,
    );
    assert.ok(
      (await running.metric('hoot_archiver_storage_errors_total')) > 0,
      'storage errors were seen and retried',
    );

    await midFile('records held in a file being filled before kill 3');
    await running.kill9();
    running = await start('faults-4');

    await writer;
    assert.equal(writing, false);
    await waitFor(
      'every record in the archive',
      async () => (await archivedCount(store)) >= written,
      120_000,
      1000,
    );
    assert.equal(await running.stop(), 0, 'SIGTERM ends the archiver with code 0');

    const { problems, records } = await compareWithTopics(kafka, store);
    assert.equal(records, written);
    assert.deepEqual(problems, []);
  });
});
