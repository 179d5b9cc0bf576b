import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coPartitionedAssigner, encodeMemberTasks } from '../../src/index.ts';

const topics = new Map([
  ['input', 6],
  ['app-rekey-repartition', 6],
]);

function assign(members: Array<[string, number[], number[]?]>) {
  const plan = coPartitionedAssigner().assign({
    members: members.map(([memberId, owned, onDisk = []]) => ({
      memberId,
      userData: encodeMemberTasks({ owned, onDisk }),
    })),
    partitionsByTopic: topics,
  });
  return new Map([...plan].map(([member, byTopic]) => [member, byTopic.get('input')!]));
}

describe('co-partitioned assigner', () => {
  it('gives partition p of every topic to the same member', () => {
    const plan = coPartitionedAssigner().assign({
      members: [
        { memberId: 'a', userData: Buffer.alloc(0) },
        { memberId: 'b', userData: Buffer.alloc(0) },
      ],
      partitionsByTopic: topics,
    });
    for (const byTopic of plan.values())
      assert.deepEqual(byTopic.get('input'), byTopic.get('app-rekey-repartition'));
    const all = [...plan.values()].flatMap((t) => t.get('input')!).sort();
    assert.deepEqual(all, [0, 1, 2, 3, 4, 5]);
  });

  it('balances: each member gets floor(N/M) or one more', () => {
    for (const count of [1, 2, 3, 4, 5, 6, 7]) {
      const members = Array.from({ length: count }, (_, i) => [`m${i}`, []] as [string, number[]]);
      const sizes = [...assign(members).values()].map((t) => t.length);
      assert.equal(
        sizes.reduce((a, b) => a + b, 0),
        6,
      );
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `${count} members: ${sizes}`);
    }
  });

  it('keeps tasks with their owners when a member joins', () => {
    const plan = assign([
      ['a', [0, 1, 2]],
      ['b', [3, 4, 5]],
      ['c', []],
    ]);
    assert.equal(plan.get('a')!.length, 2);
    assert.ok(plan.get('a')!.every((t) => [0, 1, 2].includes(t)));
    assert.ok(plan.get('b')!.every((t) => [3, 4, 5].includes(t)));
  });

  it("gives a dead member's tasks to whoever still has their state on disk", () => {
    const plan = assign([
      ['a', [0, 1, 2], [0, 1, 2]],
      ['restarted', [], [3, 4, 5]],
    ]);
    assert.deepEqual(plan.get('restarted'), [3, 4, 5]);
  });

  it('ignores member data it cannot read', () => {
    const plan = coPartitionedAssigner().assign({
      members: [{ memberId: 'x', userData: Buffer.from('not json') }],
      partitionsByTopic: topics,
    });
    assert.deepEqual(plan.get('x')!.get('input'), [0, 1, 2, 3, 4, 5]);
  });
});
