import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  createSimulatedBrowser,
  restoreBrowser,
  type SavedBrowser,
  type SimulatedBrowser,
  saveBrowser,
} from '../browser/simulated-browser.ts';

interface AudienceFileContent {
  /** The push service origin the endpoints live on. */
  pushOrigin: string;
  /** The VAPID key the browsers subscribed with; null when unrestricted. */
  applicationServerKey: string | null;
  browsers: SavedBrowser[];
}

export interface LoadedAudience {
  browsers: SimulatedBrowser[];
  /** Browsers restored from the file; the rest are new. */
  restored: number;
}

/**
 * The audience's browsers, kept in `file` across runs so the same browsers (same endpoints and
 * keys, so the same subscribers) come back each time instead of piling up new subscribers whose
 * keys are lost. Browsers saved for another push origin or VAPID key are not reused: their
 * subscriptions belong to that push service. Missing browsers are created; extra ones are
 * dropped from the file (their subscribers expire on the first push, answered 404).
 * Without a file, every browser is new.
 */
export function loadAudience(
  file: string | undefined,
  size: number,
  pushOrigin: string,
  applicationServerKey: string | undefined,
): LoadedAudience {
  let saved: SavedBrowser[] = [];
  if (file !== undefined) {
    try {
      const content = JSON.parse(readFileSync(file, 'utf8')) as AudienceFileContent;
      if (
        content.pushOrigin === pushOrigin &&
        content.applicationServerKey === (applicationServerKey ?? null)
      ) {
        saved = content.browsers.slice(0, size);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  const browsers = saved.map(restoreBrowser);
  while (browsers.length < size) browsers.push(createSimulatedBrowser());
  if (file !== undefined) {
    const content: AudienceFileContent = {
      pushOrigin,
      applicationServerKey: applicationServerKey ?? null,
      browsers: browsers.map(saveBrowser),
    };
    mkdirSync(dirname(file), { recursive: true });
    // Write then rename, so a run stopped mid-write never leaves half a file behind.
    writeFileSync(`${file}.tmp`, JSON.stringify(content), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  }
  return { browsers, restored: saved.length };
}
