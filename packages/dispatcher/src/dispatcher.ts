import {
  brokerList,
  type CampaignSendBatch,
  type CampaignSendRequest,
  campaignSendBatchSchema,
  campaignSendRequestSchema,
  createAvroSerde,
  type Dispatch,
  dispatchSchema,
  registryFromEnv,
  valueSubject,
} from '@hoot/events';
import { createMissingTopics, javaCompatiblePartitioner, keepInGroup } from '@hoot/kafka';
import { kafkaLogCreator } from '@hoot/runtime';
import { type ConsumerRunConfig, Kafka, type KafkaMessage, logLevel } from 'kafkajs';
import pg from 'pg';
import type { Logger } from 'pino';
import { Gauge } from 'prom-client';
import webpush from 'web-push';
import { type DispatcherConfig, signingSecret } from './config.ts';
import { createFanOut } from './fanout/fan-out.ts';
import { createDispatcherMetrics, type DispatcherMetrics } from './metrics.ts';
import { createPayloadBuilder } from './notification/payload-builder.ts';
import { PayloadTooLargeError } from './notification/payload-too-large-error.ts';
import { createEndpointPolicy } from './push/endpoint-policy.ts';
import { createHostBackoff } from './push/host-backoff.ts';
import { createHostMatcher } from './push/host-matcher.ts';
import { createPushClient } from './push/push-client.ts';
import { createPushServiceBreaker } from './push/push-service-breaker.ts';
import { createVapidHeaderCache } from './push/vapid-header-cache.ts';
import { createWebPushSender } from './push/web-push-sender.ts';
import { createBatchSender } from './sending/batch-sender.ts';
import { createDispatchStore } from './store/dispatch-store.ts';

export interface DispatcherOptions {
  config: DispatcherConfig;
  logger: Logger;
  metrics?: DispatcherMetrics;
  /** Extra trusted CA for push services (a test's self-signed push service). */
  pushCa?: string | Buffer;
  /**
   * A consumer crashed for good on something other than the broker being away (which it rides
   * out by rejoining): the dispatcher takes no more work; the caller should end the process.
   */
  onCrash?: (error: Error) => void;
}

export interface RunningDispatcher {
  metrics: DispatcherMetrics;
  /** Undefined when ready, else what is not. */
  readiness(): Promise<string | undefined>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts both halves of the dispatcher: the fan-out (a consumer group over send requests that
 * splits campaigns into batches) and the send workers (a consumer group over batches, one batch
 * per partition at a time, up to BATCHES_IN_FLIGHT).
 */
export async function startDispatcher(options: DispatcherOptions): Promise<RunningDispatcher> {
  const { config, logger } = options;
  const metrics = options.metrics ?? createDispatcherMetrics();

  let vapidPublicKey = config.VAPID_PUBLIC_KEY;
  let vapidPrivateKey = config.VAPID_PRIVATE_KEY;
  if (vapidPublicKey === undefined || vapidPrivateKey === undefined) {
    ({ publicKey: vapidPublicKey, privateKey: vapidPrivateKey } = webpush.generateVAPIDKeys());
    logger.warn(
      { vapidPublicKey },
      'VAPID_PUBLIC_KEY/VAPID_PRIVATE_KEY not set: using a key pair made for this process; browsers subscribed with another key will refuse its pushes',
    );
  }
  const secret = signingSecret(config);

  const kafka = new Kafka({
    clientId: config.KAFKA_CLIENT_ID ?? 'hoot-dispatcher',
    brokers: brokerList(config),
    // Group joins and rebalances are worth a line at info; kafkajs's debug chatter is not.
    logLevel: config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? logLevel.INFO : logLevel.WARN,
    logCreator: kafkaLogCreator(logger.child({ component: 'kafka' })),
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await createMissingTopics(
      admin,
      [config.SEND_REQUESTS_TOPIC, config.SEND_BATCHES_TOPIC, config.DISPATCH_TOPIC].map((topic) => ({
        topic,
        numPartitions: config.KAFKA_TOPIC_PARTITIONS,
        replicationFactor: config.KAFKA_REPLICATION_FACTOR,
      })),
    );
  } finally {
    await admin.disconnect();
  }

  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: config.BATCHES_IN_FLIGHT + 4 });
  pool.on('error', (error) => logger.error({ err: error }, 'idle Postgres connection failed'));
  const store = createDispatchStore(pool);

  const registry = registryFromEnv(config);
  const requestSerde = createAvroSerde<CampaignSendRequest>({
    registry,
    subject: valueSubject(config.SEND_REQUESTS_TOPIC),
    schema: campaignSendRequestSchema,
  });
  const batchSerde = createAvroSerde<CampaignSendBatch>({
    registry,
    subject: valueSubject(config.SEND_BATCHES_TOPIC),
    schema: campaignSendBatchSchema,
  });
  const dispatchSerde = createAvroSerde<Dispatch>({
    registry,
    subject: valueSubject(config.DISPATCH_TOPIC),
    schema: dispatchSchema,
  });

  const producer = kafka.producer({
    createPartitioner: javaCompatiblePartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();

  const buildPayload = createPayloadBuilder({
    secret,
    pingUrl: config.PING_URL,
    attributionWindowMs: config.ATTRIBUTION_WINDOW_HOURS * 3_600_000,
  });
  const client = createPushClient({
    connectionsPerOrigin: config.PUSH_CONNECTIONS_PER_HOST,
    timeoutMs: config.SEND_TIMEOUT_MS,
    allowPrivateAddresses: config.PUSH_ALLOW_PRIVATE_ADDRESSES,
    ...(options.pushCa === undefined ? {} : { ca: options.pushCa }),
  });
  if (config.PUSH_ALLOW_PRIVATE_ADDRESSES) {
    // The SSRF guard is off: any subscriber could point the dispatcher at internal services.
    logger.warn(
      { PUSH_ALLOW_PRIVATE_ADDRESSES: true, allowlist: config.PUSH_HOST_ALLOWLIST },
      'DEVELOPMENT ONLY: PUSH_ALLOW_PRIVATE_ADDRESSES=true lets pushes reach loopback and private addresses; never set it in production',
    );
  }
  const breaker = createPushServiceBreaker({
    windowMs: config.PUSH_INCIDENT_WINDOW_MS,
    minAnswers: config.PUSH_INCIDENT_MIN_ANSWERS,
    share: config.PUSH_INCIDENT_SHARE,
    pauseMs: config.PUSH_INCIDENT_PAUSE_MS,
  });
  new Gauge({
    name: 'hoot_dispatcher_push_services_paused',
    help: 'Push-service hosts this instance has paused because of an incident (the same 404/410 for the whole host)',
    registers: [metrics.registry],
    collect() {
      this.set(breaker.pausedHosts().length);
    },
  });
  const send = createWebPushSender({
    policy: createEndpointPolicy({
      allowlist: config.PUSH_HOST_ALLOWLIST,
      allowPrivateAddresses: config.PUSH_ALLOW_PRIVATE_ADDRESSES,
    }),
    client,
    vapid: createVapidHeaderCache({
      subject: config.VAPID_SUBJECT,
      publicKey: vapidPublicKey,
      privateKey: vapidPrivateKey,
      ttlSeconds: config.VAPID_TOKEN_TTL_SECONDS,
      onSign: () => metrics.vapidSignings.inc(),
    }),
    backoff: createHostBackoff(),
    breaker,
    isWnsHost: createHostMatcher(config.WNS_HOSTS),
    metrics,
    logger: logger.child({ component: 'push' }),
    maxAttempts: config.SEND_MAX_ATTEMPTS,
    retryBaseDelayMs: config.RETRY_BASE_DELAY_MS,
    retryMaxDelayMs: config.RETRY_MAX_DELAY_MS,
  });

  const fanOut = createFanOut({
    store,
    producer,
    batchSerde,
    batchesTopic: config.SEND_BATCHES_TOPIC,
    batchSize: config.SEND_BATCH_SIZE,
    // The largest subscriber id gives the longest payload the campaign can produce.
    validateCampaign: (campaign) => {
      try {
        buildPayload(campaign, Number.MAX_SAFE_INTEGER);
        return undefined;
      } catch (error) {
        if (error instanceof PayloadTooLargeError) return error.message;
        throw error;
      }
    },
    metrics,
    logger: logger.child({ component: 'fan-out' }),
  });
  let stopping = false;
  const sendBatch = createBatchSender({
    store,
    buildPayload,
    send,
    producer,
    dispatchSerde,
    dispatchTopic: config.DISPATCH_TOPIC,
    sendsInFlight: config.SENDS_IN_FLIGHT_PER_BATCH,
    breaker,
    maxDeferMs: config.PUSH_INCIDENT_MAX_DEFER_MS,
    metrics,
    logger: logger.child({ component: 'sender' }),
    stopping: () => stopping,
  });

  let backlog: Promise<{ batches: number; notifications: number }> | undefined;
  const readBacklog = () => {
    backlog ??= store.backlog().finally(() => setTimeout(() => (backlog = undefined), 1000).unref());
    return backlog;
  };
  new Gauge({
    name: 'hoot_dispatcher_backlog_batches',
    help: 'Batches of all campaigns not yet sent (from Postgres)',
    registers: [metrics.registry],
    async collect() {
      this.set((await readBacklog()).batches);
    },
  });
  new Gauge({
    name: 'hoot_dispatcher_backlog_notifications',
    help: 'Notifications in batches not yet sent, at most (from Postgres)',
    registers: [metrics.registry],
    async collect() {
      this.set((await readBacklog()).notifications);
    },
  });

  /** Retries work that failed on an outage (Postgres, Kafka) until it succeeds or we stop. */
  async function persist<T>(what: string, work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (stopping) throw error;
        const delay = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
        logger.error({ err: error, attempt, delay }, `${what} failed, retrying`);
        await sleep(delay);
      }
    }
  }

  async function decoded<T>(
    serde: { decode(m: Buffer | null, c: object): Promise<T> },
    topic: string,
    partition: number,
    message: KafkaMessage,
  ): Promise<T | undefined> {
    try {
      return await serde.decode(message.value, { topic, partition, offset: message.offset });
    } catch (error) {
      metrics.requests.inc({ outcome: 'undecodable' });
      logger.error({ err: error, topic, partition, offset: message.offset }, 'undecodable record skipped');
      return undefined;
    }
  }

  const fanOutGroup = `${config.DISPATCHER_GROUP_ID}-fanout`;
  const fanOutConsumer = kafka.consumer({
    groupId: fanOutGroup,
    sessionTimeout: config.KAFKA_SESSION_TIMEOUT_MS,
  });
  const batchConsumer = kafka.consumer({
    groupId: config.DISPATCHER_GROUP_ID,
    sessionTimeout: config.KAFKA_SESSION_TIMEOUT_MS,
    heartbeatInterval: Math.min(3000, config.KAFKA_SESSION_TIMEOUT_MS / 3),
    // A batch message is small; fetch few at a time so a rebalance finds little queued.
    maxBytesPerPartition: 64 * 1024,
  });
  const fanOutRun: ConsumerRunConfig = {
    autoCommitInterval: 1000,
    eachMessage: async ({ topic, partition, message }) => {
      const request = await decoded(requestSerde, topic, partition, message);
      if (request !== undefined) await persist('fan-out', () => fanOut(request));
    },
  };
  const batchRun: ConsumerRunConfig = {
    partitionsConsumedConcurrently: config.BATCHES_IN_FLIGHT,
    autoCommitInterval: 1000,
    eachMessage: async ({ topic, partition, message, heartbeat }) => {
      const batch = await decoded(batchSerde, topic, partition, message);
      if (batch !== undefined) await persist('batch', () => sendBatch(batch, heartbeat));
    },
  };
  // Both consumers ride out broker restarts and outages by rejoining their groups; any other
  // crash ends the dispatcher (it would otherwise sit ready while taking no work).
  let crashed: Error | undefined;
  const onCrash = (error: Error) => {
    if (crashed !== undefined || stopping) return;
    crashed = error;
    logger.fatal({ err: error }, 'a consumer crashed; the dispatcher takes no more work');
    options.onCrash?.(error);
  };
  const memberships = [
    keepInGroup(fanOutConsumer, fanOutRun, { logger, groupId: fanOutGroup, onCrash }),
    keepInGroup(batchConsumer, batchRun, { logger, groupId: config.DISPATCHER_GROUP_ID, onCrash }),
  ];

  // From the beginning where the group has no committed offset yet: an instance killed before its
  // first commit must not make its successor skip to the end. Postgres knows what is already done.
  await fanOutConsumer.connect();
  await fanOutConsumer.subscribe({ topics: [config.SEND_REQUESTS_TOPIC], fromBeginning: true });
  await batchConsumer.connect();
  await batchConsumer.subscribe({ topics: [config.SEND_BATCHES_TOPIC], fromBeginning: true });
  await fanOutConsumer.run(fanOutRun);
  await batchConsumer.run(batchRun);
  logger.info(
    {
      requests: config.SEND_REQUESTS_TOPIC,
      batches: config.SEND_BATCHES_TOPIC,
      dispatch: config.DISPATCH_TOPIC,
      group: config.DISPATCHER_GROUP_ID,
    },
    'dispatcher started',
  );

  return {
    metrics,
    async readiness() {
      if (crashed !== undefined) return `crashed: ${crashed.message}`;
      await pool.query('SELECT 1');
      const out = memberships.filter((m) => !m.joined);
      if (out.length === 0) return undefined;
      return out
        .map((m) =>
          m.outReason === undefined
            ? `consumer group ${m.groupId} not joined yet`
            : `consumer group ${m.groupId} left: ${m.outReason}`,
        )
        .join('; ');
    },
    async stop() {
      stopping = true;
      for (const m of memberships) m.stop();
      await Promise.allSettled([fanOutConsumer.disconnect(), batchConsumer.disconnect()]);
      await producer.disconnect();
      await client.close();
      await pool.end();
    },
  };
}
