// Boots the dispatcher: validated configuration, JSON logs, /metrics /healthz /readyz, and a
// graceful stop on SIGTERM (in-flight batches finish, offsets are committed).
import { brokerList } from '@hoot/events';
import { ConfigError, createLogger, exitOnStartupFailure, onShutdown, startOpsServer } from '@hoot/runtime';
import {
  DEV_PING_TOKEN_SECRET,
  DEV_VAPID_SUBJECT,
  type DispatcherConfig,
  loadDispatcherConfig,
} from './config.ts';
import { type RunningDispatcher, startDispatcher } from './dispatcher.ts';
import { createDispatcherMetrics } from './metrics.ts';

/** sysexits.h EX_CONFIG: a configuration error, which a restart does not cure. */
const EXIT_CONFIG = 78;

let config: DispatcherConfig;
try {
  config = loadDispatcherConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // One line an operator reads in `docker logs` or the pod's status, not a stack trace.
  process.stderr.write(`dispatcher: invalid configuration: ${error.problems.join('; ')}\n`);
  process.exit(EXIT_CONFIG);
}
const logger = createLogger({ service: 'dispatcher', level: config.LOG_LEVEL });
if (config.PING_TOKEN_SECRETS === DEV_PING_TOKEN_SECRET) {
  logger.warn('PING_TOKEN_SECRETS not set: signing ping tokens with the development secret');
}
if (config.VAPID_SUBJECT === DEV_VAPID_SUBJECT) {
  logger.warn(
    `VAPID_SUBJECT not set: using the development subject ${DEV_VAPID_SUBJECT}, which Apple's push service refuses (403 BadJwtToken); production requires a contact on a public domain`,
  );
}
// The ops port first: a port already taken ends the start before the process joins the
// consumer groups or takes a batch. Until the dispatcher runs, /readyz says it is starting.
const context = { portVariable: 'HTTP_PORT', port: config.HTTP_PORT, brokers: brokerList(config) };
const metrics = createDispatcherMetrics();
let dispatcher: RunningDispatcher | undefined;
const ops = await startOpsServer({
  port: config.HTTP_PORT,
  registry: metrics.registry,
  readiness: { dispatcher: () => (dispatcher === undefined ? 'starting' : dispatcher.readiness()) },
  logger,
}).catch((error: unknown) => exitOnStartupFailure(logger, error, context));
// A consumer that crashed for good (not the broker being away, which it rides out) ends the
// process, as the processor's does: a supervisor restarts it rather than leave it idle and ready.
const running = await startDispatcher({ config, logger, metrics, onCrash: () => process.exit(3) }).catch(
  (error: unknown) => exitOnStartupFailure(logger, error, context),
);
dispatcher = running;
onShutdown(logger, async () => {
  await running.stop();
  await ops.close();
});
