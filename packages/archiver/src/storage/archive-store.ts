import { ConfigError } from '@hoot/runtime';
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
