import { Admin } from '@platformatic/kafka';
import type { AdminPort, TopicSpec } from '../kafka-port.ts';
import { baseOptions, type PlatformaticClientSettings } from './client-options.ts';

/** How long ensureTopics waits for every partition to have a leader, in ms. */
const LEADERS_TIMEOUT_MS = 15_000;

/**
 * The engine's admin port on @platformatic/kafka's Admin client. Offsets are returned as JS
 * numbers; errors are the library's (a MultipleErrors whose `errors` hold the protocol errors).
 */
export function createPlatformaticAdmin(settings: PlatformaticClientSettings): AdminPort {
  const admin = new Admin(baseOptions(settings));

  async function topicPartitions(topic: string): Promise<number[]> {
    const metadata = await admin.metadata({ topics: [topic] });
    const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
    return Array.from({ length: count }, (_, i) => i);
  }

  async function waitForLeaders(topics: string[]): Promise<void> {
    const deadline = Date.now() + LEADERS_TIMEOUT_MS;
    for (;;) {
      try {
        const metadata = await admin.metadata({ topics, forceUpdate: true });
        const ready = topics.every((t) => {
          const m = metadata.topics.get(t);
          return m !== undefined && m.partitions.length > 0 && m.partitions.every((p) => p.leader >= 0);
        });
        if (ready) return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      if (Date.now() > deadline) throw new Error(`topics ${topics.join(', ')} have no leaders yet`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  return {
    // The library connects on first use.
    connect: async () => {},
    disconnect: () => admin.close(),
    async ensureTopics(specs: TopicSpec[]) {
      const existing = new Set(await admin.listTopics());
      const missing = specs.filter((s) => !existing.has(s.topic));
      for (const spec of missing) {
        try {
          // One request per topic: the library applies a request's configs to all its topics.
          await admin.createTopics({
            topics: [spec.topic],
            partitions: spec.partitions,
            replicas: spec.replicationFactor,
            configs: Object.entries(spec.config ?? {}).map(([name, value]) => ({ name, value })),
          });
        } catch (error) {
          // Another instance may have created it meanwhile.
          const now = new Set(await admin.listTopics());
          if (!now.has(spec.topic)) throw error;
        }
      }
      // Also those another client has just created: listed is not yet served.
      await waitForLeaders(specs.map((s) => s.topic));
    },
    async partitionCount(topic) {
      const topics = new Set(await admin.listTopics());
      if (!topics.has(topic)) return undefined;
      return (await topicPartitions(topic)).length;
    },
    async endOffsets(topic) {
      const partitions = await topicPartitions(topic);
      const listed = await admin.listOffsets({
        topics: [{ name: topic, partitions: partitions.map((p) => ({ partitionIndex: p, timestamp: -1n })) }],
      });
      const out = new Map<number, number>();
      for (const t of listed) for (const p of t.partitions) out.set(p.partitionIndex, Number(p.offset));
      return out;
    },
    async committedOffsets(groupId, topic) {
      const partitions = await topicPartitions(topic);
      const [group] = await admin.listConsumerGroupOffsets({
        groups: [{ groupId, topics: [{ name: topic, partitionIndexes: partitions }] }],
        // Waits out offsets of a transaction that is still completing (UNSTABLE_OFFSET_COMMIT is retried).
        requireStable: true,
      });
      const out = new Map<number, number>();
      for (const t of group?.topics ?? []) {
        if (t.name !== topic) continue;
        for (const p of t.partitions) {
          const offset = Number(p.committedOffset);
          if (offset >= 0) out.set(p.partitionIndex, offset);
        }
      }
      return out;
    },
    async deleteRecordsBefore(topic, partition, offset) {
      await admin.deleteRecords({
        topics: [{ name: topic, partitions: [{ partition, offset: BigInt(offset) }] }],
      });
    },
  };
}
