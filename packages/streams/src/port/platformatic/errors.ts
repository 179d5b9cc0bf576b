import { findErrorBy } from '@platformatic/kafka';

/** Kafka's errors meaning that a newer producer took over the transactional id. */
const FENCED_API_IDS = ['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED'];

/** True when `apiId` (Kafka's error name, e.g. 'CONCURRENT_TRANSACTIONS') is anywhere in the error's chain. */
export function hasApiError(error: unknown, apiId: string): boolean {
  return error instanceof Error && findErrorBy(error, 'apiId', apiId) !== null;
}

/** True when another instance took over the transactional id (Kafka's fencing errors). */
export function isFenced(error: unknown): boolean {
  return FENCED_API_IDS.some((id) => hasApiError(error, id));
}

/** A one-line account of a client error, its nested errors included (the library nests them). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const nested = (error as { errors?: unknown[] }).errors;
  if (!Array.isArray(nested) || nested.length === 0) return error.message;
  return `${error.message} (${nested.map(describeError).join('; ')})`;
}
