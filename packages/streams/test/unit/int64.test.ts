import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readInt64BE, readOrderedInt64BE, writeInt64BE, writeOrderedInt64BE } from '../../src/wire/int64.ts';

const values = [
  0,
  1,
  -1,
  255,
  -256,
  2 ** 31,
  -(2 ** 31),
  2 ** 32,
  -(2 ** 32) - 1,
  1_795_000_000_123,
  -3_600_000,
  2 ** 53 - 1,
  -(2 ** 53 - 1),
];

describe('int64 without BigInt', () => {
  it('writes the same bytes as writeBigInt64BE and reads them back', () => {
    for (const v of values) {
      const ours = Buffer.alloc(8);
      const reference = Buffer.alloc(8);
      writeInt64BE(ours, v, 0);
      reference.writeBigInt64BE(BigInt(v));
      assert.equal(ours.toString('hex'), reference.toString('hex'), String(v));
      assert.equal(readInt64BE(ours, 0), v);
    }
  });

  it('orders values as unsigned bytes when the sign bit is flipped', () => {
    const encoded = values.map((v) => {
      const b = Buffer.alloc(8);
      writeOrderedInt64BE(b, v, 0);
      assert.equal(readOrderedInt64BE(b, 0), v);
      return { v, b };
    });
    const byBytes = [...encoded].sort((x, y) => Buffer.compare(x.b, y.b)).map((e) => e.v);
    assert.deepEqual(
      byBytes,
      [...values].sort((a, b) => a - b),
    );
  });
});
