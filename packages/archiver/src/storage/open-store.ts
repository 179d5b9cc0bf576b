import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLocalStore } from './local-store.ts';
import type { ObjectStore } from './object-store.ts';
import { createS3Store } from './s3-store.ts';

/** Where ARCHIVE_URL says the archive lives. */
export type ArchiveLocation =
  | { kind: 'file' /** Absolute. */; directory: string }
  | {
      kind: 's3';
      bucket: string /** Without leading or trailing `/`; `''` for the bucket's root. */;
      prefix: string;
    };

/** How to reach S3 for an `s3://` archive; credentials come from the SDK's default chain (AWS_ACCESS_KEY_ID…). */
export interface S3Connection {
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
}

const EXPECTED = 'ARCHIVE_URL must be s3://bucket[/prefix], file:///path or a path';
/** S3's rules for bucket names (those created today): 3–63 lowercase letters, digits, dots, hyphens. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Parses an archive location: `s3://bucket` or `s3://bucket/some/prefix` (trailing `/` ignored),
 * `file:///absolute/dir`, or a plain path, absolute or relative to `cwd`. Throws an Error naming
 * ARCHIVE_URL and the value for anything else: another scheme, a relative or remote file URL, an
 * invalid bucket name, an empty prefix segment (`a//b`), a query or fragment.
 */
export function parseArchiveUrl(url: string, cwd: string = process.cwd()): ArchiveLocation {
  const fail = (why: string = EXPECTED): never => {
    throw new Error(`${why} (got ${JSON.stringify(url)})`);
  };
  if (url.trim() === '') fail();
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: 'file', directory: path.resolve(cwd, url) };
  if (url.includes('?') || url.includes('#')) fail('ARCHIVE_URL takes no query or fragment');

  if (scheme === 's3') {
    if (!/^s3:\/\//i.test(url)) fail();
    const rest = url.slice('s3://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash === -1 ? rest : rest.slice(0, slash);
    const prefix = slash === -1 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
    if (!BUCKET_NAME.test(bucket)) {
      fail(`ARCHIVE_URL's bucket ${JSON.stringify(bucket)} is not a valid S3 bucket name`);
    }
    if (prefix !== '' && prefix.split('/').includes('')) {
      fail("ARCHIVE_URL's prefix has an empty segment");
    }
    return { kind: 's3', bucket, prefix };
  }

  if (scheme === 'file') {
    let directory: string | undefined;
    try {
      directory = /^file:\/\//i.test(url) ? fileURLToPath(url) : undefined;
    } catch {
      directory = undefined; // a host other than localhost, or an encoded `/`
    }
    if (directory === undefined) fail('ARCHIVE_URL file URLs must be file:///absolute/path');
    return { kind: 'file', directory: path.resolve(directory!) };
  }

  return fail();
}

/**
 * The ObjectStore ARCHIVE_URL names (see parseArchiveUrl): a local directory store for a path or
 * `file://` URL, an S3 store on `s3` for `s3://`. Throws parseArchiveUrl's errors; opens no
 * connection (use the store's `check()` for that).
 */
export function openStore(url: string, s3: S3Connection): ObjectStore {
  const location = parseArchiveUrl(url);
  if (location.kind === 'file') return createLocalStore(location.directory);
  return createS3Store({
    bucket: location.bucket,
    prefix: location.prefix,
    region: s3.region,
    forcePathStyle: s3.forcePathStyle,
    ...(s3.endpoint === undefined ? {} : { endpoint: s3.endpoint }),
  });
}
