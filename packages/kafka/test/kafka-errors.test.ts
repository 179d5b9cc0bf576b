import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { isBrokerAway } from '../src/kafka-errors.ts';

// kafkajs is CommonJS: its error classes come off the default export.
const {
  KafkaJSConnectionError,
  KafkaJSGroupCoordinatorNotFound,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
} = kafkajs;

/** What kafkajs' retrier throws once it gives up on `e` (its typings omit the options). */
const gaveUp = (e: Error): Error =>
  new (KafkaJSNonRetriableError as unknown as new (e: Error, o: { cause: Error }) => Error)(e, { cause: e });
const protocolError = (type: string, code: number) =>
  new KafkaJSProtocolError(Object.assign(new Error(type), { type, code }));

describe('errors that mean the broker is away', () => {
  it('include a group coordinator kafkajs gave up finding, the crash it does not restart from', () => {
    const crash = gaveUp(
      new (KafkaJSGroupCoordinatorNotFound as unknown as new (message: string) => Error)(
        'Failed to find group coordinator',
      ),
    );
    assert.equal((crash as { retriable?: boolean }).retriable, false, 'kafkajs would not restart');
    assert.ok(isBrokerAway(crash));
  });

  it('include a refused connection, after the retries are spent', () => {
    const refused = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    assert.ok(isBrokerAway(gaveUp(refused)));
    assert.ok(isBrokerAway(new KafkaJSNumberOfRetriesExceeded(refused, { retryCount: 10, retryTime: 5000 })));
  });

  it('include a coordinator still loading or moved', () => {
    assert.ok(isBrokerAway(gaveUp(protocolError('COORDINATOR_LOAD_IN_PROGRESS', 14))));
    assert.ok(isBrokerAway(gaveUp(protocolError('NOT_COORDINATOR', 16))));
  });

  it('exclude fencing and faults of our own, which still end the consumer', () => {
    assert.ok(!isBrokerAway(gaveUp(protocolError('PRODUCER_FENCED', 90))));
    assert.ok(!isBrokerAway(new TypeError("Cannot read properties of undefined (reading 'offset')")));
    assert.ok(
      !isBrokerAway(new KafkaJSNonRetriableError('Cannot subscribe to topic while consumer is running')),
    );
  });
});
