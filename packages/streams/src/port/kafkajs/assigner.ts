import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';
import type { GroupAssigner } from '../kafka-port.ts';

/** Wraps an engine GroupAssigner as a kafkajs partition assigner. */
export function kafkajsAssigner(assigner: GroupAssigner, userData: () => Buffer): PartitionAssigner {
  return ({ cluster }) => ({
    name: assigner.name,
    version: 1,
    async assign({ members, topics }) {
      const partitionsByTopic = new Map<string, number>();
      for (const topic of topics) {
        partitionsByTopic.set(topic, cluster.findTopicPartitionMetadata(topic).length);
      }
      const decoded = members.map((m) => ({
        memberId: m.memberId,
        userData: AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.userData ?? Buffer.alloc(0),
      }));
      const plan = assigner.assign({ members: decoded, partitionsByTopic });
      return members.map(({ memberId }) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 1,
          assignment: Object.fromEntries(plan.get(memberId) ?? new Map()),
          userData: Buffer.alloc(0),
        }),
      }));
    },
    protocol({ topics }) {
      return {
        name: assigner.name,
        metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: userData() }),
      };
    },
  });
}
