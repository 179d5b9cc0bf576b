// The api service: validated configuration, migrations, Kafka and Postgres, then HTTP until SIGTERM.
import { migrate, redactUrl } from '@hoot/db';
import { brokerList, registryFromEnv } from '@hoot/events';
import { createLogger, exitOnStartupFailure, onShutdown } from '@hoot/runtime';
import pg from 'pg';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { buildApi } from './app.ts';
import { loadApiConfig } from './config.ts';
import { connectKafka } from './kafka/kafka-gateway.ts';

const config = loadApiConfig();
const logger = createLogger({ service: 'api', level: config.LOG_LEVEL });
const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'hoot_api_' });

const context = { portVariable: 'PORT', port: config.PORT, brokers: brokerList(config) };
// A start that fails (Kafka unreachable after the client's retries, the port taken) ends in one
// line that says what to change, and a non-zero exit.
const { app, kafka, pool } = await start().catch((error: unknown) =>
  exitOnStartupFailure(logger, error, context),
);

async function start() {
  await migrate(config.DATABASE_URL, {
    log: (line) => logger.info(line),
    onUnreachable: (error, attempt) =>
      logger.warn({ err: error, attempt }, 'postgres not reachable yet; waiting'),
  });
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 20 });
  pool.on('error', (error) => logger.warn({ err: error }, 'idle Postgres connection failed'));
  const kafka = await connectKafka({
    brokers: brokerList(config),
    clientId: config.KAFKA_CLIENT_ID ?? 'hoot-api',
    timeoutMs: config.PRODUCE_TIMEOUT_MS,
    logger,
  });
  const app = await buildApi({
    config,
    pool,
    kafka,
    schemaRegistry: registryFromEnv(config),
    metricsRegistry,
    logger,
  });
  const address = await app.listen({ host: config.HOST, port: config.PORT });
  logger.info(
    { address, database: redactUrl(config.DATABASE_URL), brokers: config.KAFKA_BROKERS },
    'api listening',
  );
  return { app, kafka, pool };
}

// Stop taking requests, let those in flight finish (pings wait for their acks), then disconnect.
onShutdown(logger, async () => {
  await app.close();
  await kafka.close();
  await pool.end();
});
