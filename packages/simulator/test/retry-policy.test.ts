import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRetriableStatus, retryDelayMs } from '@hoot/simulator';

describe('retry policy of the simulated service worker', () => {
  it('retries 429 and 5xx, and takes any other answer as final', () => {
    for (const status of [429, 500, 502, 503, 504])
      assert.equal(isRetriableStatus(status), true, String(status));
    for (const status of [200, 202, 400, 401, 403, 404, 409, 413, 415]) {
      assert.equal(isRetriableStatus(status), false, String(status));
    }
  });

  it('waits 1 s, 2 s, then 4 s at most, times a jitter of 0.5 to 1.5', () => {
    const middle = () => 0.5;
    assert.deepEqual(
      [1, 2, 3, 4, 10].map((n) => retryDelayMs(n, middle)),
      [1000, 2000, 4000, 4000, 4000],
    );
    assert.equal(
      retryDelayMs(1, () => 0),
      500,
    );
    assert.equal(
      retryDelayMs(3, () => 0.999),
      4000 * 1.499,
    );
  });
});
