import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The final fate of one notification. `incident`: its push service was in an incident (the same
 * 404/410 for the whole host) for longer than the batch waits; the subscriber is kept.
 */
export type SendOutcome =
  | 'sent'
  | 'expired'
  | 'too_large'
  | 'config_error'
  | 'failed'
  | 'refused'
  | 'incident';

/** Every metric the dispatcher exports, on its own registry. */
export function createDispatcherMetrics(registry = new Registry()) {
  // Process CPU, memory, event-loop lag: what the CPU-per-send figure and capacity planning read.
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    notifications: new Counter({
      name: 'hoot_dispatcher_notifications_total',
      help: 'Notifications by final outcome and push-service host',
      labelNames: ['outcome', 'push_service'] as const,
      registers: [registry],
    }),
    attempts: new Counter({
      name: 'hoot_dispatcher_push_requests_total',
      help: 'Push requests by push-service host and HTTP status class (network: no answer)',
      labelNames: ['push_service', 'status'] as const,
      registers: [registry],
    }),
    retries: new Counter({
      name: 'hoot_dispatcher_retries_total',
      help: 'Push requests retried, by reason (throttled: 429/503/WNS 406, server_error, network, incident: deferred while the host was in an incident)',
      labelNames: ['push_service', 'reason'] as const,
      registers: [registry],
    }),
    configProblems: new Counter({
      name: 'hoot_dispatcher_config_problems_total',
      help: 'Push services answering 400/401/403: VAPID keys, headers or payload are wrong. Alert on any increase.',
      labelNames: ['push_service', 'status'] as const,
      registers: [registry],
    }),
    incidents: new Counter({
      name: 'hoot_dispatcher_push_service_incidents_total',
      help: 'Push-service incidents: a host answering the same 404/410 to nearly every request; its subscribers are kept and the host paused. Alert on any increase.',
      labelNames: ['push_service', 'status'] as const,
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'hoot_dispatcher_push_request_duration_seconds',
      help: 'Time from sending a push request to its answer',
      labelNames: ['push_service'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    vapidSignings: new Counter({
      name: 'hoot_dispatcher_vapid_signings_total',
      help: 'VAPID JWTs signed (once per push-service origin and token lifetime)',
      registers: [registry],
    }),
    batches: new Counter({
      name: 'hoot_dispatcher_batches_total',
      help: 'Batches of send work by result (done, skipped_done: redelivered after completion, skipped_canceled)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    requests: new Counter({
      name: 'hoot_dispatcher_send_requests_total',
      help: 'Campaign send requests by outcome (fanned_out, canceled, ignored, rejected, duplicate, undecodable)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    batchesInFlight: new Gauge({
      name: 'hoot_dispatcher_batches_in_flight',
      help: 'Batches this instance is sending now',
      registers: [registry],
    }),
  };
}

export type DispatcherMetrics = ReturnType<typeof createDispatcherMetrics>;
