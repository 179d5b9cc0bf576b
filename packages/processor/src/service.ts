import {
  anyTimestampTopicConfig,
  brokerList,
  type CampaignReport,
  campaignReportSchema,
  createAvroSerde,
  registryFromEnv,
  valueSubject,
} from '@hoot/events';
import type { ReadinessCheck } from '@hoot/runtime';
import {
  createKafkajsPort,
  EngineMetrics,
  type KafkaPort,
  StreamProcessor,
  type TopicSpec,
} from '@hoot/streams';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { campaignTopology } from './campaigns/campaign-topology.ts';
import type { ProcessorConfig } from './config.ts';
import { PostgresSink } from './sink/postgres-sink.ts';
import { SinkMetrics } from './sink/sink-metrics.ts';

const HOUR_MS = 3_600_000;

export interface ProcessorServiceOptions {
  config: ProcessorConfig;
  logger: Logger;
  registry: Registry;
  pool: Pool;
  port?: KafkaPort;
}

export interface ProcessorService {
  readiness: Record<string, ReadinessCheck>;
  onCrash(listener: (error: Error) => void): void;
  stop(): Promise<void>;
}

/** The topics the service reads and writes, created when missing (campaign-reporting compacted). */
function serviceTopics(config: ProcessorConfig): TopicSpec[] {
  const layout = {
    partitions: config.KAFKA_TOPIC_PARTITIONS,
    replicationFactor: config.KAFKA_REPLICATION_FACTOR,
  };
  // Producers outside Hoot write these, with their own clocks.
  const clientWritten = { config: { ...anyTimestampTopicConfig } };
  return [
    { topic: config.PING_TOPIC, ...layout, ...clientWritten },
    { topic: config.DISPATCH_TOPIC, ...layout, ...clientWritten },
    { topic: config.ORDERS_TOPIC, ...layout, ...clientWritten },
    { topic: config.REPORTING_TOPIC, ...layout, config: { 'cleanup.policy': 'compact' } },
  ];
}

/** Starts what ROLES names: the campaign-reporting stream processor, the Postgres sink, or both. */
export async function startProcessorService(options: ProcessorServiceOptions): Promise<ProcessorService> {
  const { config, logger, registry, pool } = options;
  const roles = new Set(config.ROLES.split(','));
  const port =
    options.port ??
    createKafkajsPort({
      brokers: brokerList(config),
      clientId: config.KAFKA_CLIENT_ID ?? config.APPLICATION_ID,
      logger,
    });
  const admin = port.admin();
  await admin.connect();
  await admin.ensureTopics(serviceTopics(config));
  await admin.disconnect();

  const schemas = registryFromEnv(config);
  let crash: (error: Error) => void = () => {};
  const readiness: Record<string, ReadinessCheck> = {
    postgres: async () => {
      await pool.query('SELECT 1');
      return undefined;
    },
  };
  const stops: Array<() => Promise<void>> = [];

  if (roles.has('sink')) {
    const sink = new PostgresSink({
      port,
      pool,
      topic: config.REPORTING_TOPIC,
      groupId: config.SINK_GROUP_ID ?? `${config.APPLICATION_ID}-postgres-sink`,
      reports: createAvroSerde<CampaignReport>({
        registry: schemas,
        subject: valueSubject(config.REPORTING_TOPIC),
        schema: campaignReportSchema,
      }),
      replicationFactor: config.KAFKA_REPLICATION_FACTOR,
      sessionTimeoutMs: config.SESSION_TIMEOUT_MS,
      metrics: new SinkMetrics(registry),
      logger: logger.child({ component: 'postgres-sink' }),
    });
    await sink.start((error) => crash(error));
    readiness.sink = () => (sink.healthy ? undefined : 'postgres writes are failing; retrying');
    stops.push(() => sink.stop());
  }

  if (roles.has('streams')) {
    const processor = new StreamProcessor({
      applicationId: config.APPLICATION_ID,
      topology: campaignTopology({
        registry: schemas,
        topics: {
          ping: config.PING_TOPIC,
          dispatch: config.DISPATCH_TOPIC,
          orders: config.ORDERS_TOPIC,
          reporting: config.REPORTING_TOPIC,
        },
        attributionWindowMs: config.ATTRIBUTION_WINDOW_HOURS * HOUR_MS,
        maxFutureSkewMs: config.EVENT_TIME_MAX_SKEW_MS,
        graceMs: config.GRACE_HOURS * HOUR_MS,
      }),
      port,
      stateDir: config.STATE_DIR,
      commitIntervalMs: config.COMMIT_INTERVAL_MS,
      commitMaxRecords: config.COMMIT_MAX_RECORDS,
      replicationFactor: config.KAFKA_REPLICATION_FACTOR,
      sessionTimeoutMs: config.SESSION_TIMEOUT_MS,
      stallNotReadyMs: config.TASK_STALL_NOT_READY_MS,
      stallExitMs: config.TASK_STALL_EXIT_MS,
      metrics: new EngineMetrics(registry),
      logger,
    });
    processor.onCrash((error) => crash(error));
    await processor.start();
    readiness.streams = () => processor.problem;
    stops.push(() => processor.stop());
  }

  return {
    readiness,
    onCrash(listener) {
      crash = listener;
    },
    async stop() {
      for (const stop of stops) await stop();
    },
  };
}
