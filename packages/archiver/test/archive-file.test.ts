import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { zstdDecompressSync } from 'node:zlib';
import { dispatchSchema, pingSchema } from '@hoot/events';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import {
  archiveFileKey,
  daysBetween,
  hourPartition,
  parseArchiveFileKey,
} from '../src/layout/archive-layout.ts';
import { archiveColumns } from '../src/parquet/archive-columns.ts';
import { formatCsv, formatTable } from '../src/query/format-result.ts';
import { type ArchivedRecord, OpenFile } from '../src/writer/open-file.ts';

const HOUR = 3_600_000;
/** hyparquet reads ZSTD pages with the decompressor it is given: Node's own. */
const compressors = { ZSTD: (input: Uint8Array) => new Uint8Array(zstdDecompressSync(input)) };
const at = Date.parse('2026-11-30T16:59:59.000Z');

function dispatch(
  offset: number,
  timestamp: number,
  merchant: string,
  subscriber: number,
  size = 100,
): ArchivedRecord {
  return {
    offset,
    timestamp,
    size,
    schemaId: 11,
    value: {
      title: `t${offset}`,
      description: null,
      source: 'campaign',
      source_id: 7,
      merchant,
      subscriber_id: subscriber,
      notification_id: `n${offset}`,
      sent_at: timestamp,
      status_code: 201,
      push_service: 'fcm.googleapis.com',
      url: null,
      outcome: 'sent',
    },
  };
}

describe('archive layout', () => {
  it('names a file by topic, partition and first offset under its Hive partitions', () => {
    const key = archiveFileKey({
      topic: 'pushnotification-dispatch',
      partition: 3,
      firstOffset: '12000',
      ...hourPartition(at),
    });
    assert.equal(
      key,
      'topic=pushnotification-dispatch/dt=2026-11-30/hour=16/pushnotification-dispatch+3+00000000000000012000.parquet',
    );
    assert.deepEqual(parseArchiveFileKey(key), {
      topic: 'pushnotification-dispatch',
      dt: '2026-11-30',
      hour: '16',
      partition: 3,
      firstOffset: '12000',
      open: false,
    });
    assert.equal(parseArchiveFileKey(`_open/${key}`)?.open, true);
  });

  it('reads back nothing that is not an archive file', () => {
    for (const key of [
      'topic=a/dt=2026-11-30/hour=16/.a+1+00000000000000000001.parquet.tmp',
      'topic=a/dt=2026-11-30/hour=16/b+1+00000000000000000001.parquet', // another topic's name
      'topic=a/dt=2026-11-30/a+1+00000000000000000001.parquet',
      '_erasures/m/1.json',
    ]) {
      assert.equal(parseArchiveFileKey(key), undefined, key);
    }
  });

  it('lists the UTC days of a range, both ends included', () => {
    assert.deepEqual(daysBetween(Date.parse('2026-11-29T23:00Z'), Date.parse('2026-12-01T00:00Z')), [
      '2026-11-29',
      '2026-11-30',
      '2026-12-01',
    ]);
  });
});

describe('a file being filled', () => {
  const columns = archiveColumns(dispatchSchema);
  const limits = { maxRecords: 3, maxBytes: 250 };

  it('ends at the hour, the record limit and the byte limit, and only there', () => {
    const file = new OpenFile('d', 0, columns, dispatch(10, at, 'm', 1));
    assert.equal(file.fits(dispatch(11, at + 500, 'm', 2), limits), true);
    assert.equal(
      file.fits(dispatch(11, at + 1500, 'm', 2), limits),
      false,
      'the next hour starts a new file',
    );
    assert.equal(file.fits(dispatch(11, at - HOUR, 'm', 2), limits), false, 'so does an earlier hour');
    assert.equal(file.fits(dispatch(11, at, 'm', 2, 151), limits), false, 'bytes');
    file.add(dispatch(11, at, 'm', 2));
    file.add(dispatch(12, at, 'm', 3, 10));
    assert.equal(file.fits(dispatch(13, at, 'm', 4, 1), limits), false, 'records');
    assert.equal(file.key(), 'topic=d/dt=2026-11-30/hour=16/d+0+00000000000000000010.parquet');
  });

  it('encodes the same records to the same bytes, sorted by merchant, subscriber and offset', async () => {
    const make = () => {
      const file = new OpenFile('d', 2, columns, dispatch(5, at, 'mb', 9));
      file.add(dispatch(6, at, 'ma', 20));
      file.add(dispatch(7, at, 'mb', 1));
      file.add(dispatch(8, at, 'ma', 20));
      return file.encode();
    };
    const bytes = make();
    assert.deepEqual(make(), bytes);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const rows = await parquetReadObjects({
      file: buffer,
      compressors,
      columns: ['merchant', 'subscriber_id', 'kafka_offset', 'kafka_partition'],
    });
    assert.deepEqual(
      rows.map((r) => [r.merchant, Number(r.subscriber_id), Number(r.kafka_offset), r.kafka_partition]),
      [
        ['ma', 20, 6, 2],
        ['ma', 20, 8, 2],
        ['mb', 1, 7, 2],
        ['mb', 9, 5, 2],
      ],
    );
    const metadata = parquetMetadata(buffer);
    assert.equal(metadata.row_groups[0]?.columns[0]?.meta_data?.codec, 'ZSTD');
    const kv = Object.fromEntries((metadata.key_value_metadata ?? []).map((e) => [e.key, e.value]));
    assert.deepEqual([kv['hoot.first_offset'], kv['hoot.last_offset'], kv['hoot.records']], ['5', '8', '4']);
  });

  it('leaves out the rows of erased subscribers', async () => {
    const file = new OpenFile('d', 0, columns, dispatch(1, at, 'm', 1));
    file.add(dispatch(2, at, 'm', 2));
    file.add(dispatch(3, at, 'other', 1));
    const bytes = file.encode(new Set(['m\u00001']));
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const rows = await parquetReadObjects({
      file: buffer,
      compressors,
      columns: ['merchant', 'subscriber_id'],
    });
    assert.deepEqual(
      rows.map((r) => [r.merchant, Number(r.subscriber_id)]),
      [
        ['m', 2],
        ['other', 1],
      ],
    );
  });

  it('never archives a ping token, and stores epoch-millisecond fields as timestamps', () => {
    const names = archiveColumns(pingSchema).map((c) => c.name);
    assert.ok(!names.includes('token'));
    const types = Object.fromEntries(archiveColumns(dispatchSchema).map((c) => [c.name, c.type]));
    assert.equal(types.sent_at, 'TIMESTAMP');
    assert.equal(types.subscriber_id, 'INT64');
    assert.equal(types.status_code, 'INT32');
    assert.equal(types.kafka_timestamp, 'TIMESTAMP');
  });
});

describe('query output', () => {
  const result = {
    columns: ['a', 'b'],
    rows: [
      { a: 'x,y', b: null },
      { a: 'say "hi"', b: 2 },
    ],
  };
  it('prints CSV per RFC 4180', () => {
    assert.equal(formatCsv(result), 'a,b\r\n"x,y",\r\n"say ""hi""",2\r\n');
  });
  it('prints an aligned table with the row count', () => {
    assert.equal(
      formatTable(result),
      ['a        | b', '---------+--', 'x,y      |', 'say "hi" | 2', '(2 rows)'].join('\n'),
    );
  });
});
