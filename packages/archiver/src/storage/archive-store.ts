import { ConfigError, loadConfig } from '@hoot/runtime';
import { Type } from '@sinclair/typebox';
import { archiveStorageProperties } from '../config.ts';
import type { ObjectStore } from './object-store.ts';
import { openStore } from './open-store.ts';

/** The storage settings every archive reader and writer takes (see archiveStorageProperties). */
export interface ArchiveStorageConfig {
  ARCHIVE_URL: string;
  ARCHIVE_S3_ENDPOINT?: string | undefined;
  ARCHIVE_S3_REGION: string;
  ARCHIVE_S3_FORCE_PATH_STYLE: boolean;
}

/** Opens the archive's store from its settings; throws ConfigError naming ARCHIVE_URL when invalid. */
export function openArchiveStore(config: ArchiveStorageConfig, service = 'archiver'): ObjectStore {
  try {
    return openStore(config.ARCHIVE_URL, {
      ...(config.ARCHIVE_S3_ENDPOINT === undefined ? {} : { endpoint: config.ARCHIVE_S3_ENDPOINT }),
      region: config.ARCHIVE_S3_REGION,
      forcePathStyle: config.ARCHIVE_S3_FORCE_PATH_STYLE,
    });
  } catch (error) {
    throw new ConfigError(service, [(error as Error).message]);
  }
}

/**
 * For the command-line tools: the archive named by ARCHIVE_URL and ARCHIVE_S3_*, once it answers.
 * A bad setting ends the process with code 2; storage that does not answer, or holds no archive
 * file, with code 1 (a mistyped ARCHIVE_URL would otherwise read as an empty archive, and an
 * erasure would be recorded where no archiver reads); each with one line on stderr starting with
 * `tool`.
 */
export async function openArchiveForTool(tool: string): Promise<ObjectStore> {
  let store: ObjectStore;
  try {
    store = openArchiveStore(loadConfig(tool, Type.Object(archiveStorageProperties)), tool);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${tool}: ${error.problems.join('; ')}\n`);
    process.exit(2);
  }
  let problem: string | undefined;
  try {
    await store.check();
    // A directory or bucket that answers but holds no archive file is most likely the wrong one
    // (its parent, a mistyped name): refused rather than read as an empty archive.
    const first = await store.list('topic=')[Symbol.asyncIterator]().next();
    if (first.done === true) problem = 'it holds no archive file (topic=…/dt=…/hour=…/*.parquet)';
  } catch (error) {
    problem = (error as Error).message;
  }
  if (problem !== undefined) {
    process.stderr.write(`${tool}: no archive at ${store.url} (ARCHIVE_URL): ${problem}\n`);
    process.exit(1);
  }
  return store;
}
