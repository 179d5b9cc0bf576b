import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { murmur2, partitionForKey, toPositive } from '../src/index.ts';

// Each hash printed by org.apache.kafka.common.utils.Utils#murmur2 (kafka-clients 3.9.1) for the
// UTF-8 bytes of the key, with the partition Java's default partitioner picks out of 6 and 12.
const javaVectors: Array<[key: string, hash: number, of6: number, of12: number]> = [
  ['', 275646681, 3, 9],
  ['a', -1563381124, 4, 4],
  ['ab', 316155434, 2, 2],
  ['abc', 479470107, 3, 3],
  ['21', -973932308, 0, 0],
  ['foobar', -790332482, 0, 6],
  ['a-little-bit-long-string', -985981536, 2, 8],
  ['a-little-bit-longer-string', -1486304829, 5, 11],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971, 5, 5],
  ['shop-1.myshopify.com/campaign/42', -865936929, 5, 11],
  ['ünïcödé/campaign/7', -1770354208, 4, 4],
];

describe('murmur2', () => {
  for (const [key, hash, of6, of12] of javaVectors) {
    it(`hashes ${JSON.stringify(key)} as Java does`, () => {
      assert.equal(murmur2(Buffer.from(key, 'utf8')), hash);
      assert.equal(partitionForKey(key, 6), of6);
      assert.equal(partitionForKey(Buffer.from(key, 'utf8'), 12), of12);
    });
  }

  it('hashes all 256 byte values, high bit set included, as Java does', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    assert.equal(murmur2(bytes), -1948347274);
  });

  it('clears the sign bit rather than taking the absolute value', () => {
    assert.equal(toPositive(-2147483648), 0);
    assert.equal(toPositive(-1), 2147483647);
    assert.equal(toPositive(5), 5);
  });
});
