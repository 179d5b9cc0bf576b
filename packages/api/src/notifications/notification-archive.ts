import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  type ArchiveQueryEngine,
  createArchiveQueryEngine,
  type NotificationLogPage,
  type NotificationLogQuery,
  type ObjectStore,
  queryNotificationLog,
} from '@hoot/archiver';
import type { FastifyBaseLogger } from 'fastify';
import { ServiceUnavailableError } from '../http/request-error.ts';

/** The audit archive as the api reads it: merchants' notification logs, never anything else. */
export interface NotificationArchive {
  /**
   * A page of one merchant's log (see queryNotificationLog). Throws ServiceUnavailableError
   * (`archive_not_configured`, `archive_unavailable`) when the archive cannot be read, and
   * RangeError for a bad cursor.
   */
  page(query: NotificationLogQuery): Promise<NotificationLogPage>;
  close(): Promise<void>;
}

/**
 * Reads the notification log from `store`. A local archive whose directory does not exist is
 * "not configured" (an api started without ARCHIVE_URL, or a volume not mounted): without this
 * check it would read as an archive with no notifications. Any other failure to read (S3 not
 * answering, a file unreadable) is "unavailable"; its cause goes to the log, not to the caller.
 */
export function notificationArchive(store: ObjectStore, log: FastifyBaseLogger): NotificationArchive {
  const directory = store.url.startsWith('file://') ? fileURLToPath(store.url) : undefined;
  // One DuckDB for the process: its Parquet footer cache serves every request, and its threads
  // bound the CPU all requests together take.
  let engine: Promise<ArchiveQueryEngine> | undefined;
  const queries = () => {
    engine ??= createArchiveQueryEngine(store).catch((error: unknown) => {
      engine = undefined;
      throw error;
    });
    return engine;
  };
  return {
    async page(query) {
      if (directory !== undefined) {
        const info = await stat(directory).catch(() => undefined);
        if (info === undefined || !info.isDirectory()) {
          log.warn(
            { archive: store.url },
            'notification log asked for, but the archive directory does not exist',
          );
          throw new ServiceUnavailableError(
            'the notification log is not available: this server has no archive (ARCHIVE_URL) set up',
            { code: 'archive_not_configured' },
          );
        }
      }
      try {
        return await queryNotificationLog(await queries(), query);
      } catch (error) {
        if (error instanceof RangeError) throw error;
        log.error({ err: error, archive: store.url }, 'reading the notification log from the archive failed');
        throw new ServiceUnavailableError(
          'the notification log is not available right now: its archive could not be read; try again in a moment',
          { code: 'archive_unavailable', cause: error },
        );
      }
    },
    async close() {
      (await engine?.catch(() => undefined))?.close();
      await store.close();
    },
  };
}
