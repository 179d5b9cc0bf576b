// The produce path's record batch encoder, patched into kafkajs (patches/kafkajs@2.2.4.patch,
// src/protocol/recordBatch/v0/plain.js): the same bytes as kafkajs' own Record and RecordBatch
// encoders, and batches kafkajs' decoder reads back whole.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';

const require = createRequire(import.meta.url);
const kafkajs = (path: string) => require(`kafkajs/src/protocol/${path}`);
const Encoder = kafkajs('encoder');
const Decoder = kafkajs('decoder');
const Record = kafkajs('recordBatch/record/v0');
const { RecordBatch } = kafkajs('recordBatch/v0');
const decodeRecordBatch = kafkajs('recordBatch/v0/decoder');
const crc32C = kafkajs('recordBatch/crc32C');
const encodePartition = kafkajs('recordBatch/v0/plain');
const Long = require('kafkajs/src/utils/long');

interface Message {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  timestamp?: string;
  headers?: Record<string, string | Buffer | Array<string | Buffer>>;
}

const transactional = {
  producerId: Long.fromValue('4711'),
  producerEpoch: 3,
  firstSequence: 9,
  transactional: true,
};
const plain = { producerId: Long.fromInt(-1), producerEpoch: 0, firstSequence: 0, transactional: false };

/** What kafkajs' produce request built before: an Encoder per record, then the batch around them. */
async function referenceEncoding(partition: number, messages: Message[], options: typeof plain) {
  const first = messages[0]!.timestamp!;
  const records = messages.map((m, i) =>
    Record({ ...m, offsetDelta: i, timestampDelta: Number(m.timestamp) - Number(first) }),
  );
  const batch = await RecordBatch({
    records,
    firstTimestamp: first,
    maxTimestamp: messages.at(-1)!.timestamp,
    lastOffsetDelta: records.length - 1,
    ...options,
  });
  return new Encoder().writeInt32(partition).writeInt32(batch.size()).writeEncoder(batch).buffer as Buffer;
}

async function decode(encoded: Buffer) {
  const decoder = new Decoder(encoded);
  assert.equal(decoder.readInt32(), 2, 'partition');
  assert.equal(decoder.readInt32(), encoded.length - 8, 'record set size');
  // kafkajs' decoder skips the CRC; the broker checks it: over the batch from its attributes on.
  const crcAt = 8 + 8 + 4 + 4 + 1;
  assert.equal(encoded.readUInt32BE(crcAt), crc32C(encoded.subarray(crcAt + 4)), 'CRC-32C');
  return decodeRecordBatch(decoder);
}

describe('produce record batch encoding', () => {
  const ordered: Message[] = Array.from({ length: 250 }, (_, i) => ({
    key: i % 5 === 0 ? null : Buffer.alloc(i % 90, i),
    value: i % 7 === 0 ? `välue-${i}` : Buffer.alloc(i * 11, 7),
    timestamp: String(1_764_600_000_000 + i * 100_003),
    ...(i % 3 === 0
      ? { headers: { trace: `t-${i}`, raw: Buffer.from([i & 255]), many: ['a', Buffer.from('b')] } }
      : {}),
  }));

  for (const [name, options] of [
    ['transactional', transactional],
    ['not transactional', plain],
  ] as const) {
    it(`writes the bytes kafkajs' Record and RecordBatch encoders write (${name})`, async () => {
      const expected = await referenceEncoding(2, ordered, options);
      const actual: Buffer = encodePartition({ partition: 2, messages: ordered, ...options }).buffer;
      assert.equal(actual.length, expected.length);
      assert.ok(actual.equals(expected));
    });
  }

  it("reads back through kafkajs' decoder, with a valid CRC and timestamps out of order", async () => {
    const messages: Message[] = [
      { key: 'k-1', value: 'first', timestamp: '1764600005000' },
      { key: null, value: null, timestamp: '1764600000000', headers: { h: ['x', 'y'] } },
      { key: Buffer.from([0, 255]), value: Buffer.alloc(70_000, 1), timestamp: '999999999999' },
    ];
    const batch = await decode(encodePartition({ partition: 2, messages, ...transactional }).buffer);
    assert.equal(batch.firstTimestamp, '999999999999');
    assert.equal(batch.maxTimestamp, '1764600005000');
    assert.equal(batch.inTransaction, true);
    assert.equal(batch.producerId, '4711');
    assert.equal(batch.producerEpoch, 3);
    assert.equal(batch.firstSequence, 9);
    assert.equal(batch.lastOffsetDelta, 2);
    const records = batch.records;
    assert.deepEqual(
      records.map((r: { offset: string; timestamp: string }) => [r.offset, r.timestamp]),
      [
        ['0', '1764600005000'],
        ['1', '1764600000000'],
        ['2', '999999999999'],
      ],
    );
    assert.equal(records[0].key.toString(), 'k-1');
    assert.equal(records[0].value.toString(), 'first');
    assert.equal(records[1].key, null);
    assert.equal(records[1].value, null);
    assert.deepEqual(
      records[1].headers.h.map((v: Buffer) => v.toString()),
      ['x', 'y'],
    );
    assert.deepEqual([...records[2].key], [0, 255]);
    assert.equal(records[2].value.length, 70_000);
  });

  it('stamps messages without a timestamp with the time of encoding', async () => {
    const before = Date.now();
    const batch = await decode(
      encodePartition({ partition: 2, messages: [{ key: 'a', value: 'b' }], ...plain }).buffer,
    );
    const stamped = Number(batch.records[0].timestamp);
    assert.ok(stamped >= before && stamped <= Date.now(), `${stamped} is not the time of encoding`);
  });

  it('computes CRC-32C in native code, with the check value of RFC 3720 and what the JavaScript table gives', () => {
    const tableCrc = kafkajs('recordBatch/crc32C/crc32C');
    assert.equal(crc32C.toString().includes('native'), true, 'the native CRC-32C is in use');
    assert.equal(crc32C(Buffer.from('123456789')), 0xe3069283);
    const bytes = Buffer.from(Array.from({ length: 100_003 }, (_, i) => (i * 31) & 255));
    assert.equal(crc32C(bytes), tableCrc(bytes) >>> 0);
  });

  it('refuses a timestamp that is not an integer of milliseconds', () => {
    for (const timestamp of ['soon', '1.5', String(2 ** 60)]) {
      assert.throws(
        () => encodePartition({ partition: 0, messages: [{ value: 'v', timestamp }], ...plain }),
        (error: Error) => error instanceof TypeError && error.message.includes(timestamp),
      );
    }
  });
});
