import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createTopics, produce, sleep } from './harness/kafka.ts';
import type { AppProcess, LogLine } from './harness/processes.ts';
import { dumpState } from './harness/state-dump.ts';
import { TestApplication } from './harness/test-application.ts';
import { countingWorkload } from './harness/workload.ts';

describe('restoring state from changelogs', () => {
  const t = new TestApplication('it-restore');
  const { input, output } = t;
  const newDir = () => t.newDir();
  const startApp = async (dir: string) => {
    const p = t.startCountingApp(dir);
    await p.waitForLog((l) => l.msg === 'counting app started');
    return p;
  };
  const restored = (p: AppProcess) =>
    p.logs
      .filter((l: LogLine) => typeof l.msg === 'string' && l.msg.startsWith('restored '))
      .reduce((n, l) => n + Number(l.restored), 0);
  const settle = (truth: Map<string, number>) => t.settle(truth);
  const tasksRunning = (p: AppProcess, n: number) => {
    const deadline = Date.now() + 60_000;
    return (async () => {
      while (p.logs.filter((l) => l.msg === 'task running').length < n) {
        if (Date.now() > deadline) throw new Error('tasks did not start');
        await sleep(100);
      }
    })();
  };

  after(() => t.cleanup());

  it('rebuilds identical state in an empty directory, and restores only the tail into a surviving one', async () => {
    await createTopics([
      { topic: input, partitions: 2 },
      { topic: output, partitions: 2 },
    ]);
    const first = countingWorkload({
      seed: 11,
      events: 8000,
      groups: 20,
      hours: 4,
      duplicateShare: 0.1,
      idPrefix: 'a',
    });
    const second = countingWorkload({
      seed: 12,
      events: 3000,
      groups: 20,
      hours: 4,
      duplicateShare: 0.1,
      idPrefix: 'b',
    });
    const truth = new Map(first.truth);
    for (const [k, v] of second.truth) truth.set(k, (truth.get(k) ?? 0) + v);

    const original = newDir();
    const a = await startApp(original);
    await produce(input, first.messages);
    assert.deepEqual(await settle(first.truth), []);
    assert.equal(await a.stop(), 0, 'SIGTERM stops cleanly');
    const before = dumpState(original);
    assert.equal(before.size, 2);

    // A new pod: empty state directory.
    const fresh = newDir();
    const b = await startApp(fresh);
    await tasksRunning(b, 2);
    const fullRestore = restored(b);
    const rows = [...before.values()].reduce((n, lines) => n + lines.length, 0);
    assert.ok(fullRestore >= rows, `full restore applied ${fullRestore} changelog records for ${rows} rows`);
    assert.equal(await b.stop(), 0);
    assert.deepEqual(dumpState(fresh), before, 'the rebuilt state equals the original, row for row');

    // More input while the new process owns the tasks, then the original process comes back.
    const b2 = await startApp(fresh);
    await produce(input, second.messages);
    assert.deepEqual(await settle(truth), []);
    assert.equal(await b2.stop(), 0);
    const a2 = await startApp(original);
    await tasksRunning(a2, 2);
    const tail = restored(a2);
    assert.ok(
      tail > 0 && tail < fullRestore / 2,
      `restart restored only the tail: ${tail} of ${fullRestore} records`,
    );
    assert.deepEqual(dumpState(original), dumpState(fresh), 'both directories hold the same state');
    assert.deepEqual(await settle(truth), []);
  });
});
