import { databaseEnvProperties } from '@hoot/db';
import { kafkaEnvProperties } from '@hoot/events';
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
  HTTP_PORT: Type.Integer({
    default: 9464,
    minimum: 0,
    maximum: 65535,
    description: '/metrics, /healthz, /readyz',
  }),
  ...logEnvProperties,
});

export type ProcessorConfig = Static<typeof processorConfigSchema>;

export function loadProcessorConfig(env: Record<string, string | undefined> = process.env): ProcessorConfig {
  return loadConfig('processor', processorConfigSchema, env);
}
