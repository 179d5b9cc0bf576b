import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ArchiveFileRef,
  OPEN_PREFIX,
  parseArchiveFileKey,
  topicPrefix,
} from '../layout/archive-layout.ts';
import type { ObjectStore, StoredObject } from '../storage/object-store.ts';

/** An archive file a query reads. */
export interface ArchiveFile extends ArchiveFileRef {
  key: string;
  size: number;
  etag: string;
}

/**
 * The files holding a topic's records on the given UTC days (all days when omitted): every
 * complete file, and the open copy of each file not complete yet. A complete file wins over its
 * open copy (an open copy can outlive its file's completion for a moment); both have the same
 * first records. Sorted by key.
 */
export async function archiveFiles(
  store: ObjectStore,
  topic: string,
  days?: readonly string[],
): Promise<ArchiveFile[]> {
  const prefixes = days === undefined ? [undefined] : days;
  const complete = new Map<string, ArchiveFile>();
  const open: ArchiveFile[] = [];
  for (const dt of prefixes) {
    for (const isOpen of [false, true]) {
      for await (const object of store.list(topicPrefix(topic, dt, isOpen))) {
        const file = toFile(object);
        if (file === undefined) continue;
        if (file.open) open.push(file);
        else complete.set(file.key, file);
      }
    }
  }
  for (const file of open) {
    const completeKey = file.key.slice(OPEN_PREFIX.length);
    if (!complete.has(completeKey)) complete.set(file.key, file);
  }
  return [...complete.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
}

function toFile(object: StoredObject): ArchiveFile | undefined {
  const ref = parseArchiveFileKey(object.key);
  return ref === undefined ? undefined : { ...ref, key: object.key, size: object.size, etag: object.etag };
}

/**
 * Local paths of archive files for DuckDB: a local store's own files; an S3 store's copied once
 * into `cacheDirectory` (named by key and etag, so a changed object is fetched again). DuckDB's
 * httpfs extension would read S3 directly, but it is downloaded at run time, which an offline
 * host cannot do; a local copy works everywhere. Files that vanished meanwhile are left out.
 */
export async function localPaths(
  store: ObjectStore,
  files: readonly ArchiveFile[],
  cacheDirectory: string,
): Promise<string[]> {
  if (store.url.startsWith('file://')) {
    const root = fileURLToPath(store.url);
    return files.map((f) => join(root, f.key));
  }
  const paths: string[] = [];
  for (const file of files) {
    const path = join(cacheDirectory, file.key.replace(/\.parquet$/, `.${file.etag}.parquet`));
    const cached = await stat(path).catch(() => undefined);
    if (cached === undefined) {
      const body = await store.get(file.key);
      if (body === undefined) continue;
      await mkdir(join(path, '..'), { recursive: true });
      const temporary = `${path}.${process.pid}.tmp`;
      await writeFile(temporary, body);
      await rename(temporary, path);
    }
    paths.push(path);
  }
  return paths;
}
