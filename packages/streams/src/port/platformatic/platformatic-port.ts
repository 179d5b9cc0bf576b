import type { Logger } from 'pino';
import type { KafkaPort } from '../kafka-port.ts';
import { createPlatformaticAdmin } from './admin.ts';
import { createPlatformaticGroupConsumer } from './group-consumer.ts';
import { createPlatformaticPartitionReader } from './partition-reader.ts';
import { createPlatformaticTransactionalProducer } from './transactional-producer.ts';

export interface PlatformaticPortOptions {
  /** Bootstrap brokers, "host:port". */
  brokers: string[];
  clientId: string;
  logger: Logger;
}

/**
 * The engine's Kafka port on @platformatic/kafka (pure JavaScript, no native code). Every client
 * it creates (admin, group consumer, partition reader, one producer per transactional id) is a
 * client of the library with connections of its own.
 */
export function createPlatformaticPort(options: PlatformaticPortOptions): KafkaPort {
  const settings = { brokers: options.brokers, clientId: options.clientId };
  return {
    admin: () => createPlatformaticAdmin(settings),
    groupConsumer: (consumerOptions) =>
      createPlatformaticGroupConsumer(settings, consumerOptions, options.logger),
    transactionalProducer: (transactionalId) =>
      createPlatformaticTransactionalProducer(settings, transactionalId, options.logger),
    partitionReader: (readerOptions) =>
      createPlatformaticPartitionReader(settings, readerOptions, options.logger),
  };
}
