import { partitionForKey } from '@hoot/kafka';
import {
  Admin,
  type Consumer,
  FindCoordinatorKeyTypes,
  type Message,
  type MessageToProduce,
  Producer,
} from '@platformatic/kafka';
import type { Logger } from 'pino';
import { type OutgoingRecord, ProducerFencedError, type TransactionalProducer } from '../kafka-port.ts';
import { produceRequests } from '../produce-requests.ts';
import { baseOptions, type PlatformaticClientSettings } from './client-options.ts';
import { describeError, hasApiError, isFenced } from './errors.ts';

type Transaction = Awaited<ReturnType<Producer['beginTransaction']>>;

const MAX_ATTEMPTS = 8;
/** Retries of one request (CONCURRENT_TRANSACTIONS, a coordinator moving), backing off to 2 s. */
const REQUEST_RETRIES = 20;

/**
 * InitProducerId for a transactional id that has none yet must carry producer id -1 and epoch -1.
 * The library sends 0 and 0 unless told otherwise, which the broker refuses for a new id
 * (beginTransaction fails); passing -1/-1 on every begin is right for old ids too, since the
 * library only sends InitProducerId on a producer's first transaction (or after it was fenced).
 */
export const NEW_PRODUCER_IDENTITY = { producerId: -1n, producerEpoch: -1 } as const;

/**
 * One transaction per call on @platformatic/kafka's transactional producer: records, then the
 * input offsets of the consumer group (AddOffsetsToTxn, then one TxnOffsetCommit per partition,
 * sent to the group's coordinator with generation -1 and no member id), then EndTxn.
 *
 * `connect()` begins and cancels an empty transaction: that sends InitProducerId, which fences
 * any older producer with the same transactional id and completes what it left open.
 * A fenced producer is reported as ProducerFencedError. Any other failure aborts (when the
 * transaction had begun) and replaces the library's producer before it is reported, like the
 * kafkajs adapter: the next commit initializes a new one, whose epoch bump aborts whatever the
 * old one left open.
 */
export function createPlatformaticTransactionalProducer(
  settings: PlatformaticClientSettings,
  transactionalId: string,
  logger: Logger,
): TransactionalProducer {
  const create = () =>
    new Producer({
      ...baseOptions(settings, REQUEST_RETRIES),
      transactionalId,
      idempotent: true,
      acks: -1,
    });
  let producer = create();
  // The group coordinator's node id per group, needed by TxnOffsetCommit; looked up on first use.
  const admin = new Admin(baseOptions(settings));
  const coordinators = new Map<string, number>();
  let partitionCounts = new Map<string, number>();

  async function coordinatorOf(groupId: string): Promise<number> {
    const known = coordinators.get(groupId);
    if (known !== undefined) return known;
    const [found] = await admin.findCoordinator({ keyType: FindCoordinatorKeyTypes.GROUP, keys: [groupId] });
    if (found === undefined) throw new Error(`no coordinator found for group ${groupId}`);
    coordinators.set(groupId, found.nodeId);
    return found.nodeId;
  }

  async function partitionCount(topic: string): Promise<number> {
    const known = partitionCounts.get(topic);
    if (known !== undefined) return known;
    const metadata = await producer.metadata({ topics: [topic] });
    const count = metadata.topics.get(topic)?.partitionsCount;
    if (count === undefined || count === 0) throw new Error(`topic ${topic} has no partitions`);
    partitionCounts.set(topic, count);
    return count;
  }

  async function begin(): Promise<Transaction> {
    return producer.beginTransaction({ ...NEW_PRODUCER_IDENTITY });
  }

  const replace = (error: unknown) => {
    logger.warn(
      { transactionalId, err: error, detail: describeError(error) },
      'transaction failed; replacing the transactional producer',
    );
    const old = producer;
    producer = create();
    coordinators.clear();
    partitionCounts = new Map();
    void old.close(true).catch(() => {});
  };

  return {
    async connect() {
      const transaction = await begin().catch((error: unknown) => {
        if (isFenced(error)) throw new ProducerFencedError(transactionalId, error);
        throw error;
      });
      await transaction.cancel();
    },
    async disconnect() {
      await Promise.all([producer.close(true), admin.close()]);
    },
    async commitTransaction(records, { groupId, offsets }) {
      const messages: MessageToProduce[] = [];
      for (const r of records) messages.push(await toMessage(r, partitionCount));
      for (let attempt = 1; ; attempt++) {
        let transaction: Transaction | undefined;
        try {
          transaction = await begin();
          const written = new Map<string, number>();
          for (const chunk of produceRequests(messages)) {
            const result = await transaction.send({ messages: chunk });
            for (const [key, offset] of lastOffsets(chunk, result.offsets ?? [])) written.set(key, offset);
          }
          if (offsets.length > 0) {
            await transaction.addConsumer({ groupId } as Consumer);
            const coordinatorId = await coordinatorOf(groupId);
            for (const o of offsets) {
              await transaction.addOffset(
                offsetMessage(groupId, coordinatorId, o.topic, o.partition, o.offset),
              );
            }
          }
          await transaction.commit();
          return written;
        } catch (error) {
          if (isFenced(error)) {
            // The library forgets its producer id on fencing: this producer is done.
            replace(error);
            throw new ProducerFencedError(transactionalId, error);
          }
          const aborted =
            transaction === undefined ||
            (await transaction.abort().then(
              () => true,
              () => false,
            ));
          if (aborted && hasApiError(error, 'CONCURRENT_TRANSACTIONS') && attempt < MAX_ATTEMPTS) {
            await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
            continue;
          }
          if (hasApiError(error, 'NOT_COORDINATOR') || hasApiError(error, 'COORDINATOR_NOT_AVAILABLE'))
            coordinators.clear();
          replace(error);
          throw error;
        }
      }
    },
  };
}

/**
 * The library's message for one record. Keyed records without a partition get Kafka's default
 * partition (murmur2, positive, modulo the partition count) computed here: the library's own
 * default partitioner takes murmur2 unsigned instead of positive, which differs from Java and
 * kafkajs for half of all keys. Keyless records are left to its round-robin.
 */
async function toMessage(
  r: OutgoingRecord,
  partitionCount: (topic: string) => Promise<number>,
): Promise<MessageToProduce> {
  const message: MessageToProduce = { topic: r.topic };
  if (r.key !== null) message.key = r.key;
  if (r.value !== null) message.value = r.value;
  if (r.partition !== undefined) message.partition = r.partition;
  else if (r.key !== null) message.partition = partitionForKey(r.key, await partitionCount(r.topic));
  if (r.timestamp !== undefined) message.timestamp = BigInt(r.timestamp);
  if (r.headers !== undefined) {
    // Keys as Buffers too: the library writes header keys as given, and a string's length in
    // characters is not its length in bytes (it corrupts the record batch).
    const headers = new Map<Buffer, Buffer>();
    for (const [name, value] of Object.entries(r.headers))
      headers.set(Buffer.from(name), typeof value === 'string' ? Buffer.from(value) : value);
    message.headers = headers;
  }
  return message;
}

/**
 * What `Transaction.addOffset` reads of a consumed message: topic, partition, offset (it commits
 * offset + 1) and the consumer's group, generation, member and coordinator. Generation -1 and an
 * empty member id commit without the group's fencing (the transactional id fences instead).
 */
function offsetMessage(
  groupId: string,
  coordinatorId: number,
  topic: string,
  partition: number,
  next: number,
) {
  return {
    topic,
    partition,
    offset: BigInt(next) - 1n,
    metadata: { consumer: { groupId, generationId: -1, memberId: '', coordinatorId } },
  } as unknown as Message;
}

/**
 * The offset of the last record written to each partition of a request: its base offset plus the
 * count sent there, minus one (only partitions every record of which had a known partition).
 */
function lastOffsets(
  messages: MessageToProduce[],
  results: Array<{ topic: string; partition: number; offset: bigint }>,
): Map<string, number> {
  const counts = new Map<string, number>();
  const unknown = new Set<string>();
  for (const m of messages) {
    if (m.partition === undefined) unknown.add(m.topic);
    else counts.set(`${m.topic}:${m.partition}`, (counts.get(`${m.topic}:${m.partition}`) ?? 0) + 1);
  }
  const out = new Map<string, number>();
  for (const result of results) {
    const key = `${result.topic}:${result.partition}`;
    const count = counts.get(key);
    if (count === undefined || unknown.has(result.topic) || result.offset < 0n) continue;
    out.set(key, Number(result.offset) + count - 1);
  }
  return out;
}
