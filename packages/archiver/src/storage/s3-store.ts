import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { type ObjectStore, PreconditionFailedError } from './object-store.ts';

/** Where an S3 store points and how it talks to the server. */
export interface S3StoreOptions {
  bucket: string;
  /** Key prefix inside the bucket, without leading or trailing `/` (`''` for the bucket's root). */
  prefix: string;
  /** An S3-compatible server's URL (`http://127.0.0.1:9000`); AWS's own endpoint when absent. */
  endpoint?: string;
  region: string;
  /** `https://endpoint/bucket/key` rather than `https://bucket.endpoint/key`: most S3-compatible servers want it. */
  forcePathStyle: boolean;
  /** When absent, the SDK's default chain: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profiles, instance roles. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Milliseconds to establish a connection before the attempt fails; default 3000. */
  connectionTimeoutMs?: number;
  /** Milliseconds a request may take in all (sending the body, waiting, reading the answer); default 30000. */
  requestTimeoutMs?: number;
  /** Attempts of each request by the SDK (its retries with backoff), default 3. */
  maxAttempts?: number;
}

/** DeleteObjects takes at most this many keys per request. */
const DELETE_BATCH = 1000;

/**
 * An ObjectStore on an S3 bucket (AWS or an S3-compatible server) through the AWS SDK v3. The
 * object `key` is `${prefix}/${key}` in the bucket (`key` when the prefix is empty). Etags are S3's,
 * without their quotes (the hex MD5 of the contents for a single-part put).
 *
 * Conditions are S3's conditional writes (If-None-Match: * and If-Match on PutObject), enforced by
 * the server. 412 Precondition Failed, a 409 ConditionalRequestConflict on an If-None-Match put
 * (a concurrent put of the key won) and a 404 on an If-Match put (no object) throw
 * PreconditionFailedError.
 *
 * Requests fail fast so the caller's own backoff decides what happens next: a connection must be
 * made within 3 s, a request complete within 30 s, and the SDK tries each request 3 times; an
 * unreachable server fails a put within seconds (refused at once, silent after 3 × 3 s), one that
 * accepts connections but does not answer after 3 × 30 s. Other errors are thrown as
 * `Error('S3 <operation> <key>: <message>')` with the SDK's error as `cause`.
 */
export function createS3Store(options: S3StoreOptions): ObjectStore {
  const { bucket } = options;
  const prefix = options.prefix.replace(/^\/+|\/+$/g, '');
  const client = new S3Client({
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    maxAttempts: options.maxAttempts ?? 3,
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? 3000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      throwOnRequestTimeout: true,
    },
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  });
  const objectKey = (key: string) => (prefix === '' ? key : `${prefix}/${key}`);
  const keyPrefixLength = prefix === '' ? 0 : prefix.length + 1;

  return {
    url: `s3://${bucket}${prefix === '' ? '' : `/${prefix}`}`,

    async put(key, body, conditions = {}) {
      try {
        const result = await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: objectKey(key),
            Body: body,
            ContentLength: body.byteLength,
            ...(conditions.ifNoneMatch === undefined ? {} : { IfNoneMatch: conditions.ifNoneMatch }),
            ...(conditions.ifMatch === undefined ? {} : { IfMatch: `"${conditions.ifMatch}"` }),
          }),
        );
        return { etag: unquote(result.ETag ?? '') };
      } catch (error) {
        const status = statusOf(error);
        const name = (error as { name?: string }).name;
        if (status === 412 || name === 'PreconditionFailed') {
          throw new PreconditionFailedError(
            key,
            conditions.ifMatch === undefined ? 'the object exists' : 'its etag differs',
          );
        }
        if (
          conditions.ifNoneMatch !== undefined &&
          (status === 409 || name === 'ConditionalRequestConflict')
        ) {
          throw new PreconditionFailedError(key, 'a concurrent write of the object won');
        }
        if (conditions.ifMatch !== undefined && status === 404 && name !== 'NoSuchBucket') {
          throw new PreconditionFailedError(key, 'there is no object');
        }
        throw storageError('put', key, error);
      }
    },

    async head(key) {
      try {
        const result = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: objectKey(key) }));
        return { key, size: result.ContentLength ?? 0, etag: unquote(result.ETag ?? '') };
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw storageError('head', key, error);
      }
    },

    async get(key) {
      try {
        const result = await client.send(new GetObjectCommand({ Bucket: bucket, Key: objectKey(key) }));
        return result.Body === undefined ? new Uint8Array() : await result.Body.transformToByteArray();
      } catch (error) {
        if (statusOf(error) === 404 && (error as Error).name !== 'NoSuchBucket') return undefined;
        throw storageError('get', key, error);
      }
    },

    async *list(listPrefix) {
      let continuationToken: string | undefined;
      do {
        let page: ListObjectsV2CommandOutput;
        try {
          page = await client.send(
            new ListObjectsV2Command({
              Bucket: bucket,
              Prefix: prefix === '' ? listPrefix : `${prefix}/${listPrefix}`,
              ...(continuationToken === undefined ? {} : { ContinuationToken: continuationToken }),
            }),
          );
        } catch (error) {
          throw storageError('list', listPrefix, error);
        }
        for (const object of page.Contents ?? []) {
          if (object.Key === undefined) continue;
          yield {
            key: object.Key.slice(keyPrefixLength),
            size: object.Size ?? 0,
            etag: unquote(object.ETag ?? ''),
          };
        }
        continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (continuationToken !== undefined);
    },

    async delete(keys) {
      for (let start = 0; start < keys.length; start += DELETE_BATCH) {
        const batch = keys.slice(start, start + DELETE_BATCH);
        let errors: Array<{
          Key?: string | undefined;
          Code?: string | undefined;
          Message?: string | undefined;
        }>;
        try {
          const result = await client.send(
            new DeleteObjectsCommand({
              Bucket: bucket,
              Delete: { Objects: batch.map((key) => ({ Key: objectKey(key) })), Quiet: true },
            }),
          );
          errors = result.Errors ?? [];
        } catch (error) {
          throw storageError('delete', `${batch.length} keys from ${batch[0]}`, error);
        }
        if (errors.length > 0) {
          const first = errors[0]!;
          throw new Error(
            `S3 delete: ${errors.length} of ${batch.length} keys not deleted, first ${first.Key}: ${first.Code} ${first.Message}`,
          );
        }
      }
    },

    async check() {
      // A listing of the prefix needs the permission the archive needs, and the bucket to exist.
      try {
        await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix === '' ? '' : `${prefix}/`, MaxKeys: 1 }),
        );
      } catch (error) {
        throw storageError('check', `s3://${bucket}/${prefix}`, error);
      }
    },

    async close() {
      client.destroy();
    },
  };
}

function unquote(etag: string): string {
  return etag.replace(/^"|"$/g, '');
}

/** The HTTP status of an SDK error, when the server answered. */
function statusOf(error: unknown): number | undefined {
  return error instanceof S3ServiceException
    ? error.$metadata.httpStatusCode
    : (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

function storageError(operation: string, key: string, error: unknown): Error {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new Error(`S3 ${operation} ${key}: ${message}`, { cause: error });
}
