import { javaCompatiblePartitioner } from '@hoot/kafka';
import type { Kafka, Message } from 'kafkajs';
import type { Logger } from 'pino';
import { type OutgoingRecord, ProducerFencedError, type TransactionalProducer } from '../kafka-port.ts';
import { produceRequests } from '../produce-requests.ts';
import { isConcurrentTransactions, isFenced } from './errors.ts';

const MAX_ATTEMPTS = 8;

/**
 * One transaction per call. Handles kafkajs' transaction quirks on purpose: a transaction begun
 * right after the previous one commits can meet CONCURRENT_TRANSACTIONS (the coordinator is still
 * writing markers), which kafkajs does not retry for AddOffsetsToTxn; the whole transaction is
 * aborted and tried again with backoff. A fenced producer is reported as ProducerFencedError.
 *
 * Any other failure replaces the kafkajs producer before it is reported: a transaction whose
 * EndTxn or abort failed (a broker restarting, a coordinator moving) leaves kafkajs' producer in a
 * state it never leaves ("Cannot call beginTransaction in state ABORTING"), and every later
 * commit would fail the same way. The next commit connects a new producer with the same
 * transactional id, whose InitProducerId bumps the epoch: the broker aborts whatever the old one
 * left open, and the old one is fenced should it still be alive. The caller rolls its task back
 * to the last commit, so nothing of the failed transaction is kept or lost.
 */
export function createKafkajsTransactionalProducer(
  kafka: Kafka,
  transactionalId: string,
  logger: Logger,
): TransactionalProducer {
  const create = () =>
    kafka.producer({
      transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 60_000,
      // An idempotent producer must not give up on a retriable send (kafkajs warns otherwise);
      // fencing and other fatal errors still end a transaction at once.
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 5_000 },
      createPartitioner: javaCompatiblePartitioner,
    });
  let producer = create();
  let connected = false;

  const replace = (error: unknown) => {
    logger.warn({ transactionalId, err: error }, 'transaction failed; replacing the transactional producer');
    const old = producer;
    producer = create();
    connected = false;
    void old.disconnect().catch(() => {});
  };

  return {
    async connect() {
      await producer.connect();
      connected = true;
    },
    async disconnect() {
      connected = false;
      await producer.disconnect();
    },
    async commitTransaction(records, { groupId, offsets }) {
      if (!connected) {
        await producer.connect();
        connected = true;
      }
      for (let attempt = 1; ; attempt++) {
        let transaction: Awaited<ReturnType<typeof producer.transaction>> | undefined;
        try {
          transaction = await producer.transaction();
          // Requests within the broker's limits, however much one commit carries.
          const written = new Map<string, number>();
          for (const chunk of produceRequests(records)) {
            const results = await transaction.sendBatch({ acks: -1, topicMessages: groupByTopic(chunk) });
            for (const [key, offset] of lastOffsets(chunk, results)) written.set(key, offset);
          }
          if (offsets.length > 0) {
            await transaction.sendOffsets({ consumerGroupId: groupId, topics: offsetTopics(offsets) });
          }
          await transaction.commit();
          return written;
        } catch (error) {
          const aborted =
            transaction === undefined ||
            (await transaction.abort().then(
              () => true,
              () => false,
            ));
          if (isFenced(error)) throw new ProducerFencedError(transactionalId, error);
          if (aborted && isConcurrentTransactions(error) && attempt < MAX_ATTEMPTS) {
            logger.debug({ transactionalId, attempt }, 'concurrent transactions; retrying the transaction');
            await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
            continue;
          }
          replace(error);
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
  // Per topic, the count per partition (no string built per record).
  const counts = new Map<string, Map<number, number>>();
  const unknown = new Set<string>();
  for (const r of records) {
    if (r.partition === undefined) {
      unknown.add(r.topic);
      continue;
    }
    let perPartition = counts.get(r.topic);
    if (perPartition === undefined) {
      perPartition = new Map();
      counts.set(r.topic, perPartition);
    }
    perPartition.set(r.partition, (perPartition.get(r.partition) ?? 0) + 1);
  }
  const out = new Map<string, number>();
  for (const result of results) {
    const count = counts.get(result.topicName)?.get(result.partition);
    if (count === undefined || unknown.has(result.topicName) || result.baseOffset === undefined) continue;
    out.set(`${result.topicName}:${result.partition}`, Number(result.baseOffset) + count - 1);
  }
  return out;
}

function append<T>(map: Map<string, T[]>, key: string, item: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [item]);
  else list.push(item);
}
