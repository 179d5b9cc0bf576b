import type { Admin } from 'kafkajs';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Records a consumer group has not yet committed past, over every topic it has offsets for
 * (inputs and its own repartition topics).
 */
export async function groupBacklog(admin: Admin, groupId: string): Promise<number> {
  const committed = await admin.fetchOffsets({ groupId });
  let backlog = 0;
  for (const { topic, partitions } of committed) {
    const ends = await admin.fetchTopicOffsets(topic);
    for (const end of ends) {
      const offset = Number(partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
      backlog += Math.max(0, Number(end.high) - Math.max(0, offset));
    }
  }
  return backlog;
}

/**
 * Waits until the group has taken everything written to `topics` so far and everything it wrote
 * to its own topics in turn: twice in a row no backlog, with the inputs all committed.
 */
export async function waitForGroup(
  admin: Admin,
  groupId: string,
  topics: string[],
  options: { timeoutMs?: number; pollMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  const ends = new Map<string, number>();
  for (const topic of topics) {
    for (const end of await admin.fetchTopicOffsets(topic))
      ends.set(`${topic}/${end.partition}`, Number(end.high));
  }
  let quiet = 0;
  while (quiet < 2) {
    if (Date.now() > deadline) throw new Error(`group ${groupId} did not catch up in time`);
    await sleep(options.pollMs ?? 500);
    const committed = await admin.fetchOffsets({ groupId, topics });
    const inputsDone = [...ends].every(([id, end]) => {
      const [topic, partition] = [
        id.slice(0, id.lastIndexOf('/')),
        Number(id.slice(id.lastIndexOf('/') + 1)),
      ];
      const offset = committed
        .find((t) => t.topic === topic)
        ?.partitions.find((p) => p.partition === partition);
      return end === 0 || Number(offset?.offset ?? -1) >= end;
    });
    quiet = inputsDone && (await groupBacklog(admin, groupId)) === 0 ? quiet + 1 : 0;
  }
}
