/**
 * How far a record's event time is believed: up to `latest`; beyond it, the record counts at
 * `fallback`. The reference is the record's Kafka timestamp, or the processor's clock when that
 * is earlier: a producer whose clock is ahead (a phone set a year ahead, a host three months fast)
 * stamps its records' CreateTime wrongly too, and the broker accepts future timestamps by default.
 * An event time past the reference plus the source's allowed skew, believed, would move stream
 * time so far that every later record of the partition became "late".
 */
export interface EventTimeBound {
  /** The latest event time believed, epoch ms. */
  latest: number;
  /** Where a later event time counts instead, epoch ms. */
  fallback: number;
}

/** The bound of a record with this Kafka timestamp read now; undefined when the source sets no skew. */
export function eventTimeBound(
  kafkaTimestamp: number,
  maxFutureSkewMs: number | undefined,
  now = Date.now(),
): EventTimeBound | undefined {
  if (maxFutureSkewMs === undefined) return undefined;
  const reference = Math.min(kafkaTimestamp, now);
  return { latest: reference + maxFutureSkewMs, fallback: reference };
}

/**
 * The event time a record counts at: `eventTime` when plausible, else the bound's fallback,
 * flagged so the caller can count it (DESIGN's "Event time": such a record counts at the Kafka
 * timestamp and never moves stream time further than that).
 */
export function boundEventTime(
  eventTime: number,
  bound: EventTimeBound | undefined,
): { timestamp: number; bounded: boolean } {
  return bound !== undefined && eventTime > bound.latest
    ? { timestamp: bound.fallback, bounded: true }
    : { timestamp: eventTime, bounded: false };
}
