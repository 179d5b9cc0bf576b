import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pythonTime, Workload, type WorkloadRecord } from '../src/index.ts';

function run(seed: number) {
  const workload = new Workload({ seed, notifications: 20_000, merchants: 8 });
  const records: WorkloadRecord[] = [];
  for (const phase of [workload.main(), workload.orders(), workload.tooLate()]) {
    for (const batch of phase) records.push(...batch);
  }
  return { workload, records };
}

describe('workload', () => {
  it('is the same for the same seed and differs for another', () => {
    const a = run(5);
    const b = run(5);
    assert.deepEqual(a.records, b.records);
    assert.deepEqual(a.workload.truth.toJSON(), b.workload.truth.toJSON());
    assert.notDeepEqual(run(6).workload.truth.toJSON(), a.workload.truth.toJSON());
  });

  it('has the shares it promises', () => {
    const { workload, records } = run(7);
    const truth = workload.truth;
    const sent = truth.sum('sent');
    assert.ok(Math.abs(truth.sum('impressions') / sent - 0.3) < 0.03, 'about 30% delivered');
    assert.ok(Math.abs(truth.sum('clicks') / sent - 0.015) < 0.006, 'about 1.5% clicked');
    const pings = records.filter((r) => r.topic === 'ping');
    assert.ok(
      pings.some((r) => r.format === 'seed-ping' && r.key === null),
      'seed-schema pings, unkeyed',
    );
    assert.ok(records.some((r) => r.format === 'seed-dispatch'));
    const ids = pings.map((r) => JSON.stringify(r.value));
    assert.ok(new Set(ids).size < ids.length, 'duplicate pings');
    const orders = records.filter((r) => r.topic === 'orders');
    assert.ok(orders.some((r) => r.topic === 'orders' && r.value.subscriber_id === null));
    assert.ok(
      truth.sum('orders') > 0 && truth.sum('orders') < orders.length,
      'some orders attributed, not all',
    );
    // Impressions, clicks and orders only ever count in hours of the truth's campaigns.
    for (const [, campaign] of truth.campaigns) {
      for (const [hour] of campaign.hours) assert.equal(hour % 3_600_000, 0);
    }
  });

  it('writes time the way Python printed datetimes', () => {
    const t = Date.UTC(2026, 10, 2, 10, 23, 45, 123);
    assert.equal(pythonTime(t, false), '2026-11-02 10:23:45.123000');
    assert.equal(pythonTime(t, true), '2026-11-02 10:23:45.123000+00:00');
  });
});
