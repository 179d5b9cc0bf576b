import { databaseEnvProperties } from '@hoot/db';
import { kafkaEnvProperties } from '@hoot/events';
import { loadConfig, logEnvProperties } from '@hoot/runtime';
import { type Static, Type } from '@sinclair/typebox';

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
});

export type DispatcherConfig = Static<typeof dispatcherConfigSchema>;

export function loadDispatcherConfig(
  env: Record<string, string | undefined> = process.env,
): DispatcherConfig {
  return loadConfig('dispatcher', dispatcherConfigSchema, env);
}
