import type { Pool, PoolClient } from 'pg';

export interface PartitionRef {
  group: string;
  topic: string;
  partition: number;
}

/** Where the sink resumes a partition: the offset after the last record it wrote, or 0. */
export async function readSinkOffset(pool: Pool, ref: PartitionRef): Promise<number> {
  const result = await pool.query<{ next_offset: string }>(
    'SELECT next_offset FROM sink_offsets WHERE consumer_group = $1 AND topic = $2 AND partition = $3',
    [ref.group, ref.topic, ref.partition],
  );
  return Number(result.rows[0]?.next_offset ?? 0);
}

/**
 * Locks the partition's offset row for the rest of the transaction and returns it: a second sink
 * instance writing the same partition (a rebalance in progress) waits, then sees what this one
 * wrote and skips it.
 */
export async function lockSinkOffset(client: PoolClient, ref: PartitionRef): Promise<number> {
  await client.query(
    `INSERT INTO sink_offsets (consumer_group, topic, partition, next_offset) VALUES ($1, $2, $3, 0)
     ON CONFLICT DO NOTHING`,
    [ref.group, ref.topic, ref.partition],
  );
  const result = await client.query<{ next_offset: string }>(
    `SELECT next_offset FROM sink_offsets WHERE consumer_group = $1 AND topic = $2 AND partition = $3
     FOR UPDATE`,
    [ref.group, ref.topic, ref.partition],
  );
  return Number(result.rows[0]?.next_offset ?? 0);
}

export async function writeSinkOffset(
  client: PoolClient,
  ref: PartitionRef,
  nextOffset: number,
): Promise<void> {
  await client.query(
    `UPDATE sink_offsets SET next_offset = $4, updated_at = now()
     WHERE consumer_group = $1 AND topic = $2 AND partition = $3`,
    [ref.group, ref.topic, ref.partition, nextOffset],
  );
}
