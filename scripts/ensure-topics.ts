// Creates Hoot's shared topics on the brokers named by KAFKA_BROKERS when they are missing.
import { brokerList, kafkaEnvProperties, sharedTopicConfigs } from '@hoot/events';
import { createMissingTopics } from '@hoot/kafka';
import { loadConfig } from '@hoot/runtime';
import { Type } from '@sinclair/typebox';
import { Kafka, logLevel } from 'kafkajs';

const env = loadConfig('topics', Type.Object(kafkaEnvProperties));
const admin = new Kafka({
  clientId: 'hoot-topics',
  brokers: brokerList(env),
  logLevel: logLevel.WARN,
}).admin();
await admin.connect();
try {
  const created = await createMissingTopics(
    admin,
    sharedTopicConfigs({
      partitions: env.KAFKA_TOPIC_PARTITIONS,
      replicationFactor: env.KAFKA_REPLICATION_FACTOR,
    }),
  );
  console.error(`[hoot] topics ready${created.length > 0 ? `; created ${created.join(', ')}` : ''}`);
} finally {
  await admin.disconnect();
}
