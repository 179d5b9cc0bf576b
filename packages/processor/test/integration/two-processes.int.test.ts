import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createTopics, deleteTopicsWithPrefix, produce, uniqueName } from './harness/kafka.ts';
import { AppProcess } from './harness/processes.ts';
import { countingWorkload, settleCounts } from './harness/workload.ts';

describe('a counting topology run by two processor processes', () => {
  const app = uniqueName('it-two');
  const input = `${app}-input`;
  const output = `${app}-output`;
  const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'hoot-two-')));
  const processes: AppProcess[] = [];

  after(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    await deleteTopicsWithPrefix(app);
  });

  it('counts exactly the distinct ids of the generated ground truth, per window and in total', async () => {
    await createTopics([
      { topic: input, partitions: 4 },
      { topic: output, partitions: 4 },
    ]);
    const workload = countingWorkload({ seed: 7, events: 20_000, groups: 40, hours: 6, duplicateShare: 0.1 });
    for (const dir of dirs) {
      processes.push(
        new AppProcess({
          APPLICATION_ID: app,
          INPUT_TOPIC: input,
          OUTPUT_TOPIC: output,
          STATE_DIR: dir,
          LOG_LEVEL: 'info',
        }),
      );
    }
    await Promise.all(processes.map((p) => p.waitForLog((l) => l.msg === 'counting app started')));
    await produce(input, workload.messages);

    assert.deepEqual(await settleCounts({ applicationId: app, input, output, truth: workload.truth }), []);
    const tasksPerProcess = processes.map(
      (p) =>
        (p.logs.filter((l) => l.msg === 'assignment received').at(-1)?.tasks as number[] | undefined)
          ?.length ?? 0,
    );
    assert.deepEqual(tasksPerProcess, [2, 2], 'the four tasks are shared between the two processes');
  });
});
