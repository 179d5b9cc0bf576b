import type { Schema } from 'avsc';

/**
 * Where schema ids come from. Writers ask for the id of their schema under a subject
 * (`<topic>-value`, Confluent's TopicNameStrategy); readers ask for the writer's schema by id,
 * which is undefined when the registry has no such id.
 */
export interface SchemaRegistry {
  idFor(subject: string, schema: Schema): Promise<number>;
  schemaFor(id: number): Promise<Schema | undefined>;
}
