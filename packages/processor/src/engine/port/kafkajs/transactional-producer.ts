import { javaCompatiblePartitioner } from '@hoot/events';
import type { Kafka, Message } from 'kafkajs';
import type { Logger } from 'pino';
import { type OutgoingRecord, ProducerFencedError, type TransactionalProducer } from '../kafka-port.ts';
import { isConcurrentTransactions, isFenced } from './errors.ts';

const MAX_ATTEMPTS = 8;

/**
 * One transaction per call. Handles kafkajs' transaction quirks on purpose: a transaction begun
 * right after the previous one commits can meet CONCURRENT_TRANSACTIONS (the coordinator is still
 * writing markers), which kafkajs does not retry for AddOffsetsToTxn; the whole transaction is
 * aborted and tried again with backoff. A fenced producer is reported as ProducerFencedError.
 */
export function createKafkajsTransactionalProducer(
  kafka: Kafka,
  transactionalId: string,
  logger: Logger,
): TransactionalProducer {
  const producer = kafka.producer({
    transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    transactionTimeout: 60_000,
    createPartitioner: javaCompatiblePartitioner,
  });

  return {
    async connect() {
      await producer.connect();
    },
    async disconnect() {
      await producer.disconnect();
    },
    async commitTransaction(records, { groupId, offsets }) {
      for (let attempt = 1; ; attempt++) {
        const transaction = await producer.transaction();
        try {
          const results =
            records.length === 0
              ? []
              : await transaction.sendBatch({ acks: -1, topicMessages: groupByTopic(records) });
          if (offsets.length > 0) {
            await transaction.sendOffsets({ consumerGroupId: groupId, topics: offsetTopics(offsets) });
          }
          await transaction.commit();
          return lastOffsets(records, results);
        } catch (error) {
          await transaction.abort().catch(() => {});
          if (isFenced(error)) throw new ProducerFencedError(transactionalId, error);
          if (isConcurrentTransactions(error) && attempt < MAX_ATTEMPTS) {
            logger.debug({ transactionalId, attempt }, 'concurrent transactions; retrying the transaction');
            await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
            continue;
          }
          throw error;
        }
      }
    },
  };
}

function groupByTopic(records: OutgoingRecord[]): Array<{ topic: string; messages: Message[] }> {
  const byTopic = new Map<string, Message[]>();
  for (const r of records) {
    const message: Message = { key: r.key, value: r.value };
    if (r.partition !== undefined) message.partition = r.partition;
    if (r.headers !== undefined) message.headers = r.headers;
    if (r.timestamp !== undefined) message.timestamp = String(r.timestamp);
    append(byTopic, r.topic, message);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

function offsetTopics(offsets: Array<{ topic: string; partition: number; offset: number }>) {
  const byTopic = new Map<string, Array<{ partition: number; offset: string }>>();
  for (const o of offsets) {
    append(byTopic, o.topic, { partition: o.partition, offset: String(o.offset) });
  }
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
}

/**
 * The offset of the last record written to each partition that only received records with an
 * explicit partition (changelogs): its base offset plus the count sent there, minus one.
 */
function lastOffsets(
  records: OutgoingRecord[],
  results: Array<{ topicName: string; partition: number; baseOffset?: string }>,
): Map<string, number> {
  const counts = new Map<string, number>();
  const unknown = new Set<string>();
  for (const r of records) {
    if (r.partition === undefined) unknown.add(r.topic);
    else counts.set(`${r.topic}:${r.partition}`, (counts.get(`${r.topic}:${r.partition}`) ?? 0) + 1);
  }
  const out = new Map<string, number>();
  for (const result of results) {
    const key = `${result.topicName}:${result.partition}`;
    const count = counts.get(key);
    if (count === undefined || unknown.has(result.topicName) || result.baseOffset === undefined) continue;
    out.set(key, Number(result.baseOffset) + count - 1);
  }
  return out;
}

function append<T>(map: Map<string, T[]>, key: string, item: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [item]);
  else list.push(item);
}
