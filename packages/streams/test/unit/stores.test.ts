import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import {
  buildKeyValueStore,
  buildWindowStore,
  type ChangelogWriter,
  decodeChangelogValue,
  jsonSerde,
  stringSerde,
  TaskStateManager,
} from '../../src/index.ts';
import { PAGE_SIZE } from '../../src/state/task-state-manager.ts';

const dir = mkdtempSync(join(tmpdir(), 'hoot-stores-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function recordingChangelog() {
  const records: Array<{ key: string; value: Buffer | null }> = [];
  const writer: ChangelogWriter = {
    write: (key, value) => records.push({ key: key.toString('latin1'), value }),
  };
  return { records, writer };
}

describe('state store stack', () => {
  it('caches writes until flush, then writes SQLite and the changelog once per key', () => {
    const state = new TaskStateManager(dir, 'kv');
    state.begin();
    const log = recordingChangelog();
    const { typed, cache } = buildKeyValueStore({
      db: state.db,
      name: 'counts',
      keys: stringSerde,
      values: jsonSerde<number>(),
      changelog: log.writer,
      cacheMaxEntries: 100,
    });
    for (let i = 1; i <= 50; i++) typed.put('a', i, 1000 + i);
    typed.put('b', 7, 1);
    assert.equal(typed.get('a'), 50, 'reads see the cached value');
    assert.equal(typed.approximateCount(), 0, 'nothing reached SQLite yet');
    assert.equal(log.records.length, 0);

    const flushed: string[] = [];
    cache.setFlushListener((key) => flushed.push(key.toString()));
    cache.flush();
    assert.deepEqual(flushed.sort(), ['a', 'b']);
    assert.equal(typed.approximateCount(), 2);
    assert.equal(log.records.length, 2);
    const a = decodeChangelogValue(log.records.find((r) => r.key === 'a')!.value)!;
    assert.deepEqual(JSON.parse(a.value.toString()), 50);
    assert.equal(a.timestamp, 1050);

    typed.delete('b');
    cache.flush();
    assert.equal(typed.get('b'), undefined);
    assert.equal(log.records.at(-1)!.value, null, 'a delete is a tombstone');
    state.close();
  });

  it('reads and writes keys right when the same key comes back, alternates or is an object changed in place', () => {
    const state = new TaskStateManager(dir, 'memo');
    state.begin();
    const log = recordingChangelog();
    const options = {
      db: state.db,
      values: jsonSerde<number>(),
      changelog: log.writer,
      cacheMaxEntries: 1_000,
    };
    const kv = buildKeyValueStore({ ...options, name: 'memo-kv', keys: stringSerde }).typed;
    // get then put of one key, then another key, then the first again: each its own entry.
    for (const key of ['a', 'a', 'b', 'a', 'b', 'b', 'c']) kv.put(key, (kv.get(key) ?? 0) + 1, 1);
    assert.deepEqual(
      ['a', 'b', 'c', 'd'].map((key) => kv.get(key)),
      [3, 3, 1, undefined],
    );
    // Object keys are serialized each time: one changed in place is a different key.
    const objects = buildKeyValueStore({
      ...options,
      name: 'memo-objects',
      keys: jsonSerde<{ id: number }>(),
    }).typed;
    const key = { id: 1 };
    objects.put(key, 10, 1);
    key.id = 2;
    objects.put(key, 20, 1);
    assert.equal(objects.get({ id: 1 }), 10);
    assert.equal(objects.get({ id: 2 }), 20);
    // Windows: same key in two windows, then back to the first.
    const windows = buildWindowStore({ ...options, name: 'memo-windows', keys: stringSerde });
    for (const [key, start] of [
      ['k', 0],
      ['k', 0],
      ['k', 3_600_000],
      ['j', 0],
      ['k', 0],
    ] as const) {
      windows.typed.put(key, start, (windows.typed.get(key, start) ?? 0) + 1);
    }
    windows.cache.flush();
    assert.deepEqual(
      [...windows.typed.fetch('k')],
      [
        [0, 3],
        [3_600_000, 1],
      ],
    );
    assert.deepEqual([...windows.typed.fetch('j')], [[0, 1]]);
    state.close();
  });

  it('rolls back to the last commit: SQLite data and checkpoints together', () => {
    const state = new TaskStateManager(dir, 'rollback');
    state.begin();
    const { typed, cache } = buildKeyValueStore({
      db: state.db,
      name: 's',
      keys: stringSerde,
      values: jsonSerde<string>(),
      changelog: { write() {} },
      cacheMaxEntries: 10,
    });
    typed.put('kept', 'v1', 0);
    cache.flush();
    state.setCheckpoint('s', 10);
    state.commit();
    state.begin();
    typed.put('lost', 'v2', 0);
    cache.flush();
    state.setCheckpoint('s', 20);
    state.rollback();
    assert.equal(typed.get('kept'), 'v1');
    assert.equal(typed.get('lost'), undefined);
    assert.equal(state.checkpoint('s'), 10);
    state.close();

    const reopened = new TaskStateManager(dir, 'rollback');
    assert.equal(reopened.checkpoint('s'), 10, 'the committed checkpoint is durable');
    reopened.close();
  });

  it('expires windows past retention and tombstones them in the changelog', () => {
    const state = new TaskStateManager(dir, 'win');
    state.begin();
    const log = recordingChangelog();
    const { typed } = buildWindowStore({
      db: state.db,
      name: 'hourly',
      keys: stringSerde,
      values: jsonSerde<number>(),
      changelog: log.writer,
      cacheMaxEntries: 1000,
    });
    for (let hour = 0; hour < 10; hour++) typed.put('c1', hour * 3_600_000, hour);
    typed.put('c2', 0, 99);
    assert.deepEqual(
      [...typed.fetch('c1')].map(([start]) => start / 3_600_000),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    const expired = typed.expire(5 * 3_600_000);
    assert.equal(expired, 6, 'hours 0-4 of c1 and hour 0 of c2');
    assert.deepEqual(
      [...typed.fetch('c1')].map(([start]) => start / 3_600_000),
      [5, 6, 7, 8, 9],
    );
    assert.equal(log.records.filter((r) => r.value === null).length, 6);
    assert.equal(typed.get('c2', 0), undefined);
    state.close();
  });

  it('wipes a task directory', () => {
    const state = new TaskStateManager(dir, 'wiped');
    state.setCheckpoint('s', 5);
    state.close();
    TaskStateManager.wipe(dir, 'wiped');
    const fresh = new TaskStateManager(dir, 'wiped');
    assert.equal(fresh.checkpoint('s'), 0);
    fresh.close();
  });

  it('makes new databases with its page size, and opens one made with another as it is', () => {
    const fresh = new TaskStateManager(dir, 'pages-new');
    assert.equal(fresh.db.pragma('page_size', { simple: true }), PAGE_SIZE);
    fresh.close();
    const older = new Database(join(dir, 'task-pages-old.sqlite'));
    older.pragma('page_size = 4096');
    older.pragma('journal_mode = WAL');
    older.exec(
      'CREATE TABLE hoot_checkpoints (store TEXT PRIMARY KEY NOT NULL, next_offset INTEGER NOT NULL)',
    );
    older.prepare('INSERT INTO hoot_checkpoints VALUES (?, ?)').run('s', 7);
    older.close();
    const reopened = new TaskStateManager(dir, 'pages-old');
    assert.equal(reopened.db.pragma('page_size', { simple: true }), 4096);
    assert.equal(reopened.checkpoint('s'), 7);
    reopened.close();
  });
});
