import avro, { type Schema } from 'avsc';

/**
 * A string equal for two schemas exactly when they read and write alike: Avro's canonical form
 * plus defaults, logical types and aliases (which change how a reader resolves a writer), without docs.
 */
export function schemaIdentity(schema: Schema): string {
  return JSON.stringify(avro.Type.forSchema(schema).schema({ exportAttrs: true }));
}
