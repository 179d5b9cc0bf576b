import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createTopics, produce } from './harness/kafka.ts';
import { TestApplication } from './harness/test-application.ts';
import { countingWorkload } from './harness/workload.ts';

describe('a counting topology run by two processor processes', () => {
  const t = new TestApplication('it-two');
  const { input, output } = t;
  after(() => t.cleanup());

  it('counts exactly the distinct ids of the generated ground truth, per window and in total', async () => {
    await createTopics([
      { topic: input, partitions: 4 },
      { topic: output, partitions: 4 },
    ]);
    const workload = countingWorkload({ seed: 7, events: 20_000, groups: 40, hours: 6, duplicateShare: 0.1 });
    const processes = [0, 1].map(() => t.startCountingApp(t.newDir(), { LOG_LEVEL: 'info' }));
    await Promise.all(processes.map((p) => p.waitForLog((l) => l.msg === 'counting app started')));
    await produce(input, workload.messages);

    assert.deepEqual(await t.settle(workload.truth), []);
    const tasksPerProcess = processes.map(
      (p) =>
        (p.logs.filter((l) => l.msg === 'assignment received').at(-1)?.tasks as number[] | undefined)
          ?.length ?? 0,
    );
    assert.deepEqual(tasksPerProcess, [2, 2], 'the four tasks are shared between the two processes');
  });
});
