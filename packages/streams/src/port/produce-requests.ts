/**
 * How much one produce request of a transaction carries. The broker refuses a partition's record
 * batch larger than `message.max.bytes` (1,048,588 bytes by default; Kafka's broker configuration
 * reference), so a topic's records in one request stay well below it, counted per topic, which
 * bounds every partition of it. The request as a whole may hold several topics (a task's
 * changelogs, its outputs): each request is a round trip that its commit waits for, one after the
 * other, so fewer larger requests leave less time waiting.
 */
export interface ProduceRequestLimits {
  /** Bytes of one topic's records in a request (keys, values, headers and 64 per record). */
  topicBytes: number;
  /** Bytes of all records in a request, counted the same way. */
  requestBytes: number;
  /** Records in a request. */
  records: number;
}

export const PRODUCE_REQUEST_LIMITS: ProduceRequestLimits = {
  topicBytes: 768 * 1024,
  requestBytes: 4 * 1024 * 1024,
  records: 50_000,
};

/** What a produce request carries, as both Kafka clients' message types have it. */
export interface Producible {
  topic: string;
  key?: Buffer | string | null;
  value?: Buffer | string | null;
  headers?: Record<string, unknown> | Map<unknown, unknown>;
}

/**
 * Splits records into the runs that go out one produce request each, order kept, every run
 * within `limits`. A single record larger than a limit goes alone in its request (the broker
 * then says whether it fits).
 */
export function* produceRequests<T extends Producible>(
  records: readonly T[],
  limits: ProduceRequestLimits = PRODUCE_REQUEST_LIMITS,
): Generator<T[]> {
  let run: T[] = [];
  let bytes = 0;
  const topicBytes = new Map<string, number>();
  for (const record of records) {
    const size = recordBytes(record);
    const inTopic = topicBytes.get(record.topic) ?? 0;
    if (
      run.length > 0 &&
      (bytes + size > limits.requestBytes ||
        inTopic + size > limits.topicBytes ||
        run.length >= limits.records)
    ) {
      yield run;
      run = [];
      bytes = 0;
      topicBytes.clear();
    }
    run.push(record);
    bytes += size;
    topicBytes.set(record.topic, (topicBytes.get(record.topic) ?? 0) + size);
  }
  if (run.length > 0) yield run;
}

/** A record's bytes as counted against the limits: key, value, header names and values, plus 64. */
export function recordBytes(record: Producible): number {
  let size = 64 + (record.key?.length ?? 0) + (record.value?.length ?? 0);
  const headers = record.headers;
  if (headers !== undefined) {
    const entries = headers instanceof Map ? headers.entries() : Object.entries(headers);
    for (const [name, value] of entries) {
      size += 16 + String(name).length;
      if (Buffer.isBuffer(value) || typeof value === 'string') size += value.length;
      else if (Array.isArray(value)) for (const v of value) size += 8 + (v?.length ?? 0);
    }
  }
  return size;
}
