import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boundEventTime, latestEventTime } from '../../src/engine/topology/event-time-bound.ts';

describe('event-time bound', () => {
  const kafka = Date.UTC(2026, 10, 30, 10, 7);
  const latest = latestEventTime(kafka, 120_000);

  it('believes event times up to the Kafka timestamp plus the skew, earlier ones by any amount', () => {
    assert.deepEqual(boundEventTime(kafka - 30 * 86_400_000, kafka, latest), {
      timestamp: kafka - 30 * 86_400_000,
      bounded: false,
    });
    assert.deepEqual(boundEventTime(kafka + 120_000, kafka, latest), {
      timestamp: kafka + 120_000,
      bounded: false,
    });
  });

  it('counts a later event time at the Kafka timestamp, flagged', () => {
    const wrongClock = Date.UTC(2027, 2, 1, 10);
    assert.deepEqual(boundEventTime(wrongClock, kafka, latest), { timestamp: kafka, bounded: true });
    assert.deepEqual(boundEventTime(kafka + 120_001, kafka, latest), { timestamp: kafka, bounded: true });
  });

  it('has no bound when the source sets no skew', () => {
    assert.equal(latestEventTime(kafka, undefined), undefined);
    assert.deepEqual(boundEventTime(kafka + 1e12, kafka, undefined), {
      timestamp: kafka + 1e12,
      bounded: false,
    });
  });
});
