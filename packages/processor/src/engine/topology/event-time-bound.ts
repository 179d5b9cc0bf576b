/**
 * The latest event time a record may claim: its Kafka timestamp plus the source's allowed skew.
 * A producer's clock cannot be ahead of the broker's by more than that skew; a later event time
 * is a wrong clock (a phone set a year ahead, a typo in a date) and, believed, would move stream
 * time so far that every later record of the partition became "late". Undefined: no bound.
 */
export function latestEventTime(
  kafkaTimestamp: number,
  maxFutureSkewMs: number | undefined,
): number | undefined {
  return maxFutureSkewMs === undefined ? undefined : kafkaTimestamp + maxFutureSkewMs;
}

/**
 * The event time a record counts at: `eventTime` when plausible, else (beyond `latest`) the
 * record's Kafka timestamp, flagged so the caller can count it. The rule is DESIGN's "Event time":
 * such a record counts at its Kafka timestamp and never moves stream time further than that.
 */
export function boundEventTime(
  eventTime: number,
  kafkaTimestamp: number,
  latest: number | undefined,
): { timestamp: number; bounded: boolean } {
  return latest !== undefined && eventTime > latest
    ? { timestamp: kafkaTimestamp, bounded: true }
    : { timestamp: eventTime, bounded: false };
}
