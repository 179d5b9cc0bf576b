import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/** The simulator's Prometheus metrics, in a registry of their own. */
export function createSimulatorMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hoot_simulator_' });
  return {
    registry,
    pushAnswers: new Counter({
      name: 'hoot_simulator_push_answers_total',
      help: 'Answers of the push service to push requests, by HTTP status (or hang)',
      labelNames: ['status'],
      registers: [registry],
    }),
    pushesReceived: new Counter({
      name: 'hoot_simulator_pushes_received_total',
      help: 'Pushes reaching a simulated browser: decrypted, undecryptable, or not a Hoot payload',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    pings: new Counter({
      name: 'hoot_simulator_pings_total',
      help: 'Pings the simulated browsers sent, by type and outcome (accepted, refused, gave_up, stopped)',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    }),
    orders: new Counter({
      name: 'hoot_simulator_orders_total',
      help: 'Signed orders sent to the order webhook, by outcome (accepted, refused, gave_up, stopped)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    retries: new Counter({
      name: 'hoot_simulator_request_retries_total',
      help: 'Requests to the api sent again, by kind of request and reason (status, timeout, network_error)',
      labelNames: ['kind', 'reason'],
      registers: [registry],
    }),
    subscriptions: new Counter({
      name: 'hoot_simulator_subscriptions_total',
      help: "Browsers subscribed through the api, by outcome (the api's status, refused, gave_up)",
      labelNames: ['outcome'],
      registers: [registry],
    }),
    campaigns: new Counter({
      name: 'hoot_simulator_demo_campaigns_total',
      help: 'Demo campaigns created and sent through the api, by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    browsers: new Gauge({
      name: 'hoot_simulator_browsers',
      help: 'Simulated browsers subscribed',
      registers: [registry],
    }),
    pendingReactions: new Gauge({
      name: 'hoot_simulator_pending_reactions',
      help: 'Deliveries, clicks and orders scheduled and not yet sent',
      registers: [registry],
    }),
  };
}

export type SimulatorMetrics = ReturnType<typeof createSimulatorMetrics>;
