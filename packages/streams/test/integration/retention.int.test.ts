import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { decodeWindowKey } from '../../src/index.ts';
import { createTopics, groupLag, produce, readAll, sleep } from './harness/kafka.ts';
import { checkpointedDatabaseBytes, dumpState } from './harness/state-dump.ts';
import { TestApplication } from './harness/test-application.ts';

const SIZE = 1000;
const RETENTION = 3000;

describe('windows past retention', () => {
  const t = new TestApplication('it-retain');
  const { id: app, input, output } = t;
  const dir = t.newDir();
  after(() => t.cleanup());

  it('are deleted from SQLite and tombstoned in the changelog, so state stops growing; late records go to the processing log', async () => {
    await createTopics([
      { topic: input, partitions: 1 },
      { topic: output, partitions: 1 },
    ]);
    const processor = t.startCountingApp(dir, {
      WINDOW_MS: String(SIZE),
      GRACE_MS: '0',
      RETENTION_MS: String(RETENTION),
      DISTINCT_HORIZON_MS: String(RETENTION),
    });
    await processor.waitForLog((l) => l.msg === 'counting app started');

    const base = Date.UTC(2026, 10, 1);
    const rounds = 40;
    const perRound = 1500;
    const sizes: number[] = [];
    const rows: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const messages = Array.from({ length: perRound }, (_, i) => ({
        key: `g${i % 20}`,
        value: JSON.stringify({
          id: `r${round}-${i}`,
          group: `g${i % 20}`,
          ts: base + round * SIZE + (i % SIZE),
        }),
      }));
      await produce(input, messages);
      while ((await groupLag(app, input)) > 0) await sleep(100);
      await sleep(300);
      sizes.push(checkpointedDatabaseBytes(join(dir, 'task-0.sqlite')));
      rows.push(dumpState(dir).get('task-0.sqlite')!.length);
    }
    // Rows held: the last few windows and the ids seen within the horizon, never the whole history.
    const perWindowRows = perRound + 20;
    assert.ok(rows.at(-1)! < 6 * perWindowRows, `rows held at the end: ${rows.at(-1)}`);
    assert.ok(
      rows.at(-1)! <= rows[10]! * 1.2,
      `rows stopped growing: ${rows[10]} at round 10, ${rows.at(-1)} at the end`,
    );
    assert.ok(
      sizes.at(-1)! <= sizes[20]! * 1.1,
      `file stopped growing: ${sizes[20]} bytes at round 20, ${sizes.at(-1)} at the end`,
    );

    // Every window that started before the last retention cutoff ends as a tombstone.
    const streamTime = base + (rounds - 1) * SIZE + SIZE - 1;
    const cutoff = streamTime - RETENTION;
    const changelog = await readAll(`${app}-counts-tumbling-${SIZE}-0-changelog`);
    const latest = new Map<string, Buffer | null>();
    const keyBytes = new Map<string, Buffer>();
    for (const r of changelog) {
      if (r.keyBytes === null) continue;
      const id = r.keyBytes.toString('hex');
      latest.set(id, r.value);
      keyBytes.set(id, r.keyBytes);
    }
    let expired = 0;
    let tombstones = 0;
    for (const [key, value] of latest) {
      const { windowStart } = decodeWindowKey(keyBytes.get(key)!);
      if (windowStart < cutoff - SIZE) {
        expired++;
        if (value === null) tombstones++;
      }
    }
    assert.ok(expired >= 20 * (rounds - 6), `windows past retention: ${expired}`);
    assert.equal(tombstones, expired, 'each expired window is tombstoned');

    // A record for a window long closed is dropped, counted, and kept in the processing log.
    await produce(input, [{ key: 'g0', value: JSON.stringify({ id: 'late-1', group: 'g0', ts: base }) }]);
    const deadline = Date.now() + 30_000;
    let logged: Awaited<ReturnType<typeof readAll>> = [];
    while (Date.now() < deadline && logged.length === 0) {
      logged = (await readAll(`${app}-processing-log`)).filter((r) => r.value?.toString().includes('late-1'));
      if (logged.length === 0) await sleep(300);
    }
    assert.equal(logged.length, 1);
    assert.equal(logged[0]!.headers['hoot.log.reason'], 'late');
    assert.equal(logged[0]!.headers['hoot.source.topic'], input);
  });
});
