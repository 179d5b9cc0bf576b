import type { Admin, ITopicConfig } from 'kafkajs';
import { kafkaErrorTypes } from './kafka-errors.ts';

/** How long createMissingTopics and waitUntilTopicsServed wait, by default, for every partition to be served, in ms. */
export const TOPICS_SERVED_TIMEOUT_MS = 60_000;
const POLL_MS = 100;

/**
 * Protocol errors a broker answers for a topic it has created but does not serve yet: with KRaft
 * the controller commits the topic before each broker has applied it, and a loaded broker can lag
 * seconds behind (its metadata answers "does not host this topic-partition", its leaders
 * "not leader").
 */
const NOT_SERVED_YET = ['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION'];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until every partition of `topics` has a leader that answers for it: the broker's metadata
 * lists them all with a leader, and the leaders return their offsets (ListOffsets). Broker answers
 * that mean "created, not served yet" (UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE,
 * NOT_LEADER_FOR_PARTITION) are waited out, polling every 100 ms.
 *
 * kafkajs' own `createTopics({ waitForLeaders: true })` waits for LEADER_NOT_AVAILABLE only and
 * fails on UNKNOWN_TOPIC_OR_PARTITION, which a loaded KRaft broker answers for a topic its
 * controller has just created.
 *
 * @throws Error naming the topics and the broker's last answer after `timeoutMs`; any other error
 * at once.
 */
export async function waitUntilTopicsServed(
  admin: Admin,
  topics: string[],
  timeoutMs = TOPICS_SERVED_TIMEOUT_MS,
): Promise<void> {
  if (topics.length === 0) return;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let why: string;
    try {
      const metadata = await admin.fetchTopicMetadata({ topics });
      const unled = metadata.topics.filter(
        (t) =>
          t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0 || p.partitionErrorCode !== 0),
      );
      if (unled.length === 0) {
        for (const topic of topics) await admin.fetchTopicOffsets(topic);
        return;
      }
      why = `no leader yet for ${unled.map((t) => t.name).join(', ')}`;
    } catch (error) {
      if (![...kafkaErrorTypes(error)].some((t) => NOT_SERVED_YET.includes(t))) throw error;
      why = (error as Error).message;
    }
    if (Date.now() >= deadline)
      throw new Error(`topics ${topics.join(', ')} not served after ${timeoutMs} ms: ${why}`);
    await sleep(POLL_MS);
  }
}

/**
 * Creates those of `configs` that do not exist yet (another client creating one meanwhile is
 * fine), then waits until every partition of all of them is served (see waitUntilTopicsServed).
 * Returns the names of the topics it created; existing topics keep their configuration.
 *
 * @throws the broker's error for a topic it refuses (bad configuration, no authorization), or the
 * waiting's timeout.
 */
export async function createMissingTopics(
  admin: Admin,
  configs: ITopicConfig[],
  timeoutMs = TOPICS_SERVED_TIMEOUT_MS,
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = configs.filter((c) => !existing.has(c.topic));
  if (missing.length > 0) {
    try {
      // kafkajs waits for leaders by default, failing on the answers waitUntilTopicsServed waits out.
      await admin.createTopics({ topics: missing, waitForLeaders: false });
    } catch (error) {
      const now = new Set(await admin.listTopics());
      if (!missing.every((c) => now.has(c.topic))) throw error;
    }
  }
  await waitUntilTopicsServed(
    admin,
    configs.map((c) => c.topic),
    timeoutMs,
  );
  return missing.map((c) => c.topic);
}
