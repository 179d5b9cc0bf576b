import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AudienceBehaviour, delayWithin, drawReaction, integerWithin } from '@hoot/simulator';
import { seededRandom } from './seeded-random.ts';

const behaviour: AudienceBehaviour = {
  deliveryShare: 0.9,
  clickShare: 0.05,
  orderShare: 0.2,
  deliveryDelay: { minMs: 200, maxMs: 20_000 },
  clickDelay: { minMs: 2000, maxMs: 60_000 },
  orderDelay: { minMs: 5000, maxMs: 90_000 },
  orderTotalMinor: { min: 1500, max: 15_000 },
};

describe('audience reactions', () => {
  it('draws delays inside their range, most of them in its first half', () => {
    const random = seededRandom(1);
    const range = { minMs: 200, maxMs: 20_000 };
    const delays = Array.from({ length: 10_000 }, () => delayWithin(range, random));
    assert.ok(delays.every((d) => d >= 200 && d <= 20_000 && Number.isInteger(d)));
    const firstHalf = delays.filter((d) => d < 10_100).length / delays.length;
    // The square of a uniform draw is below 1/2 with probability 1/sqrt(2) ≈ 0.707.
    assert.ok(Math.abs(firstHalf - Math.SQRT1_2) < 0.02, `share in first half ${firstHalf}`);
    assert.equal(delayWithin({ minMs: 5, maxMs: 5 }, random), 5);
    assert.equal(
      delayWithin(range, () => 0),
      200,
    );
    assert.equal(
      delayWithin(range, () => 0.999_999_999),
      20_000,
    );
  });

  it('draws order totals as integers within both ends', () => {
    const random = seededRandom(2);
    const totals = Array.from({ length: 5000 }, () => integerWithin(1500, 1502, random));
    assert.deepEqual([...new Set(totals)].sort(), [1500, 1501, 1502]);
  });

  it('shows, clicks and orders in the configured shares, each a share of the step before', () => {
    const random = seededRandom(3);
    const n = 200_000;
    let deliveries = 0;
    let clicks = 0;
    let orders = 0;
    for (let i = 0; i < n; i++) {
      const reaction = drawReaction(behaviour, random);
      if (reaction.clickAfterMs !== undefined) assert.notEqual(reaction.deliveryAfterMs, undefined);
      if (reaction.order !== undefined) assert.notEqual(reaction.clickAfterMs, undefined);
      if (reaction.deliveryAfterMs !== undefined) deliveries++;
      if (reaction.clickAfterMs !== undefined) {
        clicks++;
        assert.ok(reaction.clickAfterMs >= 2000 && reaction.clickAfterMs <= 60_000);
      }
      if (reaction.order !== undefined) {
        orders++;
        assert.ok(reaction.order.totalMinor >= 1500 && reaction.order.totalMinor <= 15_000);
        assert.ok(reaction.order.afterMs >= 5000 && reaction.order.afterMs <= 90_000);
      }
    }
    assert.ok(Math.abs(deliveries / n - 0.9) < 0.005, `delivery share ${deliveries / n}`);
    assert.ok(Math.abs(clicks / deliveries - 0.05) < 0.003, `click share ${clicks / deliveries}`);
    assert.ok(Math.abs(orders / clicks - 0.2) < 0.02, `order share ${orders / clicks}`);
  });

  it('never reacts with shares of 0, and always with shares of 1', () => {
    const random = seededRandom(4);
    const none = { ...behaviour, deliveryShare: 0 };
    const all = { ...behaviour, deliveryShare: 1, clickShare: 1, orderShare: 1 };
    for (let i = 0; i < 1000; i++) {
      assert.equal(drawReaction(none, random).deliveryAfterMs, undefined);
      const reaction = drawReaction(all, random);
      assert.notEqual(reaction.deliveryAfterMs, undefined);
      assert.notEqual(reaction.clickAfterMs, undefined);
      assert.notEqual(reaction.order, undefined);
    }
  });
});
