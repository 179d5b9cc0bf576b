import { type Dispatcher, Pool } from 'undici';
import { guardedLookup } from './guarded-lookup.ts';

export interface PushClientOptions {
  /** Keep-alive connections per origin; requests beyond them wait in the pool's queue. */
  connectionsPerOrigin: number;
  timeoutMs: number;
  /** Development and tests only: skip the address guard. */
  allowPrivateAddresses: boolean;
  /** Extra trusted CA certificates (a test push service's self-signed one); default: the system's. */
  ca?: string | Buffer;
}

export interface PushResponse {
  status: number;
  retryAfter: string | undefined;
}

/**
 * HTTPS to push services: one undici pool of keep-alive connections per origin, which bounds the
 * concurrent requests to one host, and sockets whose DNS lookup refuses forbidden addresses.
 */
export function createPushClient(options: PushClientOptions) {
  const pools = new Map<string, Pool>();

  function poolFor(origin: string): Pool {
    let pool = pools.get(origin);
    if (pool === undefined) {
      pool = new Pool(origin, {
        connections: options.connectionsPerOrigin,
        pipelining: 1,
        keepAliveTimeout: 60_000,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        connectTimeout: options.timeoutMs,
        connect: {
          ...(options.allowPrivateAddresses ? {} : { lookup: guardedLookup }),
          ...(options.ca === undefined ? {} : { ca: options.ca }),
        },
      });
      pools.set(origin, pool);
    }
    return pool;
  }

  return {
    async post(
      origin: string,
      path: string,
      headers: Record<string, string>,
      body: Buffer,
    ): Promise<PushResponse> {
      const request: Dispatcher.RequestOptions = { method: 'POST', path, headers, body };
      const response = await poolFor(origin).request(request);
      // The body is small (an error text at most); read it so the connection is reused.
      await response.body.dump();
      const retryAfter = response.headers['retry-after'];
      return {
        status: response.statusCode,
        retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
      };
    },
    async close(): Promise<void> {
      await Promise.all([...pools.values()].map((pool) => pool.close()));
      pools.clear();
    },
  };
}

export type PushClient = ReturnType<typeof createPushClient>;
