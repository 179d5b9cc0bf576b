import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The api's Prometheus metrics, registered on the registry the app is given. */
export function createApiMetrics(registry: Registry) {
  const registers = [registry];
  return {
    httpRequests: new Counter({
      name: 'hoot_api_http_requests_total',
      help: 'HTTP requests answered, by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers,
    }),
    httpDuration: new Histogram({
      name: 'hoot_api_http_request_duration_seconds',
      help: 'Time from request to response, by route',
      labelNames: ['method', 'route'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    pingsAccepted: new Counter({
      name: 'hoot_api_pings_accepted_total',
      help: 'Pings written to Kafka, by type',
      labelNames: ['type'] as const,
      registers,
    }),
    pingsRejected: new Counter({
      name: 'hoot_api_pings_rejected_total',
      help: 'Pings refused, by reason: malformed, bad_signature, expired, invalid_request',
      labelNames: ['reason'] as const,
      registers,
    }),
    browserPingsDropped: new Counter({
      name: 'hoot_api_browser_pings_dropped_total',
      help: 'Pings service workers gave up on (expired token, refused by the api, queue full), as they report with a later ping',
      labelNames: ['reason'] as const,
      registers,
    }),
    pingEventTime: new Counter({
      name: 'hoot_api_ping_event_time_total',
      help: "Where a ping's event time came from: the browser's clock or, when that was implausible or absent, the server's",
      labelNames: ['source'] as const,
      registers,
    }),
    produceBatchRecords: new Histogram({
      name: 'hoot_api_produce_batch_records',
      help: 'Records per Kafka produce of the ping batcher',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
      registers,
    }),
    produceDuration: new Histogram({
      name: 'hoot_api_produce_duration_seconds',
      help: 'Time Kafka took to acknowledge a produce from all in-sync replicas',
      labelNames: ['outcome'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    subscriptions: new Counter({
      name: 'hoot_api_subscriptions_total',
      help: 'Subscription changes, by action: created, renewed, unsubscribed',
      labelNames: ['action'] as const,
      registers,
    }),
    orders: new Counter({
      name: 'hoot_api_orders_total',
      help: 'Order webhooks, by source (hoot, shopify) and result: accepted, duplicate, bad_signature, ignored_topic',
      labelNames: ['source', 'result'] as const,
      registers,
    }),
    ordersUnattributed: new Counter({
      name: 'hoot_api_orders_unattributed_total',
      help: 'Orders accepted without a subscriber id, by source and reason: none (no id), invalid (not a subscriber id)',
      labelNames: ['source', 'reason'] as const,
      registers,
    }),
    orderTimeClamped: new Counter({
      name: 'hoot_api_order_time_clamped_total',
      help: "Orders whose created_at was later than the api's clock plus ORDER_CLOCK_SKEW_MS, counted at the receive time instead",
      labelNames: ['source'] as const,
      registers,
    }),
    campaignRequests: new Counter({
      name: 'hoot_api_campaign_send_requests_total',
      help: 'Send and cancel requests written for the dispatcher, by action',
      labelNames: ['action'] as const,
      registers,
    }),
    liveConnections: new Gauge({
      name: 'hoot_api_live_connections',
      help: 'Dashboard pages holding a server-sent event stream open',
      registers,
    }),
    campaignChanges: new Counter({
      name: 'hoot_api_campaign_change_announcements_total',
      help: "Postgres' announcements of changed campaigns received (channel campaign_changes)",
      registers,
    }),
  };
}

export type ApiMetrics = ReturnType<typeof createApiMetrics>;
