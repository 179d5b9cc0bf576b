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
  /** The start of the body of an answer other than 2xx (a push service's reason), else ''. */
  body: string;
  /** Response headers, lower-case names (WNS puts its reason in `x-wns-error-description`). */
  headers: Record<string, string>;
}

/** An error body is a line of text or a small JSON object; more is not worth keeping. */
const MAX_ERROR_BODY_BYTES = 1024;

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
      requestHeaders: Record<string, string>,
      payload: Buffer,
    ): Promise<PushResponse> {
      const request: Dispatcher.RequestOptions = {
        method: 'POST',
        path,
        headers: requestHeaders,
        body: payload,
      };
      const response = await poolFor(origin).request(request);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      // The body is small (an error text at most); read it so the connection is reused.
      let body = '';
      if (response.statusCode >= 200 && response.statusCode < 300) {
        await response.body.dump();
      } else {
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of response.body) {
          if (size < MAX_ERROR_BODY_BYTES) chunks.push(chunk as Buffer);
          size += (chunk as Buffer).length;
        }
        body = Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY_BYTES).toString('utf8');
      }
      return { status: response.statusCode, retryAfter: headers['retry-after'], body, headers };
    },
    async close(): Promise<void> {
      await Promise.all([...pools.values()].map((pool) => pool.close()));
      pools.clear();
    },
  };
}

export type PushClient = ReturnType<typeof createPushClient>;
