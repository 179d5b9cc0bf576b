import { databaseEnvProperties } from '@hoot/db';
import { kafkaEnvProperties } from '@hoot/events';
import { loadConfig, logEnvProperties } from '@hoot/runtime';
import { type Static, Type } from '@sinclair/typebox';

export const apiConfigSchema = Type.Object({
  ...kafkaEnvProperties,
  ...databaseEnvProperties,
  ...logEnvProperties,
  HOST: Type.String({ default: '127.0.0.1', minLength: 1, description: 'Address to listen on' }),
  PORT: Type.Integer({ default: 3000, minimum: 0, maximum: 65535, description: 'HTTP port' }),
});

export type ApiConfig = Static<typeof apiConfigSchema>;

export function loadApiConfig(env: Record<string, string | undefined> = process.env): ApiConfig {
  return loadConfig('api', apiConfigSchema, env);
}
