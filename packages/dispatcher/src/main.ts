// Boots the dispatcher: validated configuration, JSON logs, /metrics /healthz /readyz, and a
// graceful stop on SIGTERM (in-flight batches finish, offsets are committed).
import { createLogger, onShutdown, startOpsServer } from '@hoot/runtime';
import { DEV_PING_TOKEN_SECRET, loadDispatcherConfig } from './config.ts';
import { startDispatcher } from './dispatcher.ts';

const config = loadDispatcherConfig();
const logger = createLogger({ service: 'dispatcher', level: config.LOG_LEVEL });
if (config.PING_TOKEN_SECRETS === DEV_PING_TOKEN_SECRET) {
  logger.warn('PING_TOKEN_SECRETS not set: signing ping tokens with the development secret');
}
const dispatcher = await startDispatcher({ config, logger });
const ops = await startOpsServer({
  port: config.HTTP_PORT,
  registry: dispatcher.metrics.registry,
  readiness: { dispatcher: () => dispatcher.readiness() },
  logger,
});
onShutdown(logger, async () => {
  await dispatcher.stop();
  await ops.close();
});
