/** An object as a listing shows it. */
export interface StoredObject {
  /** Key relative to the store's root (its prefix), `/`-separated, never starting with `/`. */
  key: string;
  /** Bytes. */
  size: number;
  /** Opaque version tag: changes whenever the object's contents change. */
  etag: string;
}

/**
 * Preconditions of a write, as S3's conditional writes (If-None-Match / If-Match on PutObject):
 * `ifNoneMatch: '*'` writes only when no object has the key; `ifMatch` only when the current
 * object's etag is that one. A failed precondition throws PreconditionFailedError.
 */
export interface PutConditions {
  ifNoneMatch?: '*';
  ifMatch?: string;
}

/**
 * Where archive files live: a local directory or an S3-compatible bucket under a prefix.
 * A put is durable when it resolves (fsynced, or acknowledged by S3) and atomic: readers see the
 * old object or the new one, never a part. Errors other than PreconditionFailedError are the
 * storage being unavailable (network, disk) and may be retried.
 */
export interface ObjectStore {
  /** Where it points, for logs: `file:///var/lib/hoot/archive` or `s3://bucket/prefix`. */
  readonly url: string;
  /** Writes an object; resolves with its new etag. */
  put(key: string, body: Uint8Array, conditions?: PutConditions): Promise<{ etag: string }>;
  /** The object's etag and size, or undefined when there is none. */
  head(key: string): Promise<StoredObject | undefined>;
  /** The object's bytes, or undefined when there is none. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Every object whose key starts with `prefix` (`''` for all), in key order. */
  list(prefix: string): AsyncIterable<StoredObject>;
  /** Removes objects; keys that do not exist are ignored. */
  delete(keys: readonly string[]): Promise<void>;
  /** Checks the store answers (readiness): resolves, or throws what is wrong. */
  check(): Promise<void>;
  close(): Promise<void>;
}

/** A conditional write whose precondition did not hold (S3's 412 Precondition Failed). */
export class PreconditionFailedError extends Error {
  readonly key: string;
  constructor(key: string, detail: string) {
    super(`precondition failed writing ${key}: ${detail}`);
    this.name = 'PreconditionFailedError';
    this.key = key;
  }
}
