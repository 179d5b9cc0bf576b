import { createECDH, randomBytes, randomUUID } from 'node:crypto';
import {
  type AvroSerde,
  brokerList,
  createAvroSerde,
  createBuiltinCatalog,
  type PingTokenClaims,
  signPingToken,
  valueSubject,
} from '@hoot/events';
import { createMissingTopics } from '@hoot/kafka';
import type { Schema } from 'avsc';
import type { FastifyInstance } from 'fastify';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import pino from 'pino';
import { Registry } from 'prom-client';
import {
  type ApiConfig,
  buildApi,
  connectKafka,
  createMerchant,
  type KafkaGateway,
  loadApiConfig,
  type NewMerchant,
} from '../../src/index.ts';

export const brokers = brokerList({ KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092' });
export const databaseUrl =
  process.env.TEST_DATABASE_URL ??
  process.env.HOOT_TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/hoot_test';
export const pingSecret = randomBytes(32).toString('base64url');
export const oldPingSecret = randomBytes(32).toString('base64url');

/** An api on the real broker and Postgres, with topics of its own that it deletes at the end. */
export interface ApiHarness {
  app: FastifyInstance;
  config: ApiConfig;
  pool: pg.Pool;
  kafka: KafkaGateway;
  metrics: Registry;
  topics: { ping: string; orders: string; sendRequests: string };
  newMerchant(): Promise<NewMerchant>;
  /** A valid ping token for a notification of the merchant's campaign. */
  token(claims?: Partial<PingTokenClaims>, secret?: string): string;
  /** Records on a topic, read with read_committed from the beginning, decoded. */
  consume<T>(
    topic: string,
    schema: Schema,
    count: number,
    timeoutMs?: number,
  ): Promise<Array<{ key: string; value: T }>>;
  /** Sum of the topic's partition end offsets. */
  endOffset(topic: string): Promise<number>;
  close(): Promise<void>;
}

export async function startApi(env: Record<string, string> = {}): Promise<ApiHarness> {
  const suffix = randomUUID().slice(0, 8);
  const topics = {
    ping: `it-api-ping-${suffix}`,
    orders: `it-api-orders-${suffix}`,
    sendRequests: `it-api-send-${suffix}`,
  };
  const config = loadApiConfig({
    KAFKA_BROKERS: brokers.join(','),
    DATABASE_URL: databaseUrl,
    PING_TOKEN_SECRETS: `${pingSecret},${oldPingSecret}`,
    PING_TOPIC: topics.ping,
    ORDERS_TOPIC: topics.orders,
    CAMPAIGN_SEND_TOPIC: topics.sendRequests,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const client = new Kafka({ clientId: 'api-it', brokers, logLevel: logLevel.NOTHING });
  const admin = client.admin();
  await admin.connect();
  await createMissingTopics(
    admin,
    Object.values(topics).map((topic) => ({ topic, numPartitions: 3 })),
  );
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  const logger = pino({ level: 'silent' });
  const kafka = await connectKafka({
    brokers,
    clientId: 'api-it',
    timeoutMs: config.PRODUCE_TIMEOUT_MS,
    logger,
  });
  const metrics = new Registry();
  const app = await buildApi({
    config,
    pool,
    kafka,
    schemaRegistry: createBuiltinCatalog(),
    metricsRegistry: metrics,
  });
  await app.ready();
  const merchants: string[] = [];

  return {
    app,
    config,
    pool,
    kafka,
    metrics,
    topics,
    async newMerchant() {
      const id = `it-${randomUUID().slice(0, 12)}.example`;
      merchants.push(id);
      return createMerchant(pool, id, `Shop ${id}`);
    },
    token(claims = {}, secret = pingSecret) {
      return signPingToken(
        {
          notificationId: randomUUID(),
          merchant: 'shop.example',
          source: 'campaign',
          sourceId: 1,
          subscriberId: 1,
          expiresAt: Math.floor(Date.now() / 1000) + 3600,
          issuedAt: Math.floor(Date.now() / 1000) - 60,
          ...claims,
        },
        secret,
      );
    },
    async consume<T>(topic: string, schema: Schema, count: number, timeoutMs = 15_000) {
      const serde: AvroSerde<T> = createAvroSerde<T>({
        registry: createBuiltinCatalog(),
        subject: valueSubject(topic),
        schema,
      });
      const consumer = client.consumer({ groupId: `api-it-${randomUUID()}`, readUncommitted: false });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const out: Array<{ key: string; value: T }> = [];
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`only ${out.length} of ${count} records on ${topic}`)),
            timeoutMs,
          );
          consumer
            .run({
              eachMessage: async ({ message }) => {
                out.push({ key: message.key?.toString() ?? '', value: await serde.decode(message.value) });
                if (out.length >= count) {
                  clearTimeout(timer);
                  resolve();
                }
              },
            })
            .catch(reject);
        });
      } finally {
        await consumer.disconnect();
      }
      return out;
    },
    async endOffset(topic) {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.reduce((sum, p) => sum + Number(p.high), 0);
    },
    async close() {
      await app.close();
      await kafka.close();
      if (merchants.length > 0) {
        for (const table of ['campaign_reports', 'campaign_hourly_reports', 'merchants']) {
          const column = table === 'merchants' ? 'id' : 'merchant_id';
          await pool.query(`DELETE FROM ${table} WHERE ${column} = ANY($1)`, [merchants]);
        }
      }
      await pool.end();
      await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => {});
      await admin.disconnect();
    },
  };
}

/** A P-256 public key (base64url, 65 bytes uncompressed), as the api's VAPID_PUBLIC_KEY: the subscribe snippet needs one. */
export function newVapidPublicKey(): string {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return ecdh.getPublicKey().toString('base64url');
}

export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}
