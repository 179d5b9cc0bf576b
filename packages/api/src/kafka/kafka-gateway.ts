import { javaCompatiblePartitioner } from '@hoot/kafka';
import { kafkaLogCreator } from '@hoot/runtime';
import { type Admin, Kafka, logLevel, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { ServiceUnavailableError } from '../http/request-error.ts';

export interface OutgoingRecord {
  topic: string;
  key: string;
  value: Buffer;
}

/** Per-send options. */
export interface SendOptions {
  /** A shorter deadline than the gateway's, for callers whose client gives up sooner (webhooks). */
  timeoutMs?: number;
}

/** What request handlers need from Kafka: durable writes. */
export interface EventSink {
  /**
   * Writes the records in one produce request per broker and resolves once every in-sync replica
   * has them (acks=all). Rejects with ServiceUnavailableError when that does not happen in time.
   */
  send(records: readonly OutgoingRecord[], options?: SendOptions): Promise<void>;
}

export interface KafkaGateway extends EventSink {
  /** A readiness check: undefined when a broker answers, else the problem. */
  check(): Promise<string | undefined>;
  close(): Promise<void>;
}

export interface KafkaGatewayOptions {
  brokers: string[];
  clientId: string;
  /** How long a send may take before it is answered with 503. */
  timeoutMs: number;
  logger: Logger;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ServiceUnavailableError(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The api's one producer. It is not idempotent on purpose: a retried ping or order may land
 * twice, which the processor absorbs (it counts a notification and an order id once), while an
 * idempotent kafkajs producer would retry forever when the brokers are gone.
 */
export async function connectKafka(options: KafkaGatewayOptions): Promise<KafkaGateway> {
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(options.logger.child({ component: 'kafkajs' })),
    retry: { retries: 3, initialRetryTime: 100 },
  });
  const producer: Producer = kafka.producer({
    createPartitioner: javaCompatiblePartitioner,
    allowAutoTopicCreation: false,
  });
  const admin: Admin = kafka.admin();
  await producer.connect();
  await admin.connect();

  return {
    async send(records, sendOptions = {}) {
      if (records.length === 0) return;
      const timeoutMs = Math.min(sendOptions.timeoutMs ?? options.timeoutMs, options.timeoutMs);
      const byTopic = new Map<string, Array<{ key: string; value: Buffer }>>();
      for (const record of records) {
        const messages = byTopic.get(record.topic) ?? [];
        messages.push({ key: record.key, value: record.value });
        byTopic.set(record.topic, messages);
      }
      const sending = producer.sendBatch({
        acks: -1,
        timeout: timeoutMs,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      try {
        await withTimeout(sending, timeoutMs, 'Kafka produce');
      } catch (error) {
        if (error instanceof ServiceUnavailableError) throw error;
        throw new ServiceUnavailableError('Kafka did not accept the records', { cause: error });
      }
    },
    async check() {
      try {
        const cluster = await withTimeout(admin.describeCluster(), 3000, 'Kafka metadata');
        return cluster.brokers.length > 0 ? undefined : 'no broker in the cluster metadata';
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      }
    },
    async close() {
      await producer.disconnect();
      await admin.disconnect();
    },
  };
}
