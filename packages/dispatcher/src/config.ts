import { databaseEnvProperties } from '@hoot/db';
import { kafkaEnvProperties, Topics } from '@hoot/events';
import { loadConfig, logEnvProperties } from '@hoot/runtime';
import { type Static, Type } from '@sinclair/typebox';

/** The hosts of the browsers' push services (Chrome/Edge via FCM, Firefox, Safari, legacy Edge). */
export const DEFAULT_PUSH_HOSTS = [
  'fcm.googleapis.com',
  'android.googleapis.com',
  '*.push.services.mozilla.com',
  '*.push.apple.com',
  '*.notify.windows.com',
].join(',');

/**
 * A development-only ping token secret, so `./hoot dev` runs with nothing set. Deployments set
 * PING_TOKEN_SECRETS (the api reads the same variable); main.ts warns while this one is in use.
 */
export const DEV_PING_TOKEN_SECRET = 'hoot-development-ping-token-secret-not-for-production';

const base64url = '^[A-Za-z0-9_-]+$';

export const dispatcherConfigSchema = Type.Object({
  ...kafkaEnvProperties,
  ...databaseEnvProperties,
  ...logEnvProperties,
  HTTP_PORT: Type.Integer({
    default: 9465,
    minimum: 0,
    maximum: 65535,
    description: '/metrics, /healthz, /readyz',
  }),
  DISPATCHER_GROUP_ID: Type.String({
    default: 'hoot-dispatcher',
    pattern: '^[A-Za-z0-9._-]+$',
    description: 'Consumer group of the send workers; the fan-out uses `<id>-fanout`',
  }),
  KAFKA_SESSION_TIMEOUT_MS: Type.Integer({
    default: 30_000,
    minimum: 6000,
    description: 'How soon the group notices a dead instance and hands its batches to the others',
  }),
  SEND_REQUESTS_TOPIC: Type.String({ default: Topics.campaignSendRequests, minLength: 1 }),
  SEND_BATCHES_TOPIC: Type.String({ default: Topics.campaignSendBatches, minLength: 1 }),
  DISPATCH_TOPIC: Type.String({ default: Topics.dispatch, minLength: 1 }),
  SEND_BATCH_SIZE: Type.Integer({
    default: 500,
    minimum: 1,
    maximum: 10_000,
    description: 'Subscribers per batch of send work',
  }),
  BATCHES_IN_FLIGHT: Type.Integer({
    default: 4,
    minimum: 1,
    maximum: 64,
    description: 'Batches one instance sends at once (one per partition it owns)',
  }),
  SENDS_IN_FLIGHT_PER_BATCH: Type.Integer({
    default: 128,
    minimum: 1,
    maximum: 4096,
    description: 'Notifications of one batch being encrypted and sent at once',
  }),
  PUSH_CONNECTIONS_PER_HOST: Type.Integer({
    default: 64,
    minimum: 1,
    maximum: 1024,
    description: 'Keep-alive connections to one push-service origin: the bound on concurrent requests',
  }),
  SEND_TIMEOUT_MS: Type.Integer({ default: 15_000, minimum: 100, description: 'One push request' }),
  SEND_MAX_ATTEMPTS: Type.Integer({
    default: 5,
    minimum: 1,
    maximum: 20,
    description: 'Attempts per notification on 5xx, 429 and network errors',
  }),
  RETRY_BASE_DELAY_MS: Type.Integer({ default: 500, minimum: 1, description: 'First retry delay; doubles' }),
  RETRY_MAX_DELAY_MS: Type.Integer({
    default: 60_000,
    minimum: 1,
    description: 'Longest retry delay, and cap on honoured Retry-After',
  }),
  VAPID_SUBJECT: Type.String({
    default: 'mailto:push@hoot.invalid',
    pattern: '^(mailto:|https://)',
    description: 'Contact the push services can reach (mailto: or https:)',
  }),
  VAPID_PUBLIC_KEY: Type.Optional(
    Type.String({ pattern: base64url, minLength: 87, maxLength: 87, description: 'P-256, base64url' }),
  ),
  VAPID_PRIVATE_KEY: Type.Optional(
    Type.String({ pattern: base64url, minLength: 43, maxLength: 43, description: 'P-256, base64url' }),
  ),
  VAPID_TOKEN_TTL_SECONDS: Type.Integer({
    default: 12 * 3600,
    minimum: 600,
    maximum: 24 * 3600,
    description: 'Lifetime of a VAPID JWT; renewed when a tenth of it is left',
  }),
  PING_TOKEN_SECRETS: Type.String({
    default: DEV_PING_TOKEN_SECRET,
    minLength: 32,
    description: 'Comma-separated HMAC secrets, newest first; the dispatcher signs with the first',
  }),
  PING_URL: Type.String({
    default: 'http://127.0.0.1:3000/v1/pings',
    pattern: '^https?://',
    description: "The api's public ping endpoint, written into every payload",
  }),
  ATTRIBUTION_WINDOW_HOURS: Type.Integer({
    default: 72,
    minimum: 1,
    description: 'How long after a notification expires its clicks still attribute orders (as the processor)',
  }),
  PUSH_HOST_ALLOWLIST: Type.String({
    default: DEFAULT_PUSH_HOSTS,
    minLength: 1,
    description: 'Comma-separated push-service hosts: exact names, or *.suffix for any subdomain',
  }),
  PUSH_ALLOW_PRIVATE_ADDRESSES: Type.Boolean({
    default: false,
    description:
      'Development and tests only: lets the push agent connect to loopback and private addresses (a local push service); logged as a warning at start',
  }),
});

export type DispatcherConfig = Static<typeof dispatcherConfigSchema>;

export function loadDispatcherConfig(
  env: Record<string, string | undefined> = process.env,
): DispatcherConfig {
  return loadConfig('dispatcher', dispatcherConfigSchema, env);
}

/** The secret new ping tokens are signed with: the first of PING_TOKEN_SECRETS. */
export function signingSecret(config: Pick<DispatcherConfig, 'PING_TOKEN_SECRETS'>): string {
  return config.PING_TOKEN_SECRETS.split(',')[0]!.trim();
}
