import { kafkaErrorTypes } from '@hoot/kafka';

export const FENCED_ERROR_TYPES = [
  'PRODUCER_FENCED',
  'INVALID_PRODUCER_EPOCH',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
];

/** True when another instance took over the transactional id (Kafka's fencing errors). */
export function isFenced(error: unknown): boolean {
  const types = kafkaErrorTypes(error);
  return FENCED_ERROR_TYPES.some((t) => types.has(t));
}

/** True when another operation of the same transaction is still ongoing (retriable). */
export function isConcurrentTransactions(error: unknown): boolean {
  return kafkaErrorTypes(error).has('CONCURRENT_TRANSACTIONS');
}
