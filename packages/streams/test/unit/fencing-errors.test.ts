import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { isConcurrentTransactions, isFenced } from '../../src/port/kafkajs/errors.ts';

// kafkajs is CommonJS: its error classes come off the default export.
const { KafkaJSNonRetriableError, KafkaJSProtocolError } = kafkajs;

const protocolError = (type: string, code: number) =>
  new KafkaJSProtocolError(Object.assign(new Error(type), { type, code }));
/** What kafkajs' retrier throws once it gives up on `e` (its typings omit the options). */
const gaveUp = (e: Error): Error =>
  new (KafkaJSNonRetriableError as unknown as new (e: Error, o: { cause: Error }) => Error)(e, { cause: e });

describe('transaction errors', () => {
  it('tell fencing, even wrapped by the retrier, from a concurrent transaction', () => {
    for (const [type, code] of [
      ['PRODUCER_FENCED', 90],
      ['INVALID_PRODUCER_EPOCH', 47],
      ['TRANSACTIONAL_ID_AUTHORIZATION_FAILED', 53],
    ] as const) {
      assert.ok(isFenced(gaveUp(protocolError(type, code))), type);
    }
    const concurrent = gaveUp(protocolError('CONCURRENT_TRANSACTIONS', 51));
    assert.ok(isConcurrentTransactions(concurrent));
    assert.ok(!isFenced(concurrent));
    assert.ok(!isFenced(new Error('PRODUCER_FENCED')), 'a message is not a type');
  });
});
