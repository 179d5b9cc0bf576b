/**
 * An error and everything it wraps (`cause`, kafkajs' `originalError`), outermost first, at
 * most 10 deep.
 */
export function errorChain(error: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = error; e !== undefined && e !== null && out.length < 10; ) {
    out.push(e);
    const next = e as { cause?: unknown; originalError?: unknown };
    e = next.originalError ?? next.cause;
  }
  return out;
}

/**
 * The Kafka protocol error types along an error's chain (kafkajs puts the protocol's error name,
 * e.g. `NOT_COORDINATOR`, in `type`; its retries and wrappers keep the original inside).
 */
export function kafkaErrorTypes(error: unknown): Set<string> {
  const types = new Set<string>();
  for (const e of errorChain(error)) {
    const type = (e as { type?: unknown }).type;
    if (typeof type === 'string') types.add(type);
  }
  return types;
}

/** kafkajs' own error class names along the chain (its client-side errors carry no `type`). */
function errorNames(error: unknown): Set<string> {
  const names = new Set<string>();
  for (const e of errorChain(error)) {
    const name = (e as { name?: unknown }).name;
    if (typeof name === 'string') names.add(name);
  }
  return names;
}

/** kafkajs errors of a broker that is unreachable or hung. */
const BROKER_AWAY_NAMES = [
  'KafkaJSGroupCoordinatorNotFound',
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSNumberOfRetriesExceeded',
];
/** Protocol errors of a broker that cannot serve the group or partition right now (Kafka's retriable ones). */
const BROKER_AWAY_TYPES = [
  'COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'REQUEST_TIMED_OUT',
];

/**
 * True when a Kafka client error only means the broker is away (restarting, stopped, hung, its
 * coordinator moving), which waiting cures; false for faults of the caller's own (fencing,
 * authorization, a bad request, an exception thrown by a handler).
 */
export function isBrokerAway(error: unknown): boolean {
  const names = errorNames(error);
  const types = kafkaErrorTypes(error);
  return BROKER_AWAY_NAMES.some((n) => names.has(n)) || BROKER_AWAY_TYPES.some((t) => types.has(t));
}
