import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openStore, parseArchiveUrl } from '../src/storage/open-store.ts';

describe('ARCHIVE_URL', () => {
  it('takes s3://bucket with or without a prefix, ignoring a trailing slash', () => {
    assert.deepEqual(parseArchiveUrl('s3://hoot-archive'), {
      kind: 's3',
      bucket: 'hoot-archive',
      prefix: '',
    });
    assert.deepEqual(parseArchiveUrl('s3://hoot-archive/'), {
      kind: 's3',
      bucket: 'hoot-archive',
      prefix: '',
    });
    assert.deepEqual(parseArchiveUrl('s3://hoot.archive/audit/v1/'), {
      kind: 's3',
      bucket: 'hoot.archive',
      prefix: 'audit/v1',
    });
  });

  it('takes file:///absolute/dir, decoding escapes', () => {
    assert.deepEqual(parseArchiveUrl('file:///var/lib/hoot/archive'), {
      kind: 'file',
      directory: '/var/lib/hoot/archive',
    });
    assert.deepEqual(parseArchiveUrl('file:///var/lib/my%20archive/'), {
      kind: 'file',
      directory: '/var/lib/my archive',
    });
    assert.deepEqual(parseArchiveUrl('file://localhost/srv/a'), { kind: 'file', directory: '/srv/a' });
  });

  it('takes a plain path, resolving a relative one against the working directory', () => {
    assert.deepEqual(parseArchiveUrl('/srv/archive'), { kind: 'file', directory: '/srv/archive' });
    assert.deepEqual(parseArchiveUrl('.hoot/archive', '/work/hoot'), {
      kind: 'file',
      directory: '/work/hoot/.hoot/archive',
    });
    assert.deepEqual(parseArchiveUrl('../archive', '/work/hoot'), {
      kind: 'file',
      directory: '/work/archive',
    });
  });

  it('refuses another scheme, saying what it takes', () => {
    assert.throws(
      () => parseArchiveUrl('ftp://x'),
      (error: Error) =>
        error.message === 'ARCHIVE_URL must be s3://bucket[/prefix], file:///path or a path (got "ftp://x")',
    );
    assert.throws(() => parseArchiveUrl('gs://bucket'), /must be s3:\/\/bucket\[\/prefix\]/);
    assert.throws(() => parseArchiveUrl('s3:bucket'), /must be s3:\/\/bucket/);
    assert.throws(() => parseArchiveUrl(''), /must be s3:\/\/bucket/);
  });

  it('refuses a relative or remote file URL', () => {
    assert.throws(() => parseArchiveUrl('file:archive'), /file:\/\/\/absolute\/path \(got "file:archive"\)/);
    assert.throws(() => parseArchiveUrl('file://server/share'), /file:\/\/\/absolute\/path/);
  });

  it('refuses an invalid bucket name, an empty prefix segment, a query or a fragment', () => {
    assert.throws(() => parseArchiveUrl('s3://'), /bucket "" is not a valid S3 bucket name/);
    assert.throws(() => parseArchiveUrl('s3://Hoot_Archive/x'), /bucket "Hoot_Archive"/);
    assert.throws(() => parseArchiveUrl('s3://ab'), /bucket "ab"/);
    assert.throws(() => parseArchiveUrl('s3://hoot-archive//x'), /empty segment/);
    assert.throws(() => parseArchiveUrl('s3://hoot-archive/a//b'), /empty segment/);
    assert.throws(() => parseArchiveUrl('s3://hoot-archive/x?region=eu'), /no query or fragment/);
    assert.throws(() => parseArchiveUrl('file:///srv/a#b'), /no query or fragment/);
  });

  it('opens a local store for a path and an S3 store for s3://, naming each by its URL', async () => {
    const local = openStore('/srv/hoot-archive', { region: 'us-east-1', forcePathStyle: false });
    assert.equal(local.url, 'file:///srv/hoot-archive');
    await local.close();
    const s3 = openStore('s3://hoot-archive/audit/', {
      endpoint: 'http://127.0.0.1:9000',
      region: 'us-east-1',
      forcePathStyle: true,
    });
    assert.equal(s3.url, 's3://hoot-archive/audit');
    await s3.close();
  });
});
