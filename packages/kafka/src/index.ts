export { type GroupMembership, type KeepInGroupOptions, keepInGroup } from './group-membership.ts';
export { errorChain, isBrokerAway, kafkaErrorTypes } from './kafka-errors.ts';
export { javaCompatiblePartitioner } from './kafkajs-partitioner.ts';
export { murmur2, partitionForKey, toPositive } from './murmur2.ts';
export { createMissingTopics, TOPICS_SERVED_TIMEOUT_MS, waitUntilTopicsServed } from './topic-creation.ts';
