import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseEventTime } from '../../src/pings/event-time.ts';

const receivedAt = Date.parse('2026-11-22T10:00:00Z');
const base = { receivedAt, notBefore: Date.parse('2026-11-22T09:00:00Z'), maxSkewMs: 120_000 };

describe('ping event time', () => {
  it("takes the browser's time when it is plausible", () => {
    const clientTime = '2026-11-22T09:30:00.123Z';
    assert.deepEqual(chooseEventTime({ ...base, clientTime }), {
      epochMs: Date.parse(clientTime),
      source: 'client',
    });
    const slightlyAhead = '2026-11-22T10:01:59Z';
    assert.equal(chooseEventTime({ ...base, clientTime: slightlyAhead }).source, 'client');
  });

  it('takes the server time when the browser sent none, is too far ahead or claims a time before the token', () => {
    for (const clientTime of [undefined, '2026-11-22T10:02:01Z', '2026-11-22T08:59:59Z', 'garbage']) {
      assert.deepEqual(
        chooseEventTime({ ...base, clientTime }),
        { epochMs: receivedAt, source: 'server' },
        clientTime,
      );
    }
  });
});
