import { type ISocketFactory, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaPort } from '../kafka-port.ts';
import { createKafkajsAdmin } from './admin.ts';
import { createKafkajsGroupConsumer } from './group-consumer.ts';
import { pinoLogCreator } from './log-creator.ts';
import { createKafkajsPartitionReader } from './partition-reader.ts';
import { createKafkajsTransactionalProducer } from './transactional-producer.ts';

export interface KafkajsPortOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** Opens broker connections (kafkajs' default: plain TCP); tests inject network faults here. */
  socketFactory?: ISocketFactory;
}

/** The engine's Kafka port on kafkajs. */
export function createKafkajsPort(options: KafkajsPortOptions): KafkaPort {
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logCreator: pinoLogCreator(options.logger),
    retry: { initialRetryTime: 100, retries: 10, maxRetryTime: 5_000 },
    ...(options.socketFactory === undefined ? {} : { socketFactory: options.socketFactory }),
  });
  return {
    admin: () => createKafkajsAdmin(kafka),
    groupConsumer: (consumerOptions) => createKafkajsGroupConsumer(kafka, consumerOptions, options.logger),
    transactionalProducer: (transactionalId) =>
      createKafkajsTransactionalProducer(kafka, transactionalId, options.logger),
    partitionReader: (readerOptions) => createKafkajsPartitionReader(kafka, readerOptions, options.logger),
  };
}
