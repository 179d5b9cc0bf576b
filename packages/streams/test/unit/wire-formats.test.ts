import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ChangelogFormatError,
  decodeChangelogValue,
  decodeWindowKey,
  encodeChangelogValue,
  encodeWindowKey,
  windowKeyRange,
} from '../../src/index.ts';

describe('changelog record value', () => {
  it('is version 1, the timestamp as int64 big-endian, then the value bytes', () => {
    const encoded = encodeChangelogValue(Buffer.from('ab'), 0x0102030405);
    assert.equal(encoded.toString('hex'), '01' + '0000000102030405' + '6162');
    assert.deepEqual(decodeChangelogValue(encoded), { timestamp: 0x0102030405, value: Buffer.from('ab') });
  });

  it('reads null as a tombstone and negative timestamps as written', () => {
    assert.equal(decodeChangelogValue(null), null);
    assert.equal(decodeChangelogValue(encodeChangelogValue(Buffer.alloc(0), -5))!.timestamp, -5);
  });

  it('refuses short values and unknown versions', () => {
    assert.throws(() => decodeChangelogValue(Buffer.from([1, 0, 0])), ChangelogFormatError);
    assert.throws(() => decodeChangelogValue(Buffer.from('020000000000000000', 'hex')), /version 2/);
  });
});

describe('window store key', () => {
  it('is the key length, the key and the window start with its sign bit flipped', () => {
    assert.equal(
      encodeWindowKey(Buffer.from('k'), 1).toString('hex'),
      '00000001' + '6b' + '8000000000000001',
    );
    assert.deepEqual(decodeWindowKey(encodeWindowKey(Buffer.from('key'), -3600000)), {
      key: Buffer.from('key'),
      windowStart: -3600000,
    });
  });

  it('sorts windows of a key by start, and keeps them inside the key range', () => {
    const key = Buffer.from('campaign/1');
    const starts = [-7_200_000, -1, 0, 3_600_000, 1_795_000_000_000];
    const encoded = starts.map((s) => encodeWindowKey(key, s));
    const sorted = [...encoded].sort(Buffer.compare);
    assert.deepEqual(
      sorted.map((e) => decodeWindowKey(e).windowStart),
      starts,
    );
    const [from, to] = windowKeyRange(key);
    for (const e of encoded) assert.ok(Buffer.compare(from, e) <= 0 && Buffer.compare(e, to) < 0);
    const other = encodeWindowKey(Buffer.from('campaign/10'), 0);
    assert.ok(Buffer.compare(other, from) < 0 || Buffer.compare(other, to) >= 0, 'a longer key is outside');
  });
});
