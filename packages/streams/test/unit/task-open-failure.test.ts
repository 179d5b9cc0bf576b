import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { EngineMetrics, jsonSerde, TopologyBuilder } from '../../src/index.ts';
import { createKafkajsAdmin } from '../../src/port/kafkajs/admin.ts';
import { createKafkajsPartitionReader } from '../../src/port/kafkajs/partition-reader.ts';
import { createKafkajsTransactionalProducer } from '../../src/port/kafkajs/transactional-producer.ts';
import { ChangelogRestorer } from '../../src/restore/changelog-restorer.ts';
import { StreamTask } from '../../src/task/stream-task.ts';

/** A port nothing listens on: a broker that is away. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('a task that cannot open while the broker is away', () => {
  it('fails its open and closes cleanly, so that the open can be retried', async () => {
    const kafka = new Kafka({
      clientId: 'task-open-failure',
      brokers: [`127.0.0.1:${await closedPort()}`],
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    });
    const builder = new TopologyBuilder('open-failure');
    builder
      .stream('in', { value: jsonSerde<{ id: string }>() })
      .distinct('dedupe', { by: (v) => v.id, horizonMs: 3_600_000 })
      .to('out', { value: jsonSerde<{ id: string }>() });
    const logger = pino({ level: 'silent' });
    const metrics = new EngineMetrics(new Registry());
    const stateDir = mkdtempSync(join(tmpdir(), 'task-open-failure-'));
    try {
      const task = new StreamTask({
        applicationId: 'open-failure',
        partition: 0,
        partitionCount: 1,
        topology: builder.build(),
        stateDir,
        cacheMaxEntries: 100,
        admin: createKafkajsAdmin(kafka),
        producer: createKafkajsTransactionalProducer(kafka, 'open-failure-in-0', logger),
        restorer: new ChangelogRestorer(
          createKafkajsPartitionReader(kafka, { groupId: 'open-failure', topics: [] }, logger),
          metrics,
          logger,
        ),
        metrics,
        logger,
      });
      await assert.rejects(task.open('open-failure'), /ECONNREFUSED|Connection/);
      await task.close();
      assert.equal(task.status, 'closed');
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
