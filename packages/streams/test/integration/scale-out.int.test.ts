// The processor group scaled as an autoscaler scales it, under load: one process, two more
// added, those two removed with SIGTERM (the StatefulSet scaled down), the last one killed with
// SIGKILL (a node lost) and started again on its state directory (the pod rescheduled with its
// volume). Counts must equal the ground truth; how long each partition went without a running
// task after each step is printed.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createTopics, produceSpread, sleep } from './harness/kafka.ts';
import type { AppProcess, LogLine } from './harness/processes.ts';
import { TestApplication } from './harness/test-application.ts';
import { countingWorkload } from './harness/workload.ts';

const PARTITIONS = 6;

/**
 * For each partition, when after `since` (epoch ms) a process had its task running again: the
 * task's 'task running' line, or an assignment that kept a task the process already ran (the
 * engine keeps such a task open across a rebalance). A process's tasks end with its exit.
 */
function runningAgainAt(processes: AppProcess[], since: number): Map<number, number> {
  const at = new Map<number, number>();
  const found = (partition: number, time: number) => {
    if (time >= since && time < (at.get(partition) ?? Number.POSITIVE_INFINITY)) at.set(partition, time);
  };
  for (const p of processes) {
    let open = new Set<number>();
    for (const line of p.logs as Array<LogLine & { time: number; task?: string; tasks?: number[] }>) {
      if (line.msg === 'task running' && line.task !== undefined) {
        open.add(Number(line.task));
        found(Number(line.task), line.time);
      } else if (line.msg === 'assignment received' && line.tasks !== undefined) {
        const assigned = new Set(line.tasks);
        open = new Set([...open].filter((t) => assigned.has(t)));
        for (const t of open) found(t, line.time);
      }
    }
  }
  return at;
}

describe('the processor group scaled out and in under load', () => {
  const t = new TestApplication('it-scale');
  const { input, output } = t;
  after(() => t.cleanup());

  it('counts exactly through 1 -> 3 processes, 2 removed with SIGTERM, the last killed and restarted', async () => {
    await createTopics([
      { topic: input, partitions: PARTITIONS },
      { topic: output, partitions: PARTITIONS },
    ]);
    const workload = countingWorkload({
      seed: 31,
      events: 60_000,
      groups: 60,
      hours: 12,
      duplicateShare: 0.1,
    });
    const env = { SESSION_TIMEOUT_MS: '6000', LOG_LEVEL: 'info' };
    const all: AppProcess[] = [];
    const start = (dir: string) => {
      const p = t.startCountingApp(dir, env);
      all.push(p);
      return p;
    };
    const firstDir = t.newDir();
    const first = start(firstDir);
    await first.waitForLog((l) => l.msg === 'counting app started');

    const producing = produceSpread(input, workload.messages, 50, 400);

    const steps: Array<{ step: string; at: number }> = [];
    /** Waits until every partition has a running task again after the step, and records it. */
    const step = async (name: string, act: () => Promise<void>) => {
      const at = Date.now();
      await act();
      steps.push({ step: name, at });
      for (let i = 0; i < 240 && runningAgainAt(all, at).size < PARTITIONS; i++) await sleep(250);
    };

    await sleep(3_000);
    let added: AppProcess[] = [];
    await step('2 processes added', async () => {
      added = [start(t.newDir()), start(t.newDir())];
    });
    await sleep(4_000);
    await step('2 processes stopped with SIGTERM', async () => {
      await Promise.all(added.map((p) => p.stop()));
    });
    await sleep(4_000);
    await step('the last process killed with SIGKILL and started again on its state', async () => {
      await first.kill9();
      start(firstDir);
    });
    await producing;

    const problems = await t.settle(workload.truth, 180_000);
    assert.deepEqual(problems.slice(0, 20), [], `${problems.length} counts differ`);
    assert.deepEqual(
      added.map((p) => p.child.exitCode),
      [0, 0],
      'the processes stopped with SIGTERM exited cleanly',
    );
    for (const { step: name, at } of steps) {
      const again = runningAgainAt(all, at);
      const gaps = [...Array(PARTITIONS).keys()].map((p) => {
        const time = again.get(p);
        return time === undefined ? 'never' : `${((time - at) / 1000).toFixed(1)}`;
      });
      console.log(
        `# ${name}: seconds until each partition's task ran again (0..${PARTITIONS - 1}): ${gaps.join(', ')}`,
      );
      assert.ok(!gaps.includes('never'), `after ${name}, every partition ran again`);
    }
  });
});
