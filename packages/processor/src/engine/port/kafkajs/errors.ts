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

/** kafkajs error names along the chain (its client-side errors carry a name, not a protocol type). */
function errorNames(error: unknown): Set<string> {
  const names = new Set<string>();
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 8; depth++) {
    const e = current as { name?: unknown; originalError?: unknown; cause?: unknown };
    if (typeof e.name === 'string') names.add(e.name);
    current = e.originalError ?? e.cause;
  }
  return names;
}

/** Errors that only say the broker cannot be reached or cannot serve the group right now. */
const BROKER_AWAY_NAMES = [
  'KafkaJSGroupCoordinatorNotFound',
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSNumberOfRetriesExceeded',
];
const BROKER_AWAY_TYPES = [
  'COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'REQUEST_TIMED_OUT',
];

/** True when the error means the broker is away (restarting, stopped, hung), not a fault of ours. */
export function isBrokerAway(error: unknown): boolean {
  const names = errorNames(error);
  const types = errorTypes(error);
  return BROKER_AWAY_NAMES.some((n) => names.has(n)) || BROKER_AWAY_TYPES.some((t) => types.has(t));
}
