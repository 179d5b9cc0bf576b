import type { GroupPartitionsAssigner, GroupPartitionsAssignments } from '@platformatic/kafka';
import type { GroupAssigner } from '../kafka-port.ts';

/**
 * Wraps an engine GroupAssigner as the library's partition assigner (run by the group leader):
 * each member's userData is the metadata its subscription carried (see `protocolsMetadata` in
 * the group consumer), partition counts come from the leader's cluster metadata.
 *
 * The library skips the assigner when the group has a single member and gives it every partition.
 */
export function platformaticAssigner(assigner: GroupAssigner): GroupPartitionsAssigner {
  return (_leader, members, topics, metadata) => {
    const partitionsByTopic = new Map<string, number>();
    for (const topic of topics)
      partitionsByTopic.set(topic, metadata.topics.get(topic)?.partitionsCount ?? 0);
    const decoded = [...members.values()].map((m) => ({
      memberId: m.memberId,
      userData: toBuffer(m.metadata),
    }));
    const plan = assigner.assign({ members: decoded, partitionsByTopic });
    return decoded.map(({ memberId }): GroupPartitionsAssignments => {
      const assignments = new Map<string, { topic: string; partitions: number[] }>();
      for (const [topic, partitions] of plan.get(memberId) ?? new Map<string, number[]>()) {
        assignments.set(topic, { topic, partitions: [...partitions] });
      }
      return { memberId, assignments };
    });
  };
}

function toBuffer(data: Buffer | string | undefined | null): Buffer {
  if (data === undefined || data === null) return Buffer.alloc(0);
  return typeof data === 'string' ? Buffer.from(data) : data;
}
