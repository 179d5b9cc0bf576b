/**
 * The service worker's retry rules (packages/api/src/sdk/service-worker-script.ts), shared by
 * everything the simulated browsers and store send: retry network errors, timeouts, 429 and 5xx
 * with exponential backoff and jitter until a deadline; any other answer is final.
 */

/** First retry delay, doubling up to RETRY_MAX_DELAY_MS. */
export const RETRY_BASE_DELAY_MS = 1000;
export const RETRY_MAX_DELAY_MS = 4000;
/** One attempt's longest wait for an answer (the api's own produce timeout). */
export const ATTEMPT_TIMEOUT_MS = 10_000;
/** An attempt with less time than this before the deadline is not started. */
export const MIN_ATTEMPT_MS = 1000;

/** Whether an HTTP status is worth another attempt: 429 and 5xx (the api may be busy or restarting). */
export function isRetriableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * Milliseconds to wait before attempt `failedAttempts + 1`: 1 s doubling up to 4 s, times a jitter
 * of 0.5 to 1.5 so a crowd of browsers that failed together does not retry together.
 * `random` returns values in [0, 1).
 */
export function retryDelayMs(failedAttempts: number, random: () => number): number {
  const base = Math.min(RETRY_BASE_DELAY_MS * 2 ** Math.max(0, failedAttempts - 1), RETRY_MAX_DELAY_MS);
  return base * (0.5 + random());
}
