import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeFrame, encodeFrame, FrameError } from '../src/index.ts';

describe('Confluent wire frame', () => {
  it('writes magic byte 0 and the schema id big-endian before the body', () => {
    const framed = encodeFrame(0x01020304, Buffer.from([0xaa, 0xbb]));
    assert.deepEqual([...framed], [0x00, 0x01, 0x02, 0x03, 0x04, 0xaa, 0xbb]);
  });

  it('reads back the schema id and the body', () => {
    const frame = decodeFrame(Buffer.from([0, 0, 0, 0, 4, 1, 2, 3]));
    assert.equal(frame.schemaId, 4);
    assert.deepEqual([...frame.body], [1, 2, 3]);
  });

  it('refuses a wrong magic byte with a typed error', () => {
    assert.throws(
      () => decodeFrame(Buffer.from([1, 0, 0, 0, 4, 1]), { topic: 't', partition: 2, offset: '9' }),
      (error: unknown) =>
        error instanceof FrameError &&
        error.code === 'BAD_MAGIC_BYTE' &&
        error.retriable === false &&
        error.context.offset === '9',
    );
  });

  it('refuses a message shorter than the header, an empty one and a null one', () => {
    for (const message of [Buffer.from([0, 0, 0]), Buffer.alloc(0), null]) {
      assert.throws(() => decodeFrame(message), { name: 'FrameError', code: 'FRAME_TOO_SHORT' });
    }
  });
});
