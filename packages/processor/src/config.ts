import { databaseEnvProperties } from '@hoot/db';
import { kafkaEnvProperties, Topics } from '@hoot/events';
import { loadConfig, logEnvProperties } from '@hoot/runtime';
import { type Static, Type } from '@sinclair/typebox';

export const processorConfigSchema = Type.Object({
  ...kafkaEnvProperties,
  ...databaseEnvProperties,
  APPLICATION_ID: Type.String({
    default: 'hoot-processor',
    pattern: '^[A-Za-z0-9._-]+$',
    description: 'Consumer group, prefix of internal topics and of transactional ids',
  }),
  STATE_DIR: Type.String({
    default: '.hoot/state',
    minLength: 1,
    description: 'Where task SQLite files live',
  }),
  COMMIT_INTERVAL_MS: Type.Integer({ default: 100, minimum: 1, description: 'Commit at least this often' }),
  COMMIT_MAX_RECORDS: Type.Integer({ default: 5000, minimum: 1, description: 'Or after this many records' }),
  SESSION_TIMEOUT_MS: Type.Integer({
    default: 10_000,
    minimum: 6_000,
    description: 'How long the group waits for a silent member before moving its partitions',
  }),
  HTTP_PORT: Type.Integer({
    default: 9464,
    minimum: 0,
    maximum: 65535,
    description: '/metrics, /healthz, /readyz',
  }),
  ROLES: Type.String({
    default: 'streams,sink',
    pattern: '^(streams|sink)(,(streams|sink))?$',
    description: 'What this process runs: the stream topology, the Postgres sink, or both',
  }),
  ATTRIBUTION_WINDOW_HOURS: Type.Integer({
    default: 72,
    minimum: 1,
    description: "An order counts for the subscriber's last click this many hours before it",
  }),
  TASK_STALL_NOT_READY_MS: Type.Integer({
    default: 60_000,
    minimum: 1000,
    description: 'A task with input it has not committed for this long makes /readyz answer 503',
  }),
  TASK_STALL_EXIT_MS: Type.Integer({
    default: 300_000,
    minimum: 1000,
    description: 'For this long, and the process exits non-zero so its supervisor restarts it',
  }),
  EVENT_TIME_MAX_SKEW_MS: Type.Integer({
    default: 120_000,
    minimum: 0,
    description:
      "How far an input's event time may be ahead of its Kafka timestamp; later times are a wrong clock and count at the Kafka timestamp (the api's PING_CLOCK_SKEW_MS)",
  }),
  GRACE_HOURS: Type.Integer({
    default: 672,
    minimum: 0,
    description: 'How late a ping may arrive after its hour and still count (default 28 days, the push TTL)',
  }),
  SINK_GROUP_ID: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9._-]+$',
      description: 'Consumer group of the Postgres sink; default <APPLICATION_ID>-postgres-sink',
    }),
  ),
  PING_TOPIC: Type.String({ default: Topics.ping, minLength: 1, description: 'Delivery and click pings' }),
  DISPATCH_TOPIC: Type.String({ default: Topics.dispatch, minLength: 1, description: 'Notifications sent' }),
  ORDERS_TOPIC: Type.String({ default: Topics.orders, minLength: 1, description: 'Orders from the webhook' }),
  REPORTING_TOPIC: Type.String({
    default: Topics.campaignReporting,
    minLength: 1,
    description: 'Absolute campaign figures, read by the Postgres sink',
  }),
  ...logEnvProperties,
});

export type ProcessorConfig = Static<typeof processorConfigSchema>;

export function loadProcessorConfig(env: Record<string, string | undefined> = process.env): ProcessorConfig {
  return loadConfig('processor', processorConfigSchema, env);
}
