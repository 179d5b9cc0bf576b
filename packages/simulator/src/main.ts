// The simulator service: a local HTTPS push service whose endpoints belong to a simulated
// audience of browsers subscribed to one merchant through the api, and, optionally, demo
// campaigns of that merchant. Validated configuration, JSON logs, /metrics /healthz /readyz,
// and a clean stop on SIGTERM or SIGINT.
import { readFileSync } from 'node:fs';
import { createLogger, onShutdown, startOpsServer } from '@hoot/runtime';
import { createAudience } from './audience/audience.ts';
import { loadAudience } from './audience/audience-file.ts';
import { audienceBehaviour, loadSimulatorConfig } from './config.ts';
import { startDemoCampaigns } from './demo/demo-campaigns.ts';
import { readMerchantCredentials } from './demo/merchant-credentials.ts';
import { createSimulatorMetrics } from './metrics.ts';
import { startPushService } from './push-service/push-service.ts';

const config = loadSimulatorConfig();
const logger = createLogger({ service: 'simulator', level: config.LOG_LEVEL });
const credentials = readMerchantCredentials(config.MERCHANT_FILE);
const metrics = createSimulatorMetrics();
if (config.VAPID_PUBLIC_KEY === undefined) {
  logger.warn('VAPID_PUBLIC_KEY not set: the browsers take pushes signed with any VAPID key');
}

const pushOrigin = `https://${config.PUSH_HOST}:${config.PUSH_PORT}`;
const { browsers, restored } = loadAudience(
  config.AUDIENCE_FILE,
  config.AUDIENCE_SIZE,
  pushOrigin,
  config.VAPID_PUBLIC_KEY,
);
const audience = createAudience({
  merchant: credentials.merchant,
  webhookSecret: credentials.webhook_secret,
  apiUrl: config.API_URL,
  behaviour: audienceBehaviour(config),
  currency: config.ORDER_CURRENCY,
  browsers,
  applicationServerKey: config.VAPID_PUBLIC_KEY,
  subscribeConcurrency: config.SUBSCRIBE_CONCURRENCY,
  metrics,
  logger,
});
const push = await startPushService({
  tls: { cert: readFileSync(config.TLS_CERT), key: readFileSync(config.TLS_KEY) },
  port: config.PUSH_PORT,
  publicHost: config.PUSH_HOST,
  resolve: (endpointId) => audience.resolve(endpointId),
  onAnswer: (status) => metrics.pushAnswers.inc({ status: String(status) }),
});
logger.info({ pushOrigin: push.origin, browsers: browsers.length, restored }, 'push service listening');

let subscribing = true;
const ops = await startOpsServer({
  port: config.HTTP_PORT,
  registry: metrics.registry,
  readiness: {
    audience: () =>
      subscribing ? `subscribed ${audience.subscribed()} of ${browsers.length} browsers so far` : undefined,
  },
  logger,
});

let demo: ReturnType<typeof startDemoCampaigns> | undefined;
let summary: NodeJS.Timeout | undefined;
async function stop(): Promise<void> {
  clearInterval(summary);
  await demo?.stop();
  const { dropped } = await audience.stop();
  await push.close();
  await ops.close();
  logger.info({ droppedReactions: dropped, ...audience.tally() }, 'simulator stopped');
}
onShutdown(logger, stop);

const subscribed = await audience.subscribeAll(push.endpointUrl);
subscribing = false;
if (subscribed === 0) {
  logger.error(
    { merchant: credentials.merchant, api: config.API_URL },
    'no browser could subscribe; stopping',
  );
  process.kill(process.pid, 'SIGTERM');
} else {
  logger.info({ merchant: credentials.merchant, subscribed, of: browsers.length }, 'audience subscribed');
  if (config.DEMO_CAMPAIGNS) {
    demo = startDemoCampaigns({
      apiUrl: config.API_URL,
      apiKey: credentials.api_key,
      intervalMs: config.DEMO_CAMPAIGN_INTERVAL_SECONDS * 1000,
      metrics,
      logger,
    });
  }
  // A line now and then that says the audience is alive, for whoever watches the terminal.
  let last = '';
  summary = setInterval(() => {
    const tally = audience.tally();
    const line = JSON.stringify(tally);
    if (line !== last)
      logger.info(tally, 'audience so far: pushes received, deliveries, clicks, orders accepted');
    last = line;
  }, 30_000);
}
