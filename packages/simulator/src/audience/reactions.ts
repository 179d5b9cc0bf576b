/** A range of delays in milliseconds, both ends included. */
export interface DelayRange {
  minMs: number;
  maxMs: number;
}

/** How a simulated audience behaves, as shares (0 to 1) and delays. */
export interface AudienceBehaviour {
  /** Share of pushes whose browser is online and shows the notification (a delivery ping). */
  deliveryShare: number;
  /** Share of shown notifications that are clicked. */
  clickShare: number;
  /** Share of clicks followed by an order. */
  orderShare: number;
  /** From the push reaching the push service to the delivery ping. */
  deliveryDelay: DelayRange;
  /** From the delivery to the click. */
  clickDelay: DelayRange;
  /** From the click to the order. */
  orderDelay: DelayRange;
  /** Order totals in minor units, both ends included. */
  orderTotalMinor: { min: number; max: number };
}

/** What one browser will do with one notification; each delay counts from the step before. */
export interface Reaction {
  /** Undefined: never shown (the browser stays offline), so no ping at all. */
  deliveryAfterMs: number | undefined;
  /** Undefined: not clicked. */
  clickAfterMs: number | undefined;
  /** Undefined: no order. */
  order: { afterMs: number; totalMinor: number } | undefined;
}

/**
 * A delay in the range, skewed towards its start (the square of a uniform draw): most browsers
 * show a push at once and most clicks come soon after, with a long tail, as real audiences do.
 */
export function delayWithin(range: DelayRange, random: () => number): number {
  const u = random();
  return Math.round(range.minMs + (range.maxMs - range.minMs) * u * u);
}

/** An integer in [min, max], uniformly. */
export function integerWithin(min: number, max: number, random: () => number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/**
 * Draws one browser's reaction to a notification: shown with `deliveryShare`, then clicked with
 * `clickShare`, then an order with `orderShare`; each step only follows the one before, so
 * clicks are a share of impressions and orders a share of clicks. `random` returns values in [0, 1).
 */
export function drawReaction(behaviour: AudienceBehaviour, random: () => number): Reaction {
  const none: Reaction = { deliveryAfterMs: undefined, clickAfterMs: undefined, order: undefined };
  if (random() >= behaviour.deliveryShare) return none;
  const deliveryAfterMs = delayWithin(behaviour.deliveryDelay, random);
  if (random() >= behaviour.clickShare) return { ...none, deliveryAfterMs };
  const clickAfterMs = delayWithin(behaviour.clickDelay, random);
  if (random() >= behaviour.orderShare) return { ...none, deliveryAfterMs, clickAfterMs };
  return {
    deliveryAfterMs,
    clickAfterMs,
    order: {
      afterMs: delayWithin(behaviour.orderDelay, random),
      totalMinor: integerWithin(behaviour.orderTotalMinor.min, behaviour.orderTotalMinor.max, random),
    },
  };
}
