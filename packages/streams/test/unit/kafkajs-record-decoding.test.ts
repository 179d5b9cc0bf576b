// The patched kafkajs (patches/kafkajs@2.2.4.patch) decodes offsets and timestamps from BigInt
// bases computed once per record batch, and filters a fetch's records by comparing offset strings:
// both must stay exact for every int64 offset, and messages must stay JSON-serializable.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';

const require = createRequire(import.meta.resolve('kafkajs'));
const { RecordBatch } = require('./src/protocol/recordBatch/v0/index.js');
const decodeRecordBatch = require('./src/protocol/recordBatch/v0/decoder.js');
const Record = require('./src/protocol/recordBatch/record/v0/index.js');
const Decoder = require('./src/protocol/decoder.js');
const Batch = require('./src/consumer/batch.js');
const Long = require('./src/utils/long.js');

describe('kafkajs record decoding (patched)', () => {
  it('gives each record its exact offset and timestamp, past 2^53 too', async () => {
    const firstOffset = '9007199254740993'; // 2^53 + 1: not a safe integer
    const firstTimestamp = 1_796_100_000_000;
    const encoded = await RecordBatch({
      firstOffset: Long.fromValue(firstOffset),
      firstTimestamp,
      maxTimestamp: firstTimestamp + 20,
      lastOffsetDelta: 2,
      records: [0, 1, 2].map((i) =>
        Record({
          offsetDelta: i,
          timestampDelta: 10 * i,
          key: Buffer.from(`k${i}`),
          value: Buffer.from(`v${i}`),
        }),
      ),
    });
    const decoded = await decodeRecordBatch(new Decoder(encoded.buffer));
    assert.deepEqual(
      decoded.records.map((r: { offset: string; timestamp: string }) => [r.offset, r.timestamp]),
      [
        ['9007199254740993', '1796100000000'],
        ['9007199254740994', '1796100000010'],
        ['9007199254740995', '1796100000020'],
      ],
    );
    assert.equal(decoded.records[1].key.toString(), 'k1');
    assert.doesNotThrow(() => JSON.stringify(decoded.records), 'messages carry no BigInt');
  });

  it('keeps the records of a fetch at or past the fetched offset', () => {
    const message = (offset: string) => ({ offset, key: null, value: null, isControlRecord: false });
    const offsets = (fetchedOffset: string, messages: string[]) =>
      new Batch('t', fetchedOffset, {
        partition: 0,
        highWatermark: '1000000000000000000',
        abortedTransactions: [],
        messages: messages.map(message),
      }).messages.map((m: { offset: string }) => m.offset);
    assert.deepEqual(offsets('10', ['8', '9', '10', '11', '99', '100']), ['10', '11', '99', '100']);
    assert.deepEqual(offsets('100', ['99', '100', '1000']), ['100', '1000']);
    assert.deepEqual(offsets('0', ['0', '1']), ['0', '1']);
    assert.deepEqual(
      offsets('9007199254740993', ['9007199254740992', '9007199254740993', '9007199254740994']),
      ['9007199254740993', '9007199254740994'],
    );
  });
});
