import avro, { type Schema } from 'avsc';
import { FrameError, InvalidValueError, type RecordContext } from './errors.ts';
import { schemaIdentity } from './registry/schema-identity.ts';
import type { SchemaRegistry } from './registry/schema-registry.ts';
import { decodeFrame, encodeFrame } from './wire/confluent-frame.ts';

export interface AvroSerde<T> {
  readonly subject: string;
  readonly type: avro.Type;
  /** Validates `value` against the schema and frames it with the registry's id for it. */
  encode(value: T): Promise<Buffer>;
  /**
   * Reads a framed message written with any schema the registry knows that resolves to ours
   * (an older version, the seed's): missing fields take their defaults. Throws FrameError for
   * anything undecodable; registry outages throw a retriable SchemaRegistryError.
   */
  decode(message: Buffer | null | undefined, context?: RecordContext): Promise<T>;
}

export interface AvroSerdeOptions {
  registry: SchemaRegistry;
  /** Usually `<topic>-value`. */
  subject: string;
  schema: Schema;
}

/** Reads with one of these per writer schema id: the identical type, or a resolver to ours. */
type Reader = { kind: 'same' } | { kind: 'resolve'; resolver: avro.Resolver };

export function createAvroSerde<T>(options: AvroSerdeOptions): AvroSerde<T> {
  const { registry, subject, schema } = options;
  const type = avro.Type.forSchema(schema);
  const identity = schemaIdentity(schema);
  let schemaId: Promise<number> | undefined;
  // One resolution per writer id, shared by every decode waiting for it (a batch decodes many
  // records at once); failures are not kept, so a registry that learns the id later is asked again.
  const readers = new Map<number, Promise<Reader | { unknown: true } | { incompatible: unknown }>>();

  async function resolveReader(id: number): Promise<Reader | { unknown: true } | { incompatible: unknown }> {
    const writerSchema = await registry.schemaFor(id);
    if (writerSchema === undefined) return { unknown: true };
    if (schemaIdentity(writerSchema) === identity) return { kind: 'same' };
    try {
      return { kind: 'resolve', resolver: type.createResolver(avro.Type.forSchema(writerSchema)) };
    } catch (cause) {
      return { incompatible: cause };
    }
  }

  async function readerFor(id: number, context: RecordContext): Promise<Reader> {
    let pending = readers.get(id);
    if (pending === undefined) {
      pending = resolveReader(id);
      readers.set(id, pending);
      pending.then(
        (result) => {
          if (!('kind' in result)) readers.delete(id);
        },
        () => readers.delete(id),
      );
    }
    const result = await pending;
    if ('unknown' in result) {
      throw new FrameError('UNKNOWN_SCHEMA_ID', `schema id ${id} is unknown to the registry`, { context });
    }
    if ('incompatible' in result) {
      throw new FrameError('INCOMPATIBLE_SCHEMA', `writer schema ${id} cannot be read as ${type.name}`, {
        context,
        cause: result.incompatible,
      });
    }
    return result;
  }

  return {
    subject,
    type,
    async encode(value) {
      const paths: string[] = [];
      if (!type.isValid(value, { errorHook: (path) => paths.push(path.join('.')) })) {
        throw new InvalidValueError(type.name ?? subject, paths);
      }
      schemaId ??= registry.idFor(subject, schema).catch((error: unknown) => {
        schemaId = undefined;
        throw error;
      });
      return encodeFrame(await schemaId, type.toBuffer(value));
    },
    async decode(message, context = {}) {
      const frame = decodeFrame(message, context);
      const reader = await readerFor(frame.schemaId, context);
      try {
        return (
          reader.kind === 'same' ? type.fromBuffer(frame.body) : type.fromBuffer(frame.body, reader.resolver)
        ) as T;
      } catch (cause) {
        throw new FrameError(
          'BAD_AVRO_BODY',
          `body of schema ${frame.schemaId} does not decode: ${String(cause)}`,
          {
            context,
            cause,
          },
        );
      }
    },
  };
}
