import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMicroBatcher } from '../../src/index.ts';

function deferred() {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('micro-batcher', () => {
  it('flushes concurrent callers together, one flush in flight, the next batch collecting meanwhile', async () => {
    const flushes: number[][] = [];
    const gates: Array<ReturnType<typeof deferred>> = [];
    const batcher = createMicroBatcher<number>({
      maxBatchItems: 100,
      flush: (items) => {
        flushes.push(items);
        const gate = deferred();
        gates.push(gate);
        return gate.promise;
      },
    });
    const first = [batcher.add([1]), batcher.add([2, 3])];
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(flushes, [[1, 2, 3]]);
    const second = [batcher.add([4]), batcher.add([5])];
    await new Promise((r) => setImmediate(r));
    assert.equal(flushes.length, 1, 'no second flush while one is in flight');
    assert.equal(batcher.pending, 2);
    gates[0]!.resolve();
    await Promise.all(first);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(flushes, [
      [1, 2, 3],
      [4, 5],
    ]);
    gates[1]!.resolve();
    await Promise.all(second);
    await batcher.drain();
  });

  it('rejects exactly the callers whose items were in a failed flush', async () => {
    let calls = 0;
    const batcher = createMicroBatcher<string>({
      maxBatchItems: 2,
      flush: async () => {
        calls++;
        if (calls === 1) throw new Error('broker gone');
      },
    });
    const a = batcher.add(['a1', 'a2']);
    const b = batcher.add(['b1']);
    await assert.rejects(a, /broker gone/);
    await b;
    assert.equal(calls, 2);
  });

  it('splits a large caller over flushes of at most maxBatchItems and resolves it after the last', async () => {
    const sizes: number[] = [];
    const batcher = createMicroBatcher<number>({
      maxBatchItems: 3,
      flush: async (items) => {
        sizes.push(items.length);
      },
    });
    await batcher.add([1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(sizes, [3, 3, 1]);
    await batcher.add([]);
    assert.deepEqual(sizes, [3, 3, 1]);
  });

  it('rejects a caller at its deadline while the flush ahead of it hangs, and never flushes its items', async () => {
    const flushes: string[][] = [];
    const hung = deferred();
    const batcher = createMicroBatcher<string>({
      maxBatchItems: 10,
      flush: async (items) => {
        flushes.push(items);
        if (flushes.length === 1) await hung.promise;
      },
      deadline: { ms: 50, error: () => new Error('no acknowledgement in time') },
    });
    const first = assert.rejects(batcher.add(['a']), /no acknowledgement in time/);
    await new Promise((r) => setImmediate(r));
    const second = batcher.add(['b']);
    // Rejected while the first flush still hangs: its own deadline, not the flush's plus its own.
    await assert.rejects(second, /no acknowledgement in time/);
    await first;
    hung.resolve();
    await batcher.drain();
    assert.deepEqual(flushes, [['a']], "the expired caller's queued item was dropped");
  });
});
