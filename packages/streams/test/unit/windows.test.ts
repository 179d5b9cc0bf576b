import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  describeWindows,
  isWindowClosed,
  retentionCutoff,
  tumblingWindows,
  windowFor,
} from '../../src/index.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('tumbling windows', () => {
  const hourly = tumblingWindows({ sizeMs: HOUR, graceMs: 28 * DAY });

  it('aligns hourly windows to UTC hours', () => {
    const t = Date.UTC(2026, 10, 21, 10, 59, 59, 999);
    assert.deepEqual(windowFor(hourly, t), {
      start: Date.UTC(2026, 10, 21, 10),
      end: Date.UTC(2026, 10, 21, 11),
    });
    assert.equal(windowFor(hourly, Date.UTC(2026, 10, 21, 11)).start, Date.UTC(2026, 10, 21, 11));
  });

  it('handles timestamps before the epoch', () => {
    assert.deepEqual(windowFor(hourly, -1), { start: -HOUR, end: 0 });
  });

  it('closes a window once stream time passes its end plus grace', () => {
    const w = windowFor(tumblingWindows({ sizeMs: HOUR, graceMs: 10 * 60_000 }), 0);
    const windows = tumblingWindows({ sizeMs: HOUR, graceMs: 10 * 60_000 });
    assert.equal(isWindowClosed(windows, w, HOUR + 10 * 60_000 - 1), false);
    assert.equal(isWindowClosed(windows, w, HOUR + 10 * 60_000), true);
  });

  it('defaults retention to size plus grace and refuses less', () => {
    assert.equal(hourly.retentionMs, HOUR + 28 * DAY);
    assert.equal(retentionCutoff(hourly, 100 * DAY), 100 * DAY - HOUR - 28 * DAY);
    assert.throws(() => tumblingWindows({ sizeMs: HOUR, graceMs: HOUR, retentionMs: HOUR }), /retention/);
    assert.throws(() => tumblingWindows({ sizeMs: 0 }), /size/);
    assert.throws(() => tumblingWindows({ sizeMs: HOUR, graceMs: -1 }), /grace/);
  });

  it('names a definition so that a change of size or grace names another store', () => {
    assert.equal(describeWindows(hourly), `tumbling-${HOUR}-${28 * DAY}`);
    assert.notEqual(
      describeWindows(hourly),
      describeWindows(tumblingWindows({ sizeMs: HOUR, graceMs: DAY })),
    );
  });
});
