import type { AvroSerde, CampaignSendRequest, Order, Ping } from '@hoot/events';
import type pg from 'pg';
import type { ApiConfig } from './config.ts';
import type { EventSink } from './kafka/kafka-gateway.ts';
import type { ApiMetrics } from './metrics/api-metrics.ts';

/** What every route plugin is built with. */
export interface RouteContext {
  config: ApiConfig;
  pool: pg.Pool;
  events: EventSink;
  metrics: ApiMetrics;
  serdes: {
    ping: AvroSerde<Ping>;
    order: AvroSerde<Order>;
    campaignSendRequest: AvroSerde<CampaignSendRequest>;
  };
}

/** The per-route options of @fastify/rate-limit for a public endpoint. */
export function publicRateLimit(config: ApiConfig) {
  return { rateLimit: { max: config.RATE_LIMIT_MAX, timeWindow: config.RATE_LIMIT_WINDOW_MS } };
}
