import type { Schema } from 'avsc';
import { SchemaRegistryError } from '../errors.ts';
import { schemaIdentity } from './schema-identity.ts';
import type { SchemaRegistry } from './schema-registry.ts';

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

export interface ConfluentRegistryOptions {
  /** Base URL; user info in it (https://key:secret@host) becomes HTTP basic auth. */
  url: string;
  timeoutMs?: number;
}

/**
 * A client of a Confluent-compatible Schema Registry (its REST API v1). Ids are cached for the
 * life of the process: an id never changes meaning in a registry.
 */
export function createConfluentRegistry(options: ConfluentRegistryOptions): SchemaRegistry {
  const base = new URL(options.url);
  const headers: Record<string, string> = { accept: CONTENT_TYPE, 'content-type': CONTENT_TYPE };
  if (base.username !== '') {
    const credentials = `${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`;
    headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    base.username = '';
    base.password = '';
  }
  const root = base.toString().replace(/\/$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const idsBySubjectAndSchema = new Map<string, Promise<number>>();
  const schemasById = new Map<number, Promise<Schema | undefined>>();

  /** Answers undefined for a 404, the registry's "no such subject or id". */
  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T | undefined> {
    let response: Response;
    try {
      response = await fetch(`${root}${path}`, {
        method,
        headers,
        signal: AbortSignal.timeout(timeoutMs),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (cause) {
      throw new SchemaRegistryError(`schema registry ${method} ${path} failed: ${String(cause)}`, {
        retriable: true,
        cause,
      });
    }
    const text = await response.text();
    if (response.status === 404) return undefined;
    if (!response.ok) {
      throw new SchemaRegistryError(
        `schema registry ${method} ${path} answered ${response.status}: ${text}`,
        {
          status: response.status,
          retriable: response.status >= 500 || response.status === 429,
        },
      );
    }
    return JSON.parse(text) as T;
  }

  // A failed lookup is forgotten so that the next call tries again.
  function remember<K, V>(cache: Map<K, Promise<V>>, key: K, load: () => Promise<V>): Promise<V> {
    let pending = cache.get(key);
    if (pending === undefined) {
      pending = load();
      cache.set(key, pending);
      pending.catch(() => cache.delete(key));
    }
    return pending;
  }

  return {
    idFor(subject, schema) {
      return remember(idsBySubjectAndSchema, `${subject}\n${schemaIdentity(schema)}`, async () => {
        const path = `/subjects/${encodeURIComponent(subject)}/versions`;
        const answer = await call<{ id: number }>('POST', path, { schema: JSON.stringify(schema) });
        if (answer === undefined) {
          throw new SchemaRegistryError(`schema registry refused to register under ${subject}`, {
            status: 404,
            retriable: false,
          });
        }
        return answer.id;
      });
    },
    schemaFor(id) {
      return remember(schemasById, id, async () => {
        const answer = await call<{ schema: string }>('GET', `/schemas/ids/${id}`);
        return answer === undefined ? undefined : (JSON.parse(answer.schema) as Schema);
      });
    },
  };
}
