import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createTopics, produceSpread, sleep } from './harness/kafka.ts';
import type { AppProcess } from './harness/processes.ts';
import { TestApplication } from './harness/test-application.ts';
import { countingWorkload, random } from './harness/workload.ts';

describe('processors killed with kill -9 while input flows', () => {
  const t = new TestApplication('it-kill');
  const { input, output } = t;
  const live: AppProcess[] = [];
  after(() => t.cleanup());

  const start = (slot: number, dir: string) => {
    live[slot] = t.startCountingApp(dir, { SESSION_TIMEOUT_MS: '6000', LOG_LEVEL: 'info' });
  };

  it('ends with counts exactly equal to the ground truth after 6 random kills', async () => {
    await createTopics([
      { topic: input, partitions: 6 },
      { topic: output, partitions: 6 },
    ]);
    const workload = countingWorkload({
      seed: 99,
      events: 60_000,
      groups: 60,
      hours: 12,
      duplicateShare: 0.1,
    });
    const slotDirs = [t.newDir(), t.newDir()];
    start(0, slotDirs[0]!);
    start(1, slotDirs[1]!);

    const producing = produceSpread(input, workload.messages, 60, 400);

    const next = random(4242);
    let kills = 0;
    await sleep(3000);
    while (kills < 6) {
      const slot = Math.floor(next() * 2);
      const victim = live[slot]!;
      await victim.kill9();
      kills++;
      // Half the restarts keep their state directory (fast restart), half start empty (new pod).
      if (next() < 0.5) slotDirs[slot] = t.newDir();
      await sleep(500 + Math.floor(next() * 1500));
      start(slot, slotDirs[slot]!);
      await sleep(2500 + Math.floor(next() * 2500));
    }
    await producing;

    const problems = await t.settle(workload.truth, 180_000);
    assert.equal(kills, 6);
    assert.deepEqual(problems.slice(0, 20), [], `${problems.length} counts differ`);
  });
});
