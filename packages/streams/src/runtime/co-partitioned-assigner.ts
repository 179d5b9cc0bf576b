import type { GroupAssigner } from '../port/kafka-port.ts';

/** What each member tells the assigner: tasks it runs now and tasks whose state it has on disk. */
export interface MemberTasks {
  owned: number[];
  onDisk: number[];
}

export function encodeMemberTasks(tasks: MemberTasks): Buffer {
  return Buffer.from(JSON.stringify(tasks), 'utf8');
}

function decodeMemberTasks(data: Buffer): MemberTasks {
  try {
    const parsed = JSON.parse(data.toString('utf8')) as Partial<MemberTasks>;
    return {
      owned: Array.isArray(parsed.owned) ? parsed.owned.filter(Number.isInteger) : [],
      onDisk: Array.isArray(parsed.onDisk) ? parsed.onDisk.filter(Number.isInteger) : [],
    };
  } catch {
    return { owned: [], onDisk: [] };
  }
}

/**
 * Assigns task p (partition p of every subscribed topic) to one member, so co-partitioned topics
 * meet in one task. Balanced: every member gets floor(N/M) or one more. Sticky: a task stays with
 * its current owner, else goes to a member that still has its state on disk, so that a rebalance
 * (which kafkajs makes revoke everything) rarely moves state.
 */
export function coPartitionedAssigner(): GroupAssigner {
  return {
    name: 'HootCoPartitioned',
    assign({ members, partitionsByTopic }) {
      const taskCount = Math.max(0, ...partitionsByTopic.values());
      const ids = members.map((m) => m.memberId).sort();
      const claims = new Map(members.map((m) => [m.memberId, decodeMemberTasks(m.userData)]));
      const tasksOf = new Map<string, number[]>(ids.map((id) => [id, []]));
      const owner = new Map<number, string>();
      const base = Math.floor(taskCount / Math.max(1, ids.length));
      let extraLeft = taskCount % Math.max(1, ids.length);

      const canTake = (id: string) => {
        const n = tasksOf.get(id)!.length;
        return n < base || (n === base && extraLeft > 0);
      };
      const give = (task: number, id: string) => {
        if (tasksOf.get(id)!.length === base) extraLeft--;
        tasksOf.get(id)!.push(task);
        owner.set(task, id);
      };

      for (const pick of ['owned', 'onDisk'] as const) {
        for (const id of ids) {
          for (const task of claims.get(id)![pick]) {
            if (task >= 0 && task < taskCount && !owner.has(task) && canTake(id)) give(task, id);
          }
        }
      }
      for (let task = 0; task < taskCount; task++) {
        if (owner.has(task)) continue;
        const candidates = ids.filter(canTake);
        candidates.sort((a, b) => tasksOf.get(a)!.length - tasksOf.get(b)!.length || a.localeCompare(b));
        give(task, candidates[0]!);
      }

      const plan = new Map<string, Map<string, number[]>>();
      for (const id of ids) {
        const byTopic = new Map<string, number[]>();
        const tasks = tasksOf.get(id)!.sort((a, b) => a - b);
        for (const [topic, count] of partitionsByTopic)
          byTopic.set(
            topic,
            tasks.filter((t) => t < count),
          );
        plan.set(id, byTopic);
      }
      return plan;
    },
  };
}
