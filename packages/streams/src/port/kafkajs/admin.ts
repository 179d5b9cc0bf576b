import { createMissingTopics } from '@hoot/kafka';
import type { Kafka } from 'kafkajs';
import type { AdminPort } from '../kafka-port.ts';

export function createKafkajsAdmin(kafka: Kafka): AdminPort {
  const admin = kafka.admin();
  return {
    connect: () => admin.connect(),
    disconnect: () => admin.disconnect(),
    async ensureTopics(specs) {
      await createMissingTopics(
        admin,
        specs.map((s) => ({
          topic: s.topic,
          numPartitions: s.partitions,
          replicationFactor: s.replicationFactor,
          configEntries: Object.entries(s.config ?? {}).map(([name, value]) => ({ name, value })),
        })),
      );
    },
    async partitionCount(topic) {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] }).catch((error: unknown) => {
        if ((error as { type?: string }).type === 'UNKNOWN_TOPIC_OR_PARTITION') return { topics: [] };
        throw error;
      });
      return topics[0]?.partitions.length;
    },
    async endOffsets(topic) {
      const offsets = await admin.fetchTopicOffsets(topic);
      return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
    },
    async deleteRecordsBefore(topic, partition, offset) {
      await admin.deleteTopicRecords({ topic, partitions: [{ partition, offset: String(offset) }] });
    },
    async committedOffsets(groupId, topic) {
      const [result] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const out = new Map<number, number>();
      for (const p of result?.partitions ?? []) {
        const offset = Number(p.offset);
        if (offset >= 0) out.set(p.partition, offset);
      }
      return out;
    },
  };
}
