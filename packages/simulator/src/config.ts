import { ConfigError, loadConfig, logEnvProperties } from '@hoot/runtime';
import { type Static, Type } from '@sinclair/typebox';
import type { AudienceBehaviour } from './audience/reactions.ts';

const share = (fallback: number, description: string) =>
  Type.Number({ default: fallback, minimum: 0, maximum: 1, description });
const milliseconds = (fallback: number, description: string) =>
  Type.Integer({ default: fallback, minimum: 0, maximum: 24 * 3600 * 1000, description });

export const simulatorConfigSchema = Type.Object({
  ...logEnvProperties,
  HTTP_PORT: Type.Integer({
    default: 9470,
    minimum: 0,
    maximum: 65535,
    description: '/metrics, /healthz, /readyz',
  }),
  API_URL: Type.String({
    default: 'http://127.0.0.1:3000',
    pattern: '^https?://[^/]+$',
    description: "The api's base URL, without a trailing slash: subscriptions, orders, campaigns",
  }),
  MERCHANT_FILE: Type.String({
    minLength: 1,
    description: 'JSON file {merchant, api_key, webhook_secret} of the merchant whose audience this is',
  }),
  TLS_CERT: Type.String({ minLength: 1, description: "PEM certificate file of the push service's HTTPS" }),
  TLS_KEY: Type.String({ minLength: 1, description: 'PEM private key file of that certificate' }),
  PUSH_PORT: Type.Integer({
    default: 8443,
    minimum: 0,
    maximum: 65535,
    description: 'HTTPS port of the push service',
  }),
  PUSH_HOST: Type.String({
    default: 'localhost',
    minLength: 1,
    description: 'Host name of the push service in endpoint URLs (the certificate names localhost)',
  }),
  VAPID_PUBLIC_KEY: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9_-]{87}$',
      description:
        "The dispatcher's VAPID public key: browsers subscribe with it and refuse pushes signed by another",
    }),
  ),
  AUDIENCE_SIZE: Type.Integer({
    default: 2000,
    minimum: 1,
    maximum: 200_000,
    description: 'Simulated browsers',
  }),
  AUDIENCE_FILE: Type.Optional(
    Type.String({
      minLength: 1,
      description: "Where the browsers' keys are kept across runs; unset: new browsers",
    }),
  ),
  SUBSCRIBE_CONCURRENCY: Type.Integer({
    default: 8,
    minimum: 1,
    maximum: 256,
    description: 'Subscription requests in flight at start',
  }),
  DELIVERY_SHARE: share(0.9, 'Share of pushes shown (delivery ping); the rest stay on offline browsers'),
  CLICK_SHARE: share(0.05, 'Share of shown notifications clicked (click ping)'),
  ORDER_SHARE: share(0.2, 'Share of clicks followed by a signed order'),
  DELIVERY_DELAY_MIN_MS: milliseconds(200, 'Shortest time from push to delivery ping'),
  DELIVERY_DELAY_MAX_MS: milliseconds(20_000, 'Longest time from push to delivery ping'),
  CLICK_DELAY_MIN_MS: milliseconds(2000, 'Shortest time from delivery to click'),
  CLICK_DELAY_MAX_MS: milliseconds(60_000, 'Longest time from delivery to click'),
  ORDER_DELAY_MIN_MS: milliseconds(5000, 'Shortest time from click to order'),
  ORDER_DELAY_MAX_MS: milliseconds(90_000, 'Longest time from click to order'),
  ORDER_TOTAL_MIN_MINOR: Type.Integer({
    default: 1500,
    minimum: 0,
    description: 'Smallest order, minor units',
  }),
  ORDER_TOTAL_MAX_MINOR: Type.Integer({
    default: 15_000,
    minimum: 0,
    description: 'Largest order, minor units',
  }),
  ORDER_CURRENCY: Type.String({
    default: 'EUR',
    pattern: '^[A-Z]{3}$',
    description: 'ISO 4217 code of orders',
  }),
  DEMO_CAMPAIGNS: Type.Boolean({
    default: true,
    description: 'Create and send a demo campaign once subscribed, and another every interval',
  }),
  DEMO_CAMPAIGN_INTERVAL_SECONDS: Type.Integer({
    default: 180,
    minimum: 10,
    description: 'Seconds between demo campaigns',
  }),
});

export type SimulatorConfig = Static<typeof simulatorConfigSchema>;

/**
 * Reads and validates the simulator's configuration; besides each variable's own rules, every
 * `*_MIN_*` must not exceed its `*_MAX_*`. Throws ConfigError naming each variable at fault.
 */
export function loadSimulatorConfig(env: Record<string, string | undefined> = process.env): SimulatorConfig {
  const config = loadConfig('simulator', simulatorConfigSchema, env);
  const pairs = [
    ['DELIVERY_DELAY_MIN_MS', 'DELIVERY_DELAY_MAX_MS'],
    ['CLICK_DELAY_MIN_MS', 'CLICK_DELAY_MAX_MS'],
    ['ORDER_DELAY_MIN_MS', 'ORDER_DELAY_MAX_MS'],
    ['ORDER_TOTAL_MIN_MINOR', 'ORDER_TOTAL_MAX_MINOR'],
  ] as const;
  const problems = pairs
    .filter(([min, max]) => config[min] > config[max])
    .map(([min, max]) => `${min} (${config[min]}) is larger than ${max} (${config[max]})`);
  if (problems.length > 0) throw new ConfigError('simulator', problems);
  return config;
}

/** The audience's behaviour as configured. */
export function audienceBehaviour(config: SimulatorConfig): AudienceBehaviour {
  return {
    deliveryShare: config.DELIVERY_SHARE,
    clickShare: config.CLICK_SHARE,
    orderShare: config.ORDER_SHARE,
    deliveryDelay: { minMs: config.DELIVERY_DELAY_MIN_MS, maxMs: config.DELIVERY_DELAY_MAX_MS },
    clickDelay: { minMs: config.CLICK_DELAY_MIN_MS, maxMs: config.CLICK_DELAY_MAX_MS },
    orderDelay: { minMs: config.ORDER_DELAY_MIN_MS, maxMs: config.ORDER_DELAY_MAX_MS },
    orderTotalMinor: { min: config.ORDER_TOTAL_MIN_MINOR, max: config.ORDER_TOTAL_MAX_MINOR },
  };
}
