import { ATTEMPT_TIMEOUT_MS, isRetriableStatus, MIN_ATTEMPT_MS, retryDelayMs } from './retry-policy.ts';

/** How a retried POST ended. */
export type PostOutcome =
  /** A 2xx answer, with its parsed JSON body (undefined when not JSON). */
  | { kind: 'accepted'; status: number; body: unknown; attempts: number }
  /** A final 4xx answer: sending it again would not help. */
  | { kind: 'refused'; status: number; body: unknown; attempts: number }
  /** The deadline passed with only network errors, timeouts, 429 or 5xx; `status` is the last one. */
  | { kind: 'gave_up'; status: number | undefined; attempts: number }
  /** Stopped by the caller's signal (the process is shutting down). */
  | { kind: 'stopped'; attempts: number };

export interface PostOptions {
  headers: Record<string, string>;
  body: string;
  /** How long after the first attempt a retry may still start, in milliseconds. */
  budgetMs: number;
  /** Aborts waiting and in-flight attempts. */
  signal: AbortSignal;
  random?: () => number;
  /** Called before each retry, for metrics. */
  onRetry?(reason: string): void;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

async function bodyOf(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * POSTs `body` to `url` the way the service worker sends its pings: each attempt gives up after
 * 10 s; network errors, timeouts, 429 and 5xx are retried after 1, 2, 4, 4, … s (± 50 %) while
 * the budget lasts; a 2xx or another 4xx ends it. Never throws.
 */
export async function postWithRetry(url: string, options: PostOptions): Promise<PostOutcome> {
  const random = options.random ?? Math.random;
  const deadline = Date.now() + options.budgetMs;
  let lastStatus: number | undefined;
  for (let attempt = 1; ; attempt++) {
    if (options.signal.aborted) return { kind: 'stopped', attempts: attempt - 1 };
    let reason: string;
    try {
      const timeout = AbortSignal.timeout(
        Math.max(MIN_ATTEMPT_MS, Math.min(ATTEMPT_TIMEOUT_MS, deadline - Date.now())),
      );
      const response = await fetch(url, {
        method: 'POST',
        headers: options.headers,
        body: options.body,
        signal: AbortSignal.any([timeout, options.signal]),
      });
      const body = await bodyOf(response);
      if (response.ok) return { kind: 'accepted', status: response.status, body, attempts: attempt };
      if (!isRetriableStatus(response.status)) {
        return { kind: 'refused', status: response.status, body, attempts: attempt };
      }
      lastStatus = response.status;
      reason = String(response.status);
    } catch (error) {
      if (options.signal.aborted) return { kind: 'stopped', attempts: attempt };
      reason = (error as Error).name === 'TimeoutError' ? 'timeout' : 'network_error';
    }
    const delay = retryDelayMs(attempt, random);
    if (Date.now() + delay + MIN_ATTEMPT_MS > deadline) {
      return { kind: 'gave_up', status: lastStatus, attempts: attempt };
    }
    options.onRetry?.(reason);
    await sleep(delay, options.signal);
  }
}
