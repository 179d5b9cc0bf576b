// The processor service: the campaign-reporting topology and/or the Postgres sink, with
// /metrics, /healthz and /readyz. Configured from the environment (see the README).

import v8 from 'node:v8';
import { migrate, redactUrl } from '@hoot/db';
import { brokerList } from '@hoot/events';
import {
  ConfigError,
  createLogger,
  exitOnStartupFailure,
  onShutdown,
  type ReadinessCheck,
  startOpsServer,
} from '@hoot/runtime';
import pg from 'pg';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { loadProcessorConfig, type ProcessorConfig } from './config.ts';
import { type ProcessorService, startProcessorService } from './service.ts';

// The old generation may grow to 3 times what the last full collection kept, instead of up to 4
// times by V8's own choice: the engine's live heap is about 60 MB, and in bench:engine (one
// instance, 2M records, 16 MiB semi-spaces) this kept peak RSS at 462 to 474 MiB rather than 509
// to 525 MiB, at the same catch-up speed within the runs' spread. Set here because node refuses
// the option in NODE_OPTIONS; V8 reads it at every collection.
v8.setFlagsFromString('--heap-growing-percent=200');

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
const context = { portVariable: 'HTTP_PORT', port: config.HTTP_PORT, brokers: brokerList(config) };
// The ops port first: a port already taken ends the start before the process joins the group
// (which would make every other member rebalance for nothing). Until the service runs, /readyz
// says it is starting.
const readiness: Record<string, ReadinessCheck> = { service: () => 'starting' };
const ops = await startOpsServer({ port: config.HTTP_PORT, registry, logger, readiness }).catch(
  (error: unknown) => exitOnStartupFailure(logger, error, context),
);
let service: ProcessorService;
let pool: pg.Pool;
try {
  // Postgres may be down when the process starts: wait for it rather than crash-looping.
  await migrate(config.DATABASE_URL, {
    log: (line) => logger.info(line),
    onUnreachable: (error, attempt) =>
      logger.warn({ err: error, attempt }, 'postgres not reachable yet; waiting'),
  });
  pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 4 });
  pool.on('error', (error) => logger.warn({ err: error }, 'idle postgres connection failed'));
  service = await startProcessorService({ config, logger, registry, pool });
} catch (error) {
  exitOnStartupFailure(logger, error, context);
}
delete readiness.service;
Object.assign(readiness, service.readiness);
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
