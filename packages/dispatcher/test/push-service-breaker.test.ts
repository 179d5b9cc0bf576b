import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPushServiceBreaker } from '@hoot/dispatcher';

const FCM_404 = { status: 404, reason: 'valid push subscription endpoint should be specified' };

function breakerAt(start = 1_000_000) {
  const clock = { now: start };
  const breaker = createPushServiceBreaker({
    windowMs: 60_000,
    minAnswers: 50,
    share: 0.9,
    pauseMs: 300_000,
    now: () => clock.now,
  });
  return { clock, breaker };
}

describe('push-service breaker', () => {
  it('trips on the 50th identical 404 when nearly every answer of the host is that 404, and pauses the host', () => {
    const { clock, breaker } = breakerAt();
    for (let i = 1; i < 50; i++) {
      assert.equal(breaker.record('fcm.googleapis.com', FCM_404), undefined, `answer ${i}`);
      clock.now += 10;
    }
    const incident = breaker.record('fcm.googleapis.com', FCM_404);
    assert.deepEqual(
      { ...incident, share: undefined },
      {
        host: 'fcm.googleapis.com',
        status: 404,
        reason: FCM_404.reason,
        answers: 50,
        share: undefined,
        pausedUntil: clock.now + 300_000,
      },
    );
    assert.equal(incident?.share, 1);
    assert.ok(breaker.isPaused('fcm.googleapis.com'));
    assert.deepEqual(breaker.pausedHosts(), ['fcm.googleapis.com']);
    assert.ok(!breaker.isPaused('updates.push.services.mozilla.com'), 'other hosts are not paused');
    // Every 404 answered since the first one is suspect; an older one is not.
    assert.ok(breaker.trippedSince('fcm.googleapis.com', 1_000_000));
    assert.ok(!breaker.trippedSince('fcm.googleapis.com', clock.now + 1));
  });

  it('never trips on a lone 410, on a small audience, or on ordinary churn among accepted pushes', () => {
    const { clock, breaker } = breakerAt();
    assert.equal(breaker.record('web.push.apple.com', { status: 410, reason: '' }), undefined);
    // 49 identical 404s and nothing else: below the minimum.
    for (let i = 0; i < 49; i++) assert.equal(breaker.record('small.example', FCM_404), undefined);
    // A stale list: 300 identical 410s among 600 answers in a minute (50 %), below the share.
    for (let i = 0; i < 600; i++) {
      clock.now += 100;
      const answer = i % 2 === 0 ? { status: 410, reason: 'expired' } : undefined;
      assert.equal(breaker.record('fcm.googleapis.com', answer), undefined, `answer ${i}`);
    }
    assert.deepEqual(breaker.pausedHosts(), []);
  });

  it('counts only identical answers: 404s with different reasons do not add up', () => {
    const { breaker } = breakerAt();
    for (let i = 0; i < 100; i++) {
      const answer = i % 2 === 0 ? FCM_404 : { status: 404, reason: 'other' };
      assert.equal(breaker.record('fcm.googleapis.com', answer), undefined);
    }
  });

  it('forgets answers older than the window', () => {
    const { clock, breaker } = breakerAt();
    for (let i = 0; i < 49; i++) breaker.record('fcm.googleapis.com', FCM_404);
    clock.now += 61_000;
    assert.equal(breaker.record('fcm.googleapis.com', FCM_404), undefined, 'the 49 are out of the window');
    for (let i = 0; i < 48; i++) breaker.record('fcm.googleapis.com', FCM_404);
    assert.ok(breaker.record('fcm.googleapis.com', FCM_404), 'fifty within one window trip');
  });

  it('ignores answers while paused and needs fresh evidence after the pause', () => {
    const { clock, breaker } = breakerAt();
    for (let i = 0; i < 50; i++) breaker.record('fcm.googleapis.com', FCM_404);
    for (let i = 0; i < 100; i++) assert.equal(breaker.record('fcm.googleapis.com', FCM_404), undefined);
    clock.now += 300_000;
    assert.ok(!breaker.isPaused('fcm.googleapis.com'));
    for (let i = 0; i < 49; i++) assert.equal(breaker.record('fcm.googleapis.com', FCM_404), undefined);
    assert.ok(breaker.record('fcm.googleapis.com', FCM_404));
  });
});

describe('push-service breaker after an incident', () => {
  it('puts the window after the pause on probation: a 404 then expires nobody', () => {
    const { clock, breaker } = breakerAt();
    assert.ok(!breaker.onProbation('fcm.googleapis.com', clock.now), 'no incident, no probation');
    for (let i = 0; i < 50; i++) breaker.record('fcm.googleapis.com', FCM_404);
    const resumed = clock.now + 300_000;
    assert.ok(
      !breaker.onProbation('fcm.googleapis.com', resumed - 1),
      'while paused: deferred, not probation',
    );
    assert.ok(breaker.onProbation('fcm.googleapis.com', resumed));
    assert.ok(breaker.onProbation('fcm.googleapis.com', resumed + 59_999));
    assert.ok(!breaker.onProbation('fcm.googleapis.com', resumed + 60_000));
  });
});

describe('push-service breaker on one batch', () => {
  it("trips on a batch's own answers when other traffic dilutes the window", () => {
    const { breaker } = breakerAt();
    for (let i = 0; i < 20; i++) breaker.record('fcm.googleapis.com');
    for (let i = 0; i < 50; i++) assert.equal(breaker.record('fcm.googleapis.com', FCM_404), undefined);
    assert.equal(breaker.judgeBatch('fcm.googleapis.com', FCM_404, 49, 50), undefined, 'too few');
    assert.equal(breaker.judgeBatch('fcm.googleapis.com', FCM_404, 50, 60), undefined, 'too small a share');
    assert.equal(breaker.judgeBatch('fcm.googleapis.com', FCM_404, 50, 50)?.answers, 50);
    assert.ok(breaker.isPaused('fcm.googleapis.com'));
  });
});
