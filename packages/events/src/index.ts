export { type AvroSerde, type AvroSerdeOptions, createAvroSerde } from './avro-serde.ts';
export {
  FrameError,
  type FrameErrorCode,
  HootEventsError,
  InvalidValueError,
  type RecordContext,
  SchemaRegistryError,
} from './errors.ts';
export { brokerList, type KafkaEnv, kafkaEnvProperties } from './kafka-config.ts';
export { type CampaignRef, campaignKey, notificationIdentity, parseCampaignKey } from './keys.ts';
export {
  AES128GCM_OVERHEAD_BYTES,
  MAX_PUSH_PAYLOAD_BYTES,
  type NotificationPayload,
} from './notification/notification-payload.ts';
export {
  MIN_PING_TOKEN_SECRET_BYTES,
  type PingTokenClaims,
  type PingTokenFailure,
  type PingTokenResult,
  signPingToken,
  verifyPingToken,
} from './notification/ping-token.ts';
export { BUILTIN_SCHEMA_IDS, createBuiltinCatalog } from './registry/builtin-catalog.ts';
export { type ConfluentRegistryOptions, createConfluentRegistry } from './registry/confluent-registry.ts';
export { registryFromEnv } from './registry/registry-from-env.ts';
export { schemaIdentity } from './registry/schema-identity.ts';
export type { SchemaRegistry } from './registry/schema-registry.ts';
export {
  type CampaignReport,
  campaignReportSchema,
  campaignReportSchemaV1,
} from './schemas/campaign-report.ts';
export { type CampaignSendBatch, campaignSendBatchSchema } from './schemas/campaign-send-batch.ts';
export { type CampaignSendRequest, campaignSendRequestSchema } from './schemas/campaign-send-request.ts';
export {
  DISPATCH_OUTCOMES,
  type Dispatch,
  type DispatchOutcome,
  dispatchSchema,
  dispatchSchemaV1,
} from './schemas/dispatch.ts';
export { type Order, orderSchema, orderSchemaV1 } from './schemas/order.ts';
export { type Ping, pingSchema } from './schemas/ping.ts';
export { type SeedDispatch, type SeedPing, seedDispatchSchema, seedPingSchema } from './schemas/seed.ts';
export {
  anyTimestampTopicConfig,
  sharedTopicConfigs,
  type TopicLayout,
  type TopicName,
  Topics,
  topicSchemas,
  valueSubject,
} from './topics.ts';
export {
  decodeFrame,
  encodeFrame,
  FRAME_HEADER_BYTES,
  type Frame,
  MAGIC_BYTE,
} from './wire/confluent-frame.ts';
