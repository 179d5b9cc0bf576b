import { type Static, Type } from '@sinclair/typebox';

/**
 * Environment variables every Kafka-speaking service reads. Services spread these properties
 * into their own configuration schema.
 */
export const kafkaEnvProperties = {
  KAFKA_BROKERS: Type.String({
    default: '127.0.0.1:9092',
    pattern: '^[^,\\s]+:\\d+(,[^,\\s]+:\\d+)*$',
    description: 'Comma-separated host:port list of bootstrap brokers',
  }),
  KAFKA_CLIENT_ID: Type.Optional(Type.String({ minLength: 1, description: 'Client id sent to the brokers' })),
  KAFKA_TOPIC_PARTITIONS: Type.Integer({
    default: 6,
    minimum: 1,
    description: 'Partitions of the shared topics when Hoot creates them',
  }),
  KAFKA_REPLICATION_FACTOR: Type.Integer({
    default: 1,
    minimum: 1,
    description: 'Replicas of topics Hoot creates',
  }),
  SCHEMA_REGISTRY_URL: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description:
        'Confluent-compatible Schema Registry; without it the built-in catalog of fixed ids is used',
    }),
  ),
};

const kafkaEnvSchema = Type.Object(kafkaEnvProperties);
export type KafkaEnv = Static<typeof kafkaEnvSchema>;

export function brokerList(env: Pick<KafkaEnv, 'KAFKA_BROKERS'>): string[] {
  return env.KAFKA_BROKERS.split(',').map((b) => b.trim());
}
