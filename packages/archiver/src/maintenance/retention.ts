import type { Logger } from 'pino';
import { parseArchiveFileKey } from '../layout/archive-layout.ts';
import type { ArchiverMetrics } from '../metrics.ts';
import type { ObjectStore } from '../storage/object-store.ts';

const HOUR_MS = 3_600_000;

/**
 * Removes every archive file (complete or open) whose hour partition ended more than `days`
 * days before `nowMs`; resolves with the keys removed. Whole hour partitions go at once, so a
 * query never sees part of an hour.
 */
export async function removeExpired(store: ObjectStore, days: number, nowMs = Date.now()): Promise<string[]> {
  const cutoff = nowMs - days * 24 * HOUR_MS;
  const expired: string[] = [];
  for await (const object of store.list('')) {
    const ref = parseArchiveFileKey(object.key);
    if (ref === undefined) continue;
    const hourEnd = Date.parse(`${ref.dt}T${ref.hour}:00:00Z`) + HOUR_MS;
    if (hourEnd <= cutoff) expired.push(object.key);
  }
  for (let i = 0; i < expired.length; i += 1000) await store.delete(expired.slice(i, i + 1000));
  return expired;
}

export interface RetentionOptions {
  store: ObjectStore;
  /** ARCHIVE_RETENTION_DAYS; 0 keeps everything (nothing runs). */
  days: number;
  metrics: ArchiverMetrics;
  logger: Logger;
  /** How often to look, in ms (default hourly, and once at start). */
  everyMs?: number;
}

/** Runs removeExpired at start and then periodically; failures are logged and retried next time. */
export function startRetention(options: RetentionOptions): { stop(): void } {
  if (options.days <= 0) return { stop() {} };
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const run = async () => {
    try {
      const removed = await removeExpired(options.store, options.days);
      options.metrics.retentionRemoved.inc(removed.length);
      if (removed.length > 0)
        options.logger.info({ files: removed.length, days: options.days }, 'expired archive files removed');
    } catch (error) {
      options.metrics.storageErrors.inc({ operation: 'retention' });
      options.logger.warn({ err: error }, 'retention run failed; trying again at the next run');
    }
    if (!stopped) timer = setTimeout(run, options.everyMs ?? HOUR_MS);
  };
  timer = setTimeout(run, 0);
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
