import { type Consumer, FetchIsolationLevels, type FetchOptions } from '@platformatic/kafka';
import { describeError } from './errors.ts';

/** The library's fetch response (its module declares the type without exporting it). */
export type FetchResponse = Awaited<ReturnType<Consumer['fetch']>>;
export type FetchResponsePartition = FetchResponse['responses'][number]['partitions'][number];
type FetchRequestTopic = FetchOptions<Buffer, Buffer, Buffer, Buffer>['topics'][number];

export interface FetchWant {
  topic: string;
  partition: number;
  /** Offset to fetch from. */
  offset: number;
}

export type FetchOutcome =
  | { kind: 'data'; want: FetchWant; response: FetchResponsePartition }
  /** The offset is before the log start (records deleted) or past the end: move to `logStartOffset`. */
  | { kind: 'out-of-range'; want: FetchWant; logStartOffset: number; highWatermark: number }
  | { kind: 'error'; want: FetchWant; error: string };

export interface FetchRoundOptions {
  /** How long the broker may wait for data, in ms. */
  maxWaitMs: number;
  maxBytes: number;
  maxBytesPerPartition: number;
}

const OFFSET_OUT_OF_RANGE = 1;

/**
 * One read_committed fetch of chosen partitions from chosen offsets through the library's
 * `Consumer.fetch` (which keeps a KIP-227 fetch session per broker): one request per partition
 * leader, all in parallel. Never throws for a partition's error: each wanted partition gets an
 * outcome (no outcome: the broker had nothing new for it within `maxWaitMs`).
 * A consumer must not run two rounds at once (its fetch sessions would clash).
 */
export async function fetchRound(
  consumer: Consumer,
  wants: FetchWant[],
  options: FetchRoundOptions,
): Promise<FetchOutcome[]> {
  if (wants.length === 0) return [];
  const topics = [...new Set(wants.map((w) => w.topic))];
  const metadata = await consumer.metadata({ topics });
  const byNode = new Map<number, Map<string, FetchWant[]>>();
  const outcomes: FetchOutcome[] = [];
  const names = new Map<string, string>();
  for (const want of wants) {
    const topic = metadata.topics.get(want.topic);
    const leader = topic?.partitions[want.partition]?.leader;
    if (topic === undefined || leader === undefined || leader < 0) {
      outcomes.push({ kind: 'error', want, error: `no leader known for ${want.topic}:${want.partition}` });
      consumer.clearMetadata();
      continue;
    }
    names.set(topic.id, want.topic);
    let node = byNode.get(leader);
    if (node === undefined) {
      node = new Map();
      byNode.set(leader, node);
    }
    const list = node.get(topic.id);
    if (list === undefined) node.set(topic.id, [want]);
    else list.push(want);
  }
  await Promise.all(
    [...byNode].map(async ([node, byTopic]) => {
      const request: FetchRequestTopic[] = [...byTopic].map(([topicId, list]) => ({
        topicId,
        partitions: list.map((w) => ({
          partition: w.partition,
          fetchOffset: BigInt(w.offset),
          partitionMaxBytes: options.maxBytesPerPartition,
          currentLeaderEpoch: -1,
          lastFetchedEpoch: -1,
        })),
      }));
      let response: FetchResponse | undefined;
      let failure: string | undefined;
      try {
        response = await consumer.fetch({
          node,
          topics: request,
          maxWaitTime: options.maxWaitMs,
          minBytes: 1,
          maxBytes: options.maxBytes,
          isolationLevel: FetchIsolationLevels.READ_COMMITTED,
        });
      } catch (error) {
        // Partition errors arrive as an error carrying the whole response.
        response = responseOf(error);
        failure = describeError(error);
        if (response === undefined) consumer.clearMetadata();
      }
      const answered = new Set<string>();
      for (const topicResponse of response?.responses ?? []) {
        const topic = names.get(topicResponse.topicId) ?? topicResponse.topicId;
        const list = byTopic.get(topicResponse.topicId) ?? [];
        for (const p of topicResponse.partitions) {
          const want = list.find((w) => w.partition === p.partitionIndex);
          if (want === undefined) continue;
          answered.add(`${topic}:${p.partitionIndex}`);
          if (p.errorCode === 0) outcomes.push({ kind: 'data', want, response: p });
          else if (p.errorCode === OFFSET_OUT_OF_RANGE)
            outcomes.push({
              kind: 'out-of-range',
              want,
              logStartOffset: Number(p.logStartOffset),
              highWatermark: Number(p.highWatermark),
            });
          else outcomes.push({ kind: 'error', want, error: `error code ${p.errorCode}` });
        }
      }
      if (failure !== undefined) {
        for (const list of byTopic.values())
          for (const want of list)
            if (!answered.has(`${want.topic}:${want.partition}`))
              outcomes.push({ kind: 'error', want, error: failure });
      }
    }),
  );
  return outcomes;
}

function responseOf(error: unknown): FetchResponse | undefined {
  const seen = new Set<unknown>();
  const walk = (e: unknown): FetchResponse | undefined => {
    if (e === null || typeof e !== 'object' || seen.has(e)) return undefined;
    seen.add(e);
    const response = (e as { response?: unknown }).response;
    if (
      response !== null &&
      typeof response === 'object' &&
      Array.isArray((response as FetchResponse).responses)
    )
      return response as FetchResponse;
    for (const nested of (e as { errors?: unknown[] }).errors ?? []) {
      const found = walk(nested);
      if (found !== undefined) return found;
    }
    return walk((e as { cause?: unknown }).cause);
  };
  return walk(error);
}
