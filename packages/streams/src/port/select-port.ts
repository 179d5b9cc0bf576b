import type { Logger } from 'pino';
import type { KafkaPort } from './kafka-port.ts';
import { createKafkajsPort, type KafkajsPortOptions } from './kafkajs/kafkajs-port.ts';
import { createPlatformaticPort } from './platformatic/platformatic-port.ts';

/** The Kafka clients the engine has a port for. */
export const KAFKA_CLIENTS = ['kafkajs', 'platformatic'] as const;
export type KafkaClientName = (typeof KAFKA_CLIENTS)[number];

/**
 * The client named by `name` (e.g. the HOOT_KAFKA_CLIENT environment variable): undefined or empty
 * is kafkajs; anything not in KAFKA_CLIENTS throws.
 */
export function kafkaClientName(name: string | undefined): KafkaClientName {
  if (name === undefined || name === '') return 'kafkajs';
  if ((KAFKA_CLIENTS as readonly string[]).includes(name)) return name as KafkaClientName;
  throw new Error(`unknown Kafka client "${name}": expected one of ${KAFKA_CLIENTS.join(', ')}`);
}

export interface SelectPortOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** kafkajs only (tests inject network faults there); the other clients ignore it. */
  socketFactory?: KafkajsPortOptions['socketFactory'];
}

/** The engine's Kafka port on the named client (see kafkaClientName). */
export function createKafkaPort(name: string | undefined, options: SelectPortOptions): KafkaPort {
  const client = kafkaClientName(name);
  if (client === 'platformatic') {
    return createPlatformaticPort({
      brokers: options.brokers,
      clientId: options.clientId,
      logger: options.logger,
    });
  }
  const { socketFactory, ...rest } = options;
  return createKafkajsPort(socketFactory === undefined ? rest : { ...rest, socketFactory });
}
