import type { BaseOptions } from '@platformatic/kafka';

export interface PlatformaticClientSettings {
  brokers: string[];
  clientId: string;
}

/**
 * Options every client of the port shares: its brokers, id, and retries that back off from 50 ms
 * to 2 s (the library's default waits 1 s before any retry, even of CONCURRENT_TRANSACTIONS, which
 * clears within milliseconds). `retries` is the number of retries of one request.
 */
export function baseOptions(settings: PlatformaticClientSettings, retries = 10): BaseOptions {
  return {
    clientId: settings.clientId,
    bootstrapBrokers: settings.brokers,
    retries,
    retryDelay: (_client, _operation, attempt) => Math.min(2_000, 50 * 2 ** Math.max(0, attempt - 1)),
    timeout: 30_000,
    connectTimeout: 5_000,
    metadataMaxAge: 5_000,
    autocreateTopics: false,
  };
}
