import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type ProduceRequestLimits,
  type Producible,
  produceRequests,
  recordBytes,
} from '../../src/port/produce-requests.ts';

const limits: ProduceRequestLimits = { topicBytes: 1_000, requestBytes: 2_500, records: 30 };

function record(topic: string, valueBytes: number, headers?: Record<string, string | Buffer>): Producible {
  const r: Producible = { topic, key: Buffer.from('k'), value: Buffer.alloc(valueBytes) };
  if (headers !== undefined) r.headers = headers;
  return r;
}

/** Bytes of each topic in a run, as the limits count them. */
function bytesPerTopic(run: Producible[]): Map<string, number> {
  const bytes = new Map<string, number>();
  for (const r of run) bytes.set(r.topic, (bytes.get(r.topic) ?? 0) + recordBytes(r));
  return bytes;
}

describe('produce requests of a transaction', () => {
  it('keep every record, in order, each request within the topic, request and record limits', () => {
    const records: Producible[] = [];
    for (let i = 0; i < 500; i++) records.push(record(['out', 'log-a', 'log-b'][i % 3]!, (i * 37) % 300));
    const runs = [...produceRequests(records, limits)];
    assert.deepEqual(runs.flat(), records, 'all records, in their order');
    for (const run of runs) {
      assert.ok(run.length <= limits.records, `${run.length} records`);
      const perTopic = bytesPerTopic(run);
      const total = [...perTopic.values()].reduce((a, b) => a + b, 0);
      assert.ok(total <= limits.requestBytes, `${total} bytes in a request`);
      for (const [topic, bytes] of perTopic) assert.ok(bytes <= limits.topicBytes, `${bytes} of ${topic}`);
    }
    // Three topics share a request: fewer requests than one topic's limit alone would give.
    const total = records.reduce((sum, r) => sum + recordBytes(r), 0);
    assert.ok(runs.length < total / limits.topicBytes, `${runs.length} requests for ${total} bytes`);
  });

  it('closes a request when one topic is full, though the request has room', () => {
    const runs = [...produceRequests([record('a', 600), record('a', 600), record('b', 10)], limits)];
    assert.deepEqual(
      runs.map((run) => run.map((r) => r.topic)),
      [['a'], ['a', 'b']],
    );
  });

  it('sends a record larger than a limit alone', () => {
    const runs = [...produceRequests([record('a', 10), record('a', 5_000), record('a', 10)], limits)];
    assert.deepEqual(
      runs.map((run) => run.length),
      [1, 1, 1],
    );
  });

  it('counts headers, from objects and from maps', () => {
    const plain = recordBytes(record('a', 100));
    assert.equal(plain, 64 + 1 + 100);
    assert.equal(recordBytes(record('a', 100, { reason: 'x'.repeat(300) })), plain + 16 + 6 + 300);
    const withMap: Producible = { ...record('a', 100), headers: new Map([['reason', Buffer.alloc(300)]]) };
    assert.equal(recordBytes(withMap), plain + 16 + 6 + 300);
    // Large headers alone fill a topic's share: four such records cannot go in one request.
    const big = Array.from({ length: 4 }, () => record('dlq', 10, { error: 'e'.repeat(400) }));
    assert.ok([...produceRequests(big, limits)].length >= 2);
  });

  it('makes no request for no records', () => {
    assert.deepEqual([...produceRequests([], limits)], []);
  });
});
