import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { InputRecord } from '../../src/port/kafka-port.ts';
import { BulkLoadFinisher } from '../../src/restore/bulk-load-finisher.ts';
import { StoreRestoration } from '../../src/restore/store-restoration.ts';
import { stagingTableName } from '../../src/state/sqlite-bulk-load.ts';
import { SqliteBytesStore } from '../../src/state/sqlite-bytes-store.ts';
import { TaskStateManager } from '../../src/state/task-state-manager.ts';
import { encodeChangelogValue } from '../../src/wire/changelog-record.ts';

const dir = mkdtempSync(join(tmpdir(), 'hoot-bulk-load-'));
const finisher = new BulkLoadFinisher();
after(() => rmSync(dir, { recursive: true, force: true }));

/** A changelog of `n` records over `keys` keys: puts, overwrites, and a tombstone every 7th. */
function changelog(n: number, keys: number, seed: number): InputRecord[] {
  const records: InputRecord[] = [];
  let x = seed;
  for (let offset = 0; offset < n; offset++) {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    const key = Buffer.from(`k-${x % keys}`);
    const value = offset % 7 === 3 ? null : encodeChangelogValue(Buffer.from(`v-${offset}`), 1_000 + offset);
    records.push({ offset, key, value, timestamp: 0, headers: {} });
  }
  return records;
}

/** What replaying the changelog in order leaves: the last record per key, tombstones deleting. */
function replay(records: InputRecord[]): Map<string, string> {
  const expected = new Map<string, string>();
  for (const r of records) {
    const key = r.key!.toString();
    if (r.value === null) expected.delete(key);
    else expected.set(key, `${r.value.subarray(9).toString()}@${r.value.readBigInt64BE(1)}`);
  }
  return new Map([...expected].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function contents(store: SqliteBytesStore): Map<string, string> {
  const rows = new Map<string, string>();
  for (const [key, entry] of store.range(Buffer.alloc(0)))
    rows.set(key.toString(), `${entry.value.toString()}@${entry.timestamp}`);
  return rows;
}

function open(taskId: string, endOffset: number) {
  const state = new TaskStateManager(dir, taskId);
  const sqlite = new SqliteBytesStore(state.db, 'counts');
  const restoration = new StoreRestoration({
    store: 'counts',
    topic: 'changelog',
    partition: 0,
    endOffset,
    state,
    sqlite,
  });
  return { state, sqlite, restoration };
}

function stagingExists(state: TaskStateManager, sqlite: SqliteBytesStore): boolean {
  return (
    state.db.prepare('SELECT 1 FROM sqlite_schema WHERE name = ?').get(stagingTableName(sqlite.table)) !==
    undefined
  );
}

describe('restoring into an empty store (bulk load)', () => {
  const records = changelog(5_000, 700, 7);

  it('leaves the last record of every key, and no row for a key whose last record is a tombstone', async () => {
    const { state, sqlite, restoration } = open('bulk', records.length);
    restoration.start();
    for (let i = 0; i < records.length; i += 333)
      restoration.apply(records.slice(i, i + 333), Math.min(records.length, i + 333));
    assert.ok(stagingExists(state, sqlite), 'records are staged while the restore runs');
    assert.equal(sqlite.isEmpty(), true);
    await restoration.finish(finisher, true);
    assert.equal(stagingExists(state, sqlite), false);
    assert.deepEqual(contents(sqlite), replay(records));
    assert.equal(state.checkpoint('counts'), records.length);
    const index = state.db.prepare('SELECT 1 FROM sqlite_schema WHERE name = ?').get(`${sqlite.table}_ts`);
    assert.notEqual(index, undefined, 'the timestamp index is back');
    state.close();
  });

  it('is what restoring record by record into a store that is not empty gives', async () => {
    const { state, sqlite, restoration } = open('direct', records.length + 1);
    // One row in the store already: the restore puts records one by one.
    state.begin();
    sqlite.put(Buffer.from('k-0'), Buffer.from('old'), 1);
    state.setCheckpoint('counts', 0);
    state.commit();
    const all = [
      { offset: 0, key: Buffer.from('k-0'), value: null, timestamp: 0, headers: {} },
      ...records.map((r) => ({ ...r, offset: r.offset + 1 })),
    ];
    restoration.start();
    restoration.apply(all, all.length);
    assert.equal(stagingExists(state, sqlite), false, 'nothing is staged');
    await restoration.finish(finisher, true);
    assert.deepEqual(contents(sqlite), replay(all));
    state.close();
  });

  it('after a crash mid-restore, opening the store moves in what was staged up to the checkpoint', async () => {
    const first = open('crash', records.length);
    first.restoration.start();
    first.restoration.apply(records.slice(0, 2_000), 2_000);
    // A batch whose transaction fails is not staged.
    first.state.begin();
    assert.throws(() => first.restoration.apply([{ ...records[2_000]!, value: Buffer.from([9, 9]) }], 2_001));
    // kill -9: no finish(), the database is simply gone.
    first.state.db.close();

    const second = open('crash', records.length);
    assert.equal(stagingExists(second.state, second.sqlite), false);
    assert.equal(second.restoration.startOffset, 2_000);
    assert.deepEqual(contents(second.sqlite), replay(records.slice(0, 2_000)));
    // The rest restores record by record into the store that is no longer empty.
    second.restoration.start();
    second.restoration.apply(records.slice(2_000), records.length);
    await second.restoration.finish(finisher, true);
    assert.deepEqual(contents(second.sqlite), replay(records));
    second.state.close();
  });

  it('after a restore that failed, the store holds every record up to its checkpoint', async () => {
    const { state, sqlite, restoration } = open('failed', records.length);
    restoration.start();
    restoration.apply(records.slice(0, 1_000), 1_000);
    assert.throws(() => restoration.apply([{ ...records[1_000]!, value: Buffer.from([1]) }], 1_001), {
      name: 'ChangelogFormatError',
    });
    await restoration.finish(finisher, false);
    assert.equal(state.checkpoint('counts'), 1_000);
    assert.deepEqual(contents(sqlite), replay(records.slice(0, 1_000)));
    state.close();
  });

  it('a bulk load that cannot end rejects with the reason SQLite gives', async () => {
    await assert.rejects(finisher.end(join(dir, 'absent.sqlite'), 'store_x', 1024), {
      message: /ending the bulk load of store_x failed: .*(unable to open|does not exist)/,
    });
  });
});
