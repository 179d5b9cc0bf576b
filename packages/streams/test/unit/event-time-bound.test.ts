import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boundEventTime, eventTimeBound } from '../../src/topology/event-time-bound.ts';

describe('event-time bound', () => {
  const now = Date.UTC(2026, 10, 30, 10, 8);
  const kafka = Date.UTC(2026, 10, 30, 10, 7);
  const bound = eventTimeBound(kafka, 120_000, now);

  it('believes event times up to the Kafka timestamp plus the skew, earlier ones by any amount', () => {
    assert.deepEqual(boundEventTime(kafka - 30 * 86_400_000, bound), {
      timestamp: kafka - 30 * 86_400_000,
      bounded: false,
    });
    assert.deepEqual(boundEventTime(kafka + 120_000, bound), { timestamp: kafka + 120_000, bounded: false });
  });

  it('counts a later event time at the Kafka timestamp, flagged', () => {
    const wrongClock = Date.UTC(2027, 2, 1, 10);
    assert.deepEqual(boundEventTime(wrongClock, bound), { timestamp: kafka, bounded: true });
    assert.deepEqual(boundEventTime(kafka + 120_001, bound), { timestamp: kafka, bounded: true });
  });

  it('takes the processor clock as the reference when the Kafka timestamp is ahead of it', () => {
    // A producer three months fast stamps CreateTime three months ahead too.
    const wrongKafka = Date.UTC(2027, 2, 1, 10);
    const wrong = eventTimeBound(wrongKafka, 120_000, now);
    assert.deepEqual(boundEventTime(wrongKafka, wrong), { timestamp: now, bounded: true });
    assert.deepEqual(boundEventTime(now + 60_000, wrong), { timestamp: now + 60_000, bounded: false });
  });

  it('has no bound when the source sets no skew', () => {
    assert.equal(eventTimeBound(kafka, undefined, now), undefined);
    assert.deepEqual(boundEventTime(kafka + 1e12, undefined), { timestamp: kafka + 1e12, bounded: false });
  });
});
