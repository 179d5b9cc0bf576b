import type { ICustomPartitioner } from 'kafkajs';
import { partitionForKey } from './murmur2.ts';

/**
 * A kafkajs partitioner that agrees with Java producers: keyed messages go where murmur2 says;
 * unkeyed ones rotate over the available partitions.
 */
export const javaCompatiblePartitioner: ICustomPartitioner = () => {
  let next = 0;
  return ({ partitionMetadata, message }) => {
    const numPartitions = partitionMetadata.length;
    if (message.partition !== undefined && message.partition !== null) return message.partition;
    if (message.key !== null && message.key !== undefined) return partitionForKey(message.key, numPartitions);
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    const pool = available.length > 0 ? available : partitionMetadata;
    next = (next + 1) % pool.length;
    return pool[next]!.partitionId;
  };
};
