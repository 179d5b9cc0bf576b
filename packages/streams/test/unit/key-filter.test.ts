import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BulkLoadFinisher } from '../../src/restore/bulk-load-finisher.ts';
import { StoreRestoration } from '../../src/restore/store-restoration.ts';
import { BloomFilter } from '../../src/state/bloom-filter.ts';
import { SqliteBytesStore } from '../../src/state/sqlite-bytes-store.ts';
import { TaskStateManager } from '../../src/state/task-state-manager.ts';
import { encodeChangelogValue } from '../../src/wire/changelog-record.ts';

const dir = mkdtempSync(join(tmpdir(), 'hoot-key-filter-'));
const finisher = new BulkLoadFinisher();
after(() => rmSync(dir, { recursive: true, force: true }));

/** Keys shaped like a distinct step's: group, unit separator, id. */
const key = (j: number) => Buffer.from(`shop-${j % 500}.example/campaign/${j % 37}\u001fn-${j}`);

describe('Bloom filter', () => {
  it('finds every key added, and about 0.8% of keys never added at capacity', () => {
    const n = 100_000;
    const filter = new BloomFilter(n);
    for (let j = 0; j < n; j++) filter.add(key(j));
    for (let j = 0; j < n; j++) assert.equal(filter.mightContain(key(j)), true, `key ${j} was added`);
    let falsePositives = 0;
    for (let j = n; j < 2 * n; j++) if (filter.mightContain(key(j))) falsePositives++;
    assert.ok(falsePositives > 0 && falsePositives < 0.015 * n, `${falsePositives} false positives`);
    // A key the filter might hold already is not counted again.
    assert.ok(filter.added > 0.98 * n && filter.added <= n, `${filter.added} counted`);
  });

  it('grows by layers twice as large, up to its last, then refuses keys it does not hold', () => {
    const filter = new BloomFilter(1_000, 3);
    let j = 0;
    while (filter.add(key(j))) j++;
    // 1,000 + 2,000 + 4,000 keys, less those counted as held already.
    assert.ok(j >= 7_000 && j < 7_200, `${j} keys taken`);
    assert.equal(filter.layers, 3);
    for (let i = 0; i < j; i++) assert.equal(filter.mightContain(key(i)), true, `key ${i} was added`);
    let falsePositives = 0;
    for (let i = 100_000; i < 110_000; i++) if (filter.mightContain(key(i))) falsePositives++;
    assert.ok(falsePositives < 0.04 * 10_000, `${falsePositives} false positives in 10,000`);
  });

  it('finds nothing while empty, and tells keys differing in one byte apart', () => {
    const filter = new BloomFilter(1_000);
    assert.equal(filter.mightContain(Buffer.alloc(0)), false);
    filter.add(Buffer.from('abc'));
    assert.equal(filter.mightContain(Buffer.from('abc')), true);
    let collisions = 0;
    for (let b = 0; b < 256; b++)
      if (b !== 0x63 && filter.mightContain(Buffer.from([0x61, 0x62, b]))) collisions++;
    assert.ok(collisions <= 3, `${collisions} of 255 one-byte neighbours pass`);
  });
});

describe('a SQLite store with a key filter', () => {
  function open(taskId: string) {
    const state = new TaskStateManager(dir, taskId);
    const sqlite = new SqliteBytesStore(state.db, 'seen');
    return { state, sqlite };
  }

  it('finds keys written before its first get, after it, and past the size it was built for', () => {
    const { state, sqlite } = open('grow');
    state.begin();
    for (let j = 0; j < 1_000; j++) sqlite.put(key(j), Buffer.from([1]), j);
    // The first get builds the filter from the table.
    assert.equal(sqlite.get(key(5))?.timestamp, 5);
    assert.equal(sqlite.get(key(1_000_000)), undefined);
    // More keys than the filter was built for: it is built again, and still finds all of them.
    for (let j = 1_000; j < 150_000; j++) {
      sqlite.put(key(j), Buffer.from([1]), j);
      if (j % 10_000 === 0) assert.equal(sqlite.get(key(j - 1))?.timestamp, j - 1);
    }
    for (let j = 0; j < 150_000; j++) assert.equal(sqlite.get(key(j))?.timestamp, j, `key ${j}`);
    for (let j = 150_000; j < 160_000; j++) assert.equal(sqlite.get(key(j)), undefined);
    state.commit();
    state.close();
  });

  it('answers SQLite for keys deleted or rolled back, which the filter still holds', () => {
    const { state, sqlite } = open('undo');
    state.begin();
    sqlite.put(key(1), Buffer.from([1]), 1);
    state.commit();
    assert.ok(sqlite.get(key(1)));
    state.begin();
    sqlite.put(key(2), Buffer.from([1]), 2);
    assert.ok(sqlite.get(key(2)));
    state.rollback();
    assert.equal(sqlite.get(key(2)), undefined);
    state.begin();
    sqlite.delete(key(1));
    assert.equal(sqlite.get(key(1)), undefined);
    state.commit();
    state.close();
  });

  it('finds what a bulk load moved in from another connection', async () => {
    const { state, sqlite } = open('bulk');
    // A get before the restore builds a filter of the empty table.
    assert.equal(sqlite.get(key(7)), undefined);
    const records = Array.from({ length: 2_000 }, (_, j) => ({
      offset: j,
      key: key(j),
      value: encodeChangelogValue(Buffer.from([1]), j),
      timestamp: 0,
      headers: {},
    }));
    const restoration = new StoreRestoration({
      store: 'seen',
      topic: 'changelog',
      partition: 0,
      endOffset: records.length,
      state,
      sqlite,
    });
    restoration.start();
    restoration.apply(records, records.length);
    await restoration.finish(finisher, true);
    for (let j = 0; j < records.length; j++) assert.equal(sqlite.get(key(j))?.timestamp, j, `key ${j}`);
    state.close();
  });
});
