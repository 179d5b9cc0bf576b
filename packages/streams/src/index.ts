export { EngineMetrics } from './metrics/engine-metrics.ts';
export * from './port/kafka-port.ts';
export { createKafkajsPort, type KafkajsPortOptions } from './port/kafkajs/kafkajs-port.ts';
export {
  createPlatformaticPort,
  type PlatformaticPortOptions,
} from './port/platformatic/platformatic-port.ts';
export {
  createKafkaPort,
  KAFKA_CLIENTS,
  type KafkaClientName,
  kafkaClientName,
  type SelectPortOptions,
} from './port/select-port.ts';
export {
  coPartitionedAssigner,
  encodeMemberTasks,
  type MemberTasks,
} from './runtime/co-partitioned-assigner.ts';
export { StreamProcessor, type StreamProcessorOptions } from './runtime/stream-processor.ts';
export {
  bufferSerde,
  int64Serde,
  jsonSerde,
  type StoreSerde,
  stringSerde,
  type TopicSerde,
} from './serde/serde.ts';
export type { BytesStore, StoredEntry } from './state/bytes-store.ts';
export { CachingBytesStore } from './state/caching-store.ts';
export { ChangeLoggingBytesStore, type ChangelogWriter } from './state/change-logging-store.ts';
export { KeyValueStore } from './state/key-value-store.ts';
export { SqliteBytesStore, sqliteTableName } from './state/sqlite-bytes-store.ts';
export { buildKeyValueStore, buildWindowStore, type StoreStack } from './state/store-builder.ts';
export { TaskStateManager } from './state/task-state-manager.ts';
export { decodeWindowKey, encodeWindowKey, windowKeyRange } from './state/window-key.ts';
export { WindowStore } from './state/window-store.ts';
export { type Aggregator, countAggregator, sumAggregator } from './topology/aggregator.ts';
export type { RecordOrigin, StreamRecord } from './topology/stream-record.ts';
export {
  changelogTopic,
  deadLetterTopic,
  processingLogTopic,
  repartitionTopic,
  type Topology,
} from './topology/topology.ts';
export { KStream, type TableRef, TopologyBuilder } from './topology/topology-builder.ts';
export {
  describeWindows,
  isWindowClosed,
  retentionCutoff,
  type TumblingWindows,
  tumblingWindows,
  type Window,
  windowFor,
} from './windows/tumbling.ts';
export {
  CHANGELOG_VALUE_VERSION,
  ChangelogFormatError,
  decodeChangelogValue,
  encodeChangelogValue,
} from './wire/changelog-record.ts';
