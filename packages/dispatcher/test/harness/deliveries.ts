import type { batchRows } from './database.ts';
import type { ReceivedPush, TestSubscription } from './push-service.ts';

/** The fewest and most times one subscriber of a batch received the campaign's notification. */
export interface BatchDeliveries {
  min: number;
  max: number;
}

/**
 * Deliveries per batch index, from the subscriber ranges fixed at fan-out and what the push
 * service received: `min` 0 means a subscriber of the batch got nothing, `max` above 1 that the
 * batch (or part of it) was sent again.
 */
export function deliveriesPerBatch(
  batches: Awaited<ReturnType<typeof batchRows>>,
  subs: TestSubscription[],
  subscriberOf: Map<number, number>,
  received: ReceivedPush[],
): Map<number, BatchDeliveries> {
  const perEndpoint = new Map<number, number>();
  for (const push of received) perEndpoint.set(push.endpoint, (perEndpoint.get(push.endpoint) ?? 0) + 1);
  const out = new Map<number, BatchDeliveries>();
  for (const sub of subs) {
    const subscriberId = subscriberOf.get(sub.id);
    if (subscriberId === undefined) throw new Error(`endpoint ${sub.id} has no subscriber row`);
    const batch = batches.find(
      (b) => Number(b.first_subscriber_id) <= subscriberId && subscriberId <= Number(b.last_subscriber_id),
    );
    if (batch === undefined) throw new Error(`subscriber ${subscriberId} is in no batch`);
    const count = perEndpoint.get(sub.id) ?? 0;
    const entry = out.get(batch.batch_index) ?? { min: count, max: count };
    out.set(batch.batch_index, { min: Math.min(entry.min, count), max: Math.max(entry.max, count) });
  }
  return out;
}
