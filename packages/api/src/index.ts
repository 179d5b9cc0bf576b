export { type ApiDeps, buildApi } from './app.ts';
export {
  type ApiConfig,
  apiConfigSchema,
  DEFAULT_PUSH_SERVICE_HOSTS,
  listOf,
  loadApiConfig,
} from './config.ts';
export {
  connectKafka,
  type EventSink,
  type KafkaGateway,
  type OutgoingRecord,
} from './kafka/kafka-gateway.ts';
export { createMicroBatcher, type MicroBatcher } from './kafka/micro-batcher.ts';
export { generateApiKey, generateWebhookSecret, hashApiKey } from './merchants/api-keys.ts';
export { createMerchant, type NewMerchant } from './merchants/create-merchant.ts';
export { SIGNATURE_HEADER, signWebhook } from './orders/webhook-signature.ts';
