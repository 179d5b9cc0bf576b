/**
 * Delay before attempt `attempt + 1` (attempt ≥ 1): exponential from `baseMs`, capped, with
 * jitter in [50 %, 100 %] so a burst of failures does not retry in lockstep.
 */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(exponential * (0.5 + random() / 2));
}

/**
 * Milliseconds a Retry-After header asks for (delta-seconds or an HTTP date), capped at `maxMs`;
 * undefined when absent or unreadable.
 */
export function retryAfterMs(
  header: string | undefined,
  maxMs: number,
  now = Date.now(),
): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Math.min(maxMs, Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.min(maxMs, Math.max(0, date - now));
}
