import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createTopics, produce, readAll } from './harness/kafka.ts';
import { TestApplication } from './harness/test-application.ts';
import { countingWorkload, random } from './harness/workload.ts';

describe('garbage in the input topic', () => {
  const t = new TestApplication('it-dlq');
  const { id: app, input, output } = t;
  const dir = t.newDir();
  after(() => t.cleanup());

  it('goes to the dead-letter topic with the reason, untouched, while the stream goes on', async () => {
    await createTopics([
      { topic: input, partitions: 3 },
      { topic: output, partitions: 3 },
    ]);
    const workload = countingWorkload({ seed: 5, events: 5000, groups: 10, hours: 3, duplicateShare: 0.05 });
    const next = random(77);
    const garbage = [
      Buffer.from('not json at all'),
      Buffer.from('{"id": 1, "group": "g1", "ts": 0}'),
      Buffer.from('{"id": "x"}'),
      Buffer.from([0xff, 0xfe, 0x00, 0x01]),
      Buffer.from('[]'),
      Buffer.alloc(0),
      ...Array.from({ length: 44 }, () =>
        Buffer.from(Array.from({ length: 1 + Math.floor(next() * 64) }, () => Math.floor(next() * 256))),
      ),
    ];
    const messages = [...workload.messages];
    for (const [i, value] of garbage.entries()) {
      messages.splice(Math.floor(next() * messages.length), 0, { key: `bad-${i}`, value });
    }
    const processor = t.startCountingApp(dir);
    await processor.waitForLog((l) => l.msg === 'counting app started');
    await produce(input, messages);

    const problems = await t.settle(workload.truth);
    assert.deepEqual(problems, [], 'every valid record is counted');

    const dead = await readAll(`${app}-dead-letter`);
    assert.equal(dead.length, garbage.length, 'every bad record, once');
    for (const record of dead) {
      const i = Number(record.key!.slice('bad-'.length));
      assert.deepEqual(record.value ?? Buffer.alloc(0), garbage[i], 'the original bytes are kept');
      assert.equal(record.headers['hoot.error.stage'], 'decode');
      assert.equal(record.headers['hoot.source.topic'], input);
      assert.ok(record.headers['hoot.error.reason']!.length > 0, 'a reason is given');
      assert.ok(Number(record.headers['hoot.source.offset']) >= 0);
    }
    assert.equal(processor.child.exitCode, null, 'the processor is still running');
  });
});
