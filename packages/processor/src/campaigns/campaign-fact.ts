import { campaignKey, type Dispatch, notificationIdentity, type Ping } from '@hoot/events';
import type { PingTimes } from './ping-validation.ts';

/**
 * What the reporting counts, one fact per thing that happened to a campaign, re-keyed by campaign.
 * `id` is what makes the fact distinct: a notification for sent, impressions and clicks; an order
 * id for orders. `delta` is +1, or -1 when a fact moves to an earlier hour (see the topology).
 */
export interface CampaignFact {
  kind: 'sent' | 'impression' | 'click' | 'order';
  campaign: string;
  id: string;
  delta: 1 | -1;
  revenueMinor: number;
  currency: string | null;
}

/** A fact keyed by its campaign; without a timestamp it happened at its record's event time. */
export interface TimedFact {
  key: string;
  value: CampaignFact;
  timestamp?: number;
}

function fact(kind: CampaignFact['kind'], campaign: string, id: string, timestamp?: number): TimedFact {
  const value: CampaignFact = { kind, campaign, id, delta: 1, revenueMinor: 0, currency: null };
  return timestamp === undefined ? { key: campaign, value } : { key: campaign, value, timestamp };
}

/**
 * A delivery ping is an impression at its delivery time; a click ping is a click and also an
 * impression at its click time (a click proves delivery even when the delivery ping was lost).
 */
export function pingFacts(ping: Ping, times: PingTimes): TimedFact[] {
  const campaign = campaignKey(ping);
  const id = notificationIdentity(ping);
  const facts: TimedFact[] = [];
  if (times.delivered !== null) facts.push(fact('impression', campaign, id, times.delivered));
  if (times.clicked !== null) {
    facts.push(fact('impression', campaign, id, times.clicked));
    facts.push(fact('click', campaign, id, times.clicked));
  }
  return facts;
}

/**
 * Whether a dispatch event counts as sent. Events that name their outcome are sent only when it
 * is `sent` (the dispatcher writes every final outcome, with or without a status). Older events
 * have no outcome and were written for accepted notifications only: sent when the push service
 * answered 2xx, or when they carry no status, as the seed's producers wrote them.
 */
export function isSent(dispatch: Dispatch): boolean {
  const outcome = dispatch.outcome ?? null;
  if (outcome !== null) return outcome === 'sent';
  const status = dispatch.status_code;
  return status === null || (status >= 200 && status < 300);
}

/** At the dispatch record's event time: when the push service answered, else its Kafka timestamp. */
export function sentFact(dispatch: Dispatch): TimedFact {
  return fact('sent', campaignKey(dispatch), notificationIdentity(dispatch));
}

export function retractFact(value: CampaignFact): CampaignFact {
  return { ...value, delta: value.delta === 1 ? -1 : 1, revenueMinor: -value.revenueMinor };
}
