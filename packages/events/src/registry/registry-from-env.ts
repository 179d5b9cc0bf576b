import type { KafkaEnv } from '../kafka-config.ts';
import { createBuiltinCatalog } from './builtin-catalog.ts';
import { createConfluentRegistry } from './confluent-registry.ts';
import type { SchemaRegistry } from './schema-registry.ts';

/** The registry named by SCHEMA_REGISTRY_URL, else the built-in catalog. */
export function registryFromEnv(env: Pick<KafkaEnv, 'SCHEMA_REGISTRY_URL'>): SchemaRegistry {
  return env.SCHEMA_REGISTRY_URL === undefined
    ? createBuiltinCatalog()
    : createConfluentRegistry({ url: env.SCHEMA_REGISTRY_URL });
}
