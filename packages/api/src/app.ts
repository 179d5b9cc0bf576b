import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { openArchiveStore } from '@hoot/archiver';
import {
  type CampaignSendRequest,
  campaignSendRequestSchema,
  createAvroSerde,
  type Order,
  orderSchema,
  type Ping,
  pingSchema,
  type SchemaRegistry,
  valueSubject,
} from '@hoot/events';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type pg from 'pg';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { campaignRoutes } from './campaigns/campaign-routes.ts';
import { campaignSendingRoutes } from './campaigns/campaign-sending.ts';
import { reportRoutes } from './campaigns/report-routes.ts';
import { type ApiConfig, listOf, trustProxyOption } from './config.ts';
import { dashboardRoutes } from './dashboard/dashboard-routes.ts';
import { installErrorHandler } from './http/error-handler.ts';
import { closeConnectionsWhenClosing } from './http/graceful-close.ts';
import { recordHttpMetrics } from './http/http-metrics.ts';
import { opsRoutes } from './http/ops-routes.ts';
import { installValidators } from './http/validator-compiler.ts';
import type { KafkaGateway } from './kafka/kafka-gateway.ts';
import { CampaignChangeListener } from './live/campaign-change-listener.ts';
import { CampaignEventHub } from './live/campaign-event-hub.ts';
import { eventRoutes } from './live/event-routes.ts';
import { requireMerchant } from './merchants/merchant-auth.ts';
import { merchantRoutes } from './merchants/merchant-routes.ts';
import { createApiMetrics } from './metrics/api-metrics.ts';
import { notificationArchive } from './notifications/notification-archive.ts';
import { notificationRoutes } from './notifications/notification-routes.ts';
import { orderWebhookRoutes } from './orders/order-webhook-routes.ts';
import { shopifyWebhookRoutes } from './orders/shopify-webhook-routes.ts';
import { pingRoutes } from './pings/ping-routes.ts';
import type { RouteContext } from './route-context.ts';
import { sdkRoutes } from './sdk/sdk-routes.ts';
import { shopifyCartRoutes } from './sdk/shopify-cart-routes.ts';
import { registerDashboardSession } from './sessions/dashboard-session.ts';
import { sessionRoutes } from './sessions/session-routes.ts';
import { subscriberStatsRoutes } from './subscriptions/subscriber-stats-routes.ts';
import { subscriptionRoutes } from './subscriptions/subscription-routes.ts';

export interface ApiDeps {
  config: ApiConfig;
  pool: pg.Pool;
  kafka: KafkaGateway;
  schemaRegistry: SchemaRegistry;
  /** Where the api's metrics register; a fresh registry when absent. */
  metricsRegistry?: Registry;
  /** Structured logger; silent when absent. */
  logger?: Logger;
}

/**
 * Builds the api as a Fastify instance, ready for `listen` or `inject`. The caller owns the pool
 * and the Kafka gateway and closes them after the app: closing the app waits for requests in
 * flight, pings waiting for their acknowledgement included.
 */
export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    ...(deps.logger === undefined ? {} : { loggerInstance: deps.logger as FastifyBaseLogger }),
    bodyLimit: config.BODY_LIMIT_BYTES,
    // Per-request lines would dominate the log at ping rates; metrics count requests instead.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    trustProxy: trustProxyOption(config.TRUST_PROXY),
  }).withTypeProvider<TypeBoxTypeProvider>();

  const registry = deps.metricsRegistry ?? new Registry();
  const metrics = createApiMetrics(registry);
  const ctx: RouteContext = {
    config,
    pool: deps.pool,
    events: deps.kafka,
    metrics,
    serdes: {
      ping: createAvroSerde<Ping>({
        registry: deps.schemaRegistry,
        subject: valueSubject(config.PING_TOPIC),
        schema: pingSchema,
      }),
      order: createAvroSerde<Order>({
        registry: deps.schemaRegistry,
        subject: valueSubject(config.ORDERS_TOPIC),
        schema: orderSchema,
      }),
      campaignSendRequest: createAvroSerde<CampaignSendRequest>({
        registry: deps.schemaRegistry,
        subject: valueSubject(config.CAMPAIGN_SEND_TOPIC),
        schema: campaignSendRequestSchema,
      }),
    },
  };

  installValidators(app);
  closeConnectionsWhenClosing(app);
  installErrorHandler(app);
  recordHttpMetrics(app, metrics);
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Hoot api',
        version: '1',
        description:
          'Pings and subscriptions from browsers, campaigns and reports for merchants, signed order webhooks.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: "The merchant's API key" },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  const origins = config.CORS_ORIGINS.trim() === '*' ? '*' : listOf(config.CORS_ORIGINS);
  await app.register(cors, { origin: origins, methods: ['GET', 'POST'], maxAge: 600 });
  await app.register(rateLimit, { global: false });

  opsRoutes(app, registry, {
    kafka: () => deps.kafka.check(),
    postgres: async () => {
      await deps.pool.query('SELECT 1');
      return undefined;
    },
  });

  await app.register(pingRoutes(ctx));
  await app.register(subscriptionRoutes(ctx));
  await app.register(sdkRoutes(ctx));
  await app.register(orderWebhookRoutes(ctx));
  await app.register(shopifyWebhookRoutes(ctx));
  await app.register(shopifyCartRoutes(ctx));
  await app.register(dashboardRoutes());

  const hub = new CampaignEventHub({
    pool: deps.pool,
    connections: metrics.liveConnections,
    keepaliveMs: config.LIVE_KEEPALIVE_MS,
    onError: (error) => app.log.warn({ err: error }, 'reading changed campaigns failed'),
  });
  const listener = new CampaignChangeListener({
    connectionString: config.DATABASE_URL,
    logger: app.log as Logger,
    onChange: (change) => {
      metrics.campaignChanges.inc();
      hub.announce(change);
    },
    onResync: () => hub.resync(),
  });
  listener.start();
  app.addHook('preClose', async () => {
    hub.close();
    await listener.stop();
  });
  // Opening connects nothing: an archive that cannot be read answers 503 on the log's requests.
  const archive = notificationArchive(openArchiveStore(config, 'api'), app.log);
  app.addHook('onClose', () => archive.close());

  // Merchant routes take the API key or the dashboard's session cookie; only they pay for sessions.
  await app.register(async (merchantScope) => {
    const { randomSecret } = await registerDashboardSession(merchantScope, config, deps.pool);
    if (randomSecret) {
      app.log.warn('SESSION_SECRETS not set: dashboard sign-ins last until this process restarts');
    }
    await merchantScope.register(sessionRoutes(ctx));
    await merchantScope.register(async (merchantApi) => {
      requireMerchant(merchantApi, deps.pool);
      await merchantApi.register(campaignRoutes(ctx));
      await merchantApi.register(campaignSendingRoutes(ctx));
      await merchantApi.register(reportRoutes(ctx));
      await merchantApi.register(merchantRoutes(ctx));
      await merchantApi.register(subscriberStatsRoutes(ctx));
      await merchantApi.register(eventRoutes(hub));
      await merchantApi.register(notificationRoutes(archive));
    });
  });
  return app;
}
