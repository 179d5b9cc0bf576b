// The archiver service: Kafka topics to Parquet files (see writer/archiver.ts), with /metrics,
// /healthz and /readyz, JSON logs, and a clean stop on SIGTERM (files completed and committed).
import { brokerList, registryFromEnv } from '@hoot/events';
import {
  ConfigError,
  createLogger,
  exitOnStartupFailure,
  kafkaLogCreator,
  onShutdown,
  startOpsServer,
} from '@hoot/runtime';
import { Kafka, logLevel } from 'kafkajs';
import { type ArchiverConfig, loadArchiverConfig } from './config.ts';
import { startRetention } from './maintenance/retention.ts';
import { createArchiverMetrics } from './metrics.ts';
import { openArchiveStore } from './storage/archive-store.ts';
import { type RunningArchiver, startArchiver } from './writer/archiver.ts';

/** sysexits.h EX_CONFIG: a configuration error, which a restart does not cure. */
const EXIT_CONFIG = 78;

let config: ArchiverConfig;
let store: ReturnType<typeof openArchiveStore>;
try {
  config = loadArchiverConfig();
  store = openArchiveStore(config);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`archiver: invalid configuration: ${error.problems.join('; ')}\n`);
  process.exit(EXIT_CONFIG);
}
const logger = createLogger({ service: 'archiver', level: config.LOG_LEVEL });
const metrics = createArchiverMetrics();
const context = { portVariable: 'HTTP_PORT', port: config.HTTP_PORT, brokers: brokerList(config) };
let archiver: RunningArchiver | undefined;
const ops = await startOpsServer({
  port: config.HTTP_PORT,
  registry: metrics.registry,
  readiness: { archiver: () => (archiver === undefined ? 'starting' : archiver.readiness()) },
  logger,
}).catch((error: unknown) => exitOnStartupFailure(logger, error, context));

const kafka = new Kafka({
  clientId: config.KAFKA_CLIENT_ID ?? 'hoot-archiver',
  brokers: brokerList(config),
  logLevel: config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? logLevel.INFO : logLevel.WARN,
  logCreator: kafkaLogCreator(logger.child({ component: 'kafka' })),
});
const running = await startArchiver({
  kafka,
  store,
  topics: config.ARCHIVE_TOPICS.split(','),
  groupId: config.ARCHIVER_GROUP_ID,
  limits: { maxRecords: config.ARCHIVE_FILE_MAX_RECORDS, maxBytes: config.ARCHIVE_FILE_MAX_BYTES },
  openFileWriteMs: config.ARCHIVE_OPEN_FILE_WRITE_MS,
  registry: registryFromEnv(config),
  metrics,
  logger,
  sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
  // A consumer that crashed for good (not the broker being away) ends the process, as the other
  // services' do: a supervisor restarts it rather than leave it idle and ready.
  onCrash: () => process.exit(3),
}).catch((error: unknown) => exitOnStartupFailure(logger, error, context));
archiver = running;
const retention = startRetention({
  store,
  days: config.ARCHIVE_RETENTION_DAYS,
  metrics,
  logger: logger.child({ component: 'retention' }),
});
onShutdown(logger, async () => {
  retention.stop();
  await running.stop();
  await store.close();
  await ops.close();
});
