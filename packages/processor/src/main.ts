// The processor service: the campaign-reporting topology and/or the Postgres sink, with
// /metrics, /healthz and /readyz. Configured from the environment (see the README).

import { migrate, redactUrl } from '@hoot/db';
import { brokerList } from '@hoot/events';
import { ConfigError, createLogger, onShutdown, startOpsServer } from '@hoot/runtime';
import pg from 'pg';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { loadProcessorConfig, type ProcessorConfig } from './config.ts';
import { startProcessorService } from './service.ts';

let config: ProcessorConfig;
try {
  config = loadProcessorConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(2);
}
const logger = createLogger({ service: 'processor', level: config.LOG_LEVEL, sync: true });
const registry = new Registry();
collectDefaultMetrics({ register: registry });
logger.info(
  { brokers: brokerList(config), database: redactUrl(config.DATABASE_URL), roles: config.ROLES },
  'processor starting',
);
// Postgres may be down when the process starts: wait for it rather than crash-looping.
await migrate(config.DATABASE_URL, {
  log: (line) => logger.info(line),
  onUnreachable: (error, attempt) =>
    logger.warn({ err: error, attempt }, 'postgres not reachable yet; waiting'),
});
const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 4 });
pool.on('error', (error) => logger.warn({ err: error }, 'idle postgres connection failed'));
const service = await startProcessorService({ config, logger, registry, pool });
const ops = await startOpsServer({
  port: config.HTTP_PORT,
  registry,
  logger,
  readiness: service.readiness,
});
onShutdown(logger, async () => {
  await service.stop();
  await pool.end();
  await ops.close();
});
service.onCrash((error) => {
  logger.fatal({ err: error }, 'processor crashed');
  process.exit(3);
});
logger.info({ port: config.HTTP_PORT }, 'processor running');
