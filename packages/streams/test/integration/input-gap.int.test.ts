import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import {
  changelogTopic,
  createKafkajsPort,
  EngineMetrics,
  type InputBatch,
  jsonSerde,
  TopologyBuilder,
} from '../../src/index.ts';
import { ChangelogRestorer } from '../../src/restore/changelog-restorer.ts';
import { StreamTask } from '../../src/task/stream-task.ts';
import { brokers, createTopics, deleteTopicsWithPrefix, readAll, uniqueName } from './harness/kafka.ts';

/** A batch of `in` as a consumer hands it over: records at `offsets`, fetched from `fetchOffset`. */
function batch(topic: string, offsets: number[], fetchOffset: number): InputBatch {
  return {
    topic,
    partition: 0,
    records: offsets.map((offset) => ({
      offset,
      key: Buffer.from('k'),
      value: Buffer.from(JSON.stringify({ id: `n-${offset}` })),
      timestamp: Date.now(),
      headers: {},
    })),
    highWatermark: 100,
    nextOffset: offsets.at(-1)! + 1,
    fetchOffset,
  };
}

describe('a batch that does not follow on from the task position', () => {
  const prefix = uniqueName('gap');
  after(() => deleteTopicsWithPrefix(prefix));

  it('is not processed and names the offset to read again from; a gap the fetch proves empty is stepped over', async () => {
    const applicationId = `${prefix}-app`;
    const input = `${prefix}-in`;
    const output = `${prefix}-out`;
    await createTopics([
      { topic: input, partitions: 1 },
      { topic: output, partitions: 1 },
      { topic: changelogTopic(applicationId, 'seen'), partitions: 1, compact: true },
      { topic: changelogTopic(applicationId, 'task-meta'), partitions: 1, compact: true },
    ]);
    const builder = new TopologyBuilder('gap');
    builder
      .stream(input, { value: jsonSerde<{ id: string }>() })
      .distinct('seen', { by: (v) => v.id, horizonMs: 3_600_000 })
      .to(output, { value: jsonSerde<{ id: string }>() });
    const logger = pino({ level: 'silent' });
    const port = createKafkajsPort({ brokers, clientId: applicationId, logger });
    const metrics = new EngineMetrics(new Registry());
    const admin = port.admin();
    await admin.connect();
    const reader = port.partitionReader({ groupId: `${applicationId}-restore`, topics: [] });
    const stateDir = mkdtempSync(join(tmpdir(), 'input-gap-'));
    const task = new StreamTask({
      applicationId,
      partition: 0,
      partitionCount: 1,
      topology: builder.build(),
      stateDir,
      cacheMaxEntries: 100,
      admin,
      producer: port.transactionalProducer(`${applicationId}-0`),
      restorer: new ChangelogRestorer(reader, metrics, logger),
      metrics,
      logger,
    });
    try {
      await task.open(applicationId);
      // Records 0-4 were never handed over (dropped): the batch from 5 must not step over them.
      assert.equal(await task.process(batch(input, [5, 6, 7], 5)), 0);
      assert.equal(await task.process(batch(input, [0, 1, 2, 3, 4], 0)), undefined);
      // Offsets 5 and 6 held aborted data: the fetch from 5 found 7 first, which follows on.
      assert.equal(await task.process(batch(input, [7, 8], 5)), undefined);
      await task.commit(applicationId);
      const out = await readAll(output);
      assert.deepEqual(
        out.map((r) => JSON.parse(r.value!.toString()).id),
        ['n-0', 'n-1', 'n-2', 'n-3', 'n-4', 'n-7', 'n-8'],
      );
      assert.equal((await admin.committedOffsets(applicationId, input)).get(0), 9);
    } finally {
      await task.close();
      await admin.disconnect();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
