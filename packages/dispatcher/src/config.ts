import { databaseEnvProperties } from '@hoot/db';
import { kafkaEnvProperties, Topics } from '@hoot/events';
import { ConfigError, loadConfig, logEnvProperties } from '@hoot/runtime';
import { type Static, Type } from '@sinclair/typebox';
import { vapidSubjectProblem } from './push/vapid-subject.ts';

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

/**
 * The VAPID subject when VAPID_SUBJECT is unset, outside production only: `./hoot dev` and tests
 * run without one (main.ts warns). Apple's push service refuses it (an `.invalid` domain), so in
 * production (NODE_ENV=production, as the Dockerfile sets) an unset VAPID_SUBJECT is an error.
 */
export const DEV_VAPID_SUBJECT = 'mailto:push@hoot.invalid';

/** Hosts of Windows Push Notification Services, which speaks Web Push with WNS's own headers. */
export const DEFAULT_WNS_HOSTS = '*.notify.windows.com';

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
    default: DEV_VAPID_SUBJECT,
    description:
      'Contact the push services can reach: one mailto: address or an https: URL on a public domain; required in production',
  }),
  VAPID_PUBLIC_KEY: Type.Optional(
    Type.String({
      pattern: base64url,
      minLength: 87,
      maxLength: 87,
      description: 'P-256, base64url; required in production',
    }),
  ),
  VAPID_PRIVATE_KEY: Type.Optional(
    Type.String({
      pattern: base64url,
      minLength: 43,
      maxLength: 43,
      description: 'P-256, base64url; required in production',
    }),
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
    description:
      'Comma-separated HMAC secrets, newest first; the dispatcher signs with the first; required in production',
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
  WNS_HOSTS: Type.String({
    default: DEFAULT_WNS_HOSTS,
    minLength: 1,
    description:
      'Push-service hosts that speak WNS (X-WNS-Cache-Policy, 406 when throttled): names or *.suffix',
  }),
  PUSH_INCIDENT_WINDOW_MS: Type.Integer({
    default: 60_000,
    minimum: 1000,
    maximum: 3_600_000,
    description: 'How far back the answers of a host are counted for the incident breaker',
  }),
  PUSH_INCIDENT_MIN_ANSWERS: Type.Integer({
    default: 50,
    minimum: 2,
    maximum: 1_000_000,
    description: 'Identical 404/410 answers from one host within the window before it counts as an incident',
  }),
  PUSH_INCIDENT_SHARE: Type.Number({
    default: 0.9,
    exclusiveMinimum: 0.5,
    maximum: 1,
    description: 'And their least share of all answers of that host within the window',
  }),
  PUSH_INCIDENT_PAUSE_MS: Type.Integer({
    default: 300_000,
    minimum: 1000,
    maximum: 3_600_000,
    description: 'How long a host in an incident is paused before it is tried again',
  }),
  PUSH_INCIDENT_MAX_DEFER_MS: Type.Integer({
    default: 3_600_000,
    minimum: 0,
    description: 'How long a batch keeps retrying notifications held back by an incident',
  }),
  PUSH_ALLOW_PRIVATE_ADDRESSES: Type.Boolean({
    default: false,
    description:
      'Development and tests only: lets the push agent connect to loopback and private addresses (a local push service); logged as a warning at start',
  }),
});

export type DispatcherConfig = Static<typeof dispatcherConfigSchema>;

/** Production is recognised by NODE_ENV=production, which the Dockerfile sets for every service. */
export function isProduction(env: Record<string, string | undefined>): boolean {
  return env.NODE_ENV === 'production';
}

/**
 * The dispatcher's configuration from `env`, validated: the schema's rules, then the VAPID
 * subject's (see vapidSubjectProblem). In production (NODE_ENV=production) the development
 * defaults are refused: VAPID_SUBJECT, VAPID_PUBLIC_KEY with VAPID_PRIVATE_KEY (else a key pair
 * made per process, which browsers subscribed with the api's key refuse) and PING_TOKEN_SECRETS
 * (else tokens signed with the development secret, which the api rejects) must be set; elsewhere
 * main.ts and startDispatcher warn. Throws ConfigError naming every problem at once.
 */
export function loadDispatcherConfig(
  env: Record<string, string | undefined> = process.env,
): DispatcherConfig {
  const problems: string[] = [];
  let config: DispatcherConfig | undefined;
  try {
    config = loadConfig('dispatcher', dispatcherConfigSchema, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  const subject = env.VAPID_SUBJECT;
  if (subject === undefined || subject === '') {
    if (isProduction(env)) {
      problems.push(
        `VAPID_SUBJECT must be set in production (NODE_ENV=production): one mailto: address or an https: URL on a public domain where the push services can reach you (RFC 8292 section 2.1); the development default ${DEV_VAPID_SUBJECT} is refused by Apple with 403 BadJwtToken`,
      );
    }
  } else {
    const problem = vapidSubjectProblem(subject);
    if (problem !== undefined) problems.push(problem);
  }
  if (isProduction(env)) problems.push(...productionDefaultProblems(env));
  if (problems.length > 0 || config === undefined) throw new ConfigError('dispatcher', problems);
  return config;
}

/**
 * The development defaults production refuses, other than the VAPID subject: a missing VAPID key
 * pair, and missing PING_TOKEN_SECRETS or the development secret among them.
 */
function productionDefaultProblems(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const missingKeys = (['VAPID_PUBLIC_KEY', 'VAPID_PRIVATE_KEY'] as const).filter(
    (name) => env[name] === undefined || env[name] === '',
  );
  if (missingKeys.length > 0) {
    problems.push(
      `${missingKeys.join(' and ')} must be set in production (NODE_ENV=production): the api's VAPID key pair (its VAPID_PUBLIC_KEY is the one browsers subscribe with); a pair made for this process would have every push refused`,
    );
  }
  const secrets = env.PING_TOKEN_SECRETS;
  if (secrets === undefined || secrets.trim() === '') {
    problems.push(
      "PING_TOKEN_SECRETS must be set in production (NODE_ENV=production): the api's ping token secrets; tokens signed with the development secret are rejected by the api",
    );
  } else if (secrets.split(',').some((secret) => secret.trim() === DEV_PING_TOKEN_SECRET)) {
    problems.push(
      'PING_TOKEN_SECRETS must not contain the development secret in production (NODE_ENV=production)',
    );
  }
  return problems;
}

/** The secret new ping tokens are signed with: the first of PING_TOKEN_SECRETS. */
export function signingSecret(config: Pick<DispatcherConfig, 'PING_TOKEN_SECRETS'>): string {
  return config.PING_TOKEN_SECRETS.split(',')[0]!.trim();
}
