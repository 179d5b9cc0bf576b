import { archiveStorageProperties } from '@hoot/archiver';
import { databaseEnvProperties } from '@hoot/db';
import { kafkaEnvProperties, MIN_PING_TOKEN_SECRET_BYTES, Topics } from '@hoot/events';
import { ConfigError, loadConfig, logEnvProperties } from '@hoot/runtime';
import { type Static, Type } from '@sinclair/typebox';

/** The push services browsers subscribe with today (Chrome/Edge via FCM, Firefox, Windows, Safari). */
export const DEFAULT_PUSH_SERVICE_HOSTS = [
  'fcm.googleapis.com',
  'updates.push.services.mozilla.com',
  '*.notify.windows.com',
  'web.push.apple.com',
  '*.push.apple.com',
];

/**
 * The longest a ping token lives: the push TTL (at most 28 days) plus a day. For a token without
 * an issue time, expiry minus this is the earliest it can have been issued.
 */
export const PING_TOKEN_MAX_AGE_SECONDS = 29 * 24 * 3600;

const commaList = '^[^,\\s]+(,[^,\\s]+)*$';

export const apiConfigSchema = Type.Object({
  ...kafkaEnvProperties,
  ...databaseEnvProperties,
  ...logEnvProperties,
  // The audit archive the notification log is read from: the archiver's storage settings.
  ...archiveStorageProperties,
  HOST: Type.String({ default: '127.0.0.1', minLength: 1, description: 'Address to listen on' }),
  PORT: Type.Integer({ default: 3000, minimum: 0, maximum: 65535, description: 'HTTP port' }),
  PING_TOKEN_SECRETS: Type.String({
    pattern: commaList,
    description: `Comma-separated HMAC secrets of ping tokens (each at least ${MIN_PING_TOKEN_SECRET_BYTES} bytes); the first signs, all verify (rotation). The dispatcher reads the same variable.`,
  }),
  PING_CLOCK_SKEW_MS: Type.Integer({
    default: 120_000,
    minimum: 0,
    description: 'How far in the future a browser clock may be before its ping time is ignored',
  }),
  PING_BATCH_MAX: Type.Integer({
    default: 20,
    minimum: 1,
    maximum: 500,
    description: 'Most pings one request may carry',
  }),
  PUSH_SERVICE_HOSTS: Type.String({
    default: DEFAULT_PUSH_SERVICE_HOSTS.join(','),
    pattern: commaList,
    description:
      'Hosts a subscription endpoint may point at; `*.` allows any subdomain; `host:port` allows that host with exactly that port',
  }),
  VAPID_PUBLIC_KEY: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9_-]{87}$',
      description: "The dispatcher's VAPID public key (base64url), given to browsers that subscribe",
    }),
  ),
  PUBLIC_URL: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description: "The api's public base URL, used in the scripts served to browsers",
    }),
  ),
  BODY_LIMIT_BYTES: Type.Integer({
    default: 65_536,
    minimum: 1024,
    description: 'Largest request body accepted; larger ones get 413',
  }),
  SHOPIFY_BODY_LIMIT_BYTES: Type.Integer({
    default: 4 * 1024 * 1024,
    minimum: 65_536,
    maximum: 64 * 1024 * 1024,
    description:
      "Largest body the Shopify order webhooks accept; larger ones get 413. A real orders/create with 200 line items is over 100 KB; Shopify's order payloads are bounded by its 250-line-item pages",
  }),
  RATE_LIMIT_MAX: Type.Integer({
    default: 600,
    minimum: 1,
    description: 'Requests per client address and window on each public endpoint; more get 429',
  }),
  RATE_LIMIT_WINDOW_MS: Type.Integer({ default: 60_000, minimum: 1000, description: 'Rate limit window' }),
  TRUST_PROXY: Type.String({
    default: 'false',
    minLength: 1,
    description:
      'Which proxies to trust for the client address (rate limits): `false`, `true` or comma-separated addresses/CIDRs',
  }),
  CORS_ORIGINS: Type.String({
    default: '*',
    description: 'Origins allowed to call the public endpoints from browsers: `*` or a comma-separated list',
  }),
  PRODUCE_TIMEOUT_MS: Type.Integer({
    default: 10_000,
    minimum: 100,
    description: 'How long a request waits for Kafka to acknowledge before answering 503',
  }),
  WEBHOOK_PRODUCE_TIMEOUT_MS: Type.Integer({
    default: 4000,
    minimum: 100,
    description:
      "How long an order webhook waits for Kafka before answering 503: below Shopify's 5 s timeout, so the store sees a 5xx and retries rather than a timeout (at most PRODUCE_TIMEOUT_MS)",
  }),
  ORDER_CLOCK_SKEW_MS: Type.Integer({
    default: 300_000,
    minimum: 0,
    description:
      "How far past the api's clock an order's created_at may be; a later one counts at the receive time instead",
  }),
  PING_TOPIC: Type.String({ default: Topics.ping, minLength: 1, description: 'Topic pings are written to' }),
  ORDERS_TOPIC: Type.String({
    default: Topics.orders,
    minLength: 1,
    description: 'Topic orders are written to',
  }),
  SESSION_SECRETS: Type.Optional(
    Type.String({
      pattern: commaList,
      description:
        'Comma-separated secrets (each at least 32 bytes) signing dashboard session cookies; the first signs, all verify (rotation). Unset: a random secret per process, so sign-ins last until a restart and do not carry across replicas.',
    }),
  ),
  SESSION_MAX_AGE_HOURS: Type.Integer({
    default: 12,
    minimum: 1,
    maximum: 24 * 30,
    description: 'How long a dashboard sign-in lasts',
  }),
  LIVE_KEEPALIVE_MS: Type.Integer({
    default: 15_000,
    minimum: 1000,
    description: 'How often an idle server-sent event stream gets a comment, so proxies keep it open',
  }),
  CAMPAIGN_SEND_TOPIC: Type.String({
    default: Topics.campaignSendRequests,
    minLength: 1,
    description: 'Topic campaign send and cancel requests are written to',
  }),
});

export type ApiConfig = Static<typeof apiConfigSchema>;

export function loadApiConfig(env: Record<string, string | undefined> = process.env): ApiConfig {
  const config = loadConfig('api', apiConfigSchema, env);
  const secretLists = [
    ['PING_TOKEN_SECRETS', config.PING_TOKEN_SECRETS, MIN_PING_TOKEN_SECRET_BYTES],
    ['SESSION_SECRETS', config.SESSION_SECRETS ?? '', MIN_SESSION_SECRET_BYTES],
  ] as const;
  for (const [name, value, minBytes] of secretLists) {
    const short = listOf(value).filter((secret) => Buffer.byteLength(secret) < minBytes);
    if (short.length > 0) {
      throw new ConfigError('api', [`${name} has ${short.length} secret(s) shorter than ${minBytes} bytes`]);
    }
  }
  if (config.SHOPIFY_BODY_LIMIT_BYTES < config.BODY_LIMIT_BYTES) {
    throw new ConfigError('api', [
      `SHOPIFY_BODY_LIMIT_BYTES (${config.SHOPIFY_BODY_LIMIT_BYTES}) must be at least BODY_LIMIT_BYTES (${config.BODY_LIMIT_BYTES})`,
    ]);
  }
  return config;
}

/** @fastify/session refuses shorter cookie-signing secrets. */
export const MIN_SESSION_SECRET_BYTES = 32;

/** TRUST_PROXY as Fastify's trustProxy option. */
export function trustProxyOption(value: string): boolean | string[] {
  if (value === 'true' || value === 'false') return value === 'true';
  return listOf(value);
}

/** Splits a comma-separated configuration value. */
export function listOf(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
