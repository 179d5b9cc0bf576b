/** kafkajs wraps protocol errors (retries exceeded, …): collect every `type` along the chain. */
export function errorTypes(error: unknown): Set<string> {
  const types = new Set<string>();
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 8; depth++) {
    const e = current as { type?: unknown; originalError?: unknown; cause?: unknown };
    if (typeof e.type === 'string') types.add(e.type);
    current = e.originalError ?? e.cause;
  }
  return types;
}

export const FENCED_ERROR_TYPES = [
  'PRODUCER_FENCED',
  'INVALID_PRODUCER_EPOCH',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
];

export function isFenced(error: unknown): boolean {
  const types = errorTypes(error);
  return FENCED_ERROR_TYPES.some((t) => types.has(t));
}

export function isConcurrentTransactions(error: unknown): boolean {
  return errorTypes(error).has('CONCURRENT_TRANSACTIONS');
}
