import { campaignKey } from '@hoot/events';
import { GroundTruth } from './ground-truth.ts';
import { Random } from './random.ts';
import { pythonTime, type WorkloadRecord } from './records.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface WorkloadOptions {
  seed: number;
  /** Notifications dispatched over all campaigns (about; merchant sizes are rounded). */
  notifications: number;
  merchants?: number;
  /** When the first regular campaign goes out; default 2026-11-02T00:00Z. */
  startMs?: number;
  /** Days over which regular campaigns go out. Default 3. */
  days?: number;
  /** Share of sent notifications with a delivery ping. Default 0.3. */
  deliveryShare?: number;
  /** Share of sent notifications clicked. Default 0.015. */
  clickShare?: number;
  /** Share of pings sent twice (a service worker retry). Default 0.05. */
  duplicateShare?: number;
  /** Share of merchants whose producers write the seed's schema, unkeyed. Default 0.25. */
  seedMerchantShare?: number;
  /** Share of campaigns sent 10 days before the rest: their pings arrive late, within grace. */
  lateCampaignShare?: number;
  /** Pings 40 days old, beyond grace, written in the last phase. Default 0.5% of pings. */
  tooLateShare?: number;
  /** Write dispatch events. Default true. */
  dispatch?: boolean;
  attributionWindowMs?: number;
}

interface Merchant {
  id: string;
  subscribers: number;
  campaigns: number;
  seedFormat: boolean;
  currency: string;
}

interface Click {
  campaign: string;
  at: number;
}

/**
 * A deterministic campaign workload and its ground truth. Merchants of very different sizes
 * (Zipf), campaigns sent to all their subscribers, dispatch events (a few failed, a few sent
 * twice), delivery pings for about 30% and clicks for about 1.5% of notifications, some clicks
 * without a delivery ping, duplicate pings, pings out of order and late (within grace, and beyond
 * it), a share written by seed-era producers (seed schema, no key, no notification id, Python time
 * strings), and orders with and without a prior click.
 *
 * Phases, to be written in order, each after the pipeline has taken the previous one:
 * `main()` dispatches and pings; `orders()` orders (attribution uses the clicks before them);
 * `tooLate()` pings beyond grace, which must count nowhere. `truth` is complete once all three
 * have been iterated.
 */
export class Workload {
  readonly truth = new GroundTruth();
  readonly options: Required<WorkloadOptions>;
  readonly merchants: Merchant[];
  readonly #random: Random;
  readonly #clicks = new Map<string, Click[]>();
  #pings = 0;

  constructor(options: WorkloadOptions) {
    this.options = {
      merchants: 8,
      startMs: Date.UTC(2026, 10, 2),
      days: 3,
      deliveryShare: 0.3,
      clickShare: 0.015,
      duplicateShare: 0.05,
      seedMerchantShare: 0.25,
      lateCampaignShare: 0.1,
      tooLateShare: 0.005,
      dispatch: true,
      attributionWindowMs: 72 * HOUR,
      ...options,
    };
    this.#random = new Random(options.seed);
    this.merchants = this.#makeMerchants();
  }

  /** Ping records written by main(). */
  get pings(): number {
    return this.#pings;
  }

  #makeMerchants(): Merchant[] {
    const { merchants: count, notifications, seedMerchantShare } = this.options;
    const r = this.#random;
    const campaigns = Array.from({ length: count }, () => r.int(1, 4));
    const weights = Array.from({ length: count }, (_, k) => 1 / (k + 1) ** 1.1);
    const weighted = weights.reduce((sum, w, k) => sum + w * campaigns[k]!, 0);
    const every = Math.max(1, Math.round(1 / seedMerchantShare));
    return weights.map((w, k) => ({
      id: `shop-${this.options.seed}-${k}.example`,
      subscribers: Math.max(1, Math.round((notifications * w) / weighted)),
      campaigns: campaigns[k]!,
      seedFormat: seedMerchantShare > 0 && k % every === 1 % every,
      currency: r.pick(['EUR', 'USD', 'GBP', 'INR']),
    }));
  }

  /** Dispatches and pings, campaign after campaign, each campaign's records in arrival order. */
  *main(): Generator<WorkloadRecord[]> {
    const { startMs, days, lateCampaignShare } = this.options;
    const r = this.#random;
    for (const merchant of this.merchants) {
      for (let c = 0; c < merchant.campaigns; c++) {
        const late = r.chance(lateCampaignShare);
        const sendAt = startMs - (late ? 10 * DAY : 0) + Math.floor(r.next() * days * DAY);
        yield this.#campaign(merchant, c + 1, sendAt);
      }
    }
  }

  #campaign(merchant: Merchant, sourceId: number, sendAt: number): WorkloadRecord[] {
    const { deliveryShare, clickShare, duplicateShare, dispatch } = this.options;
    const r = this.#random;
    const ref = { merchant: merchant.id, source: 'campaign', source_id: sourceId };
    const campaign = campaignKey(ref);
    const records: WorkloadRecord[] = [];
    const spread = Math.min(15 * MINUTE, 10 * merchant.subscribers);
    for (let subscriber = 1; subscriber <= merchant.subscribers; subscriber++) {
      const notificationId = `${merchant.id}:${sourceId}:${subscriber}`;
      const sentAt = sendAt + Math.floor(r.next() * spread);
      const failed = r.chance(0.03);
      const status = failed ? r.pick([410, 410, 404, 413, 500]) : 201;
      if (dispatch) {
        this.#dispatch(records, merchant, ref, subscriber, notificationId, sentAt, status);
        if (!failed && r.chance(0.01)) {
          this.#dispatch(
            records,
            merchant,
            ref,
            subscriber,
            notificationId,
            sentAt + r.int(1, 30) * SECOND,
            201,
          );
        }
      }
      if (failed) continue;
      if (dispatch) this.truth.add(campaign, sentAt, 'sent');

      const delivered = r.chance(deliveryShare);
      const clicked = delivered && r.chance(clickShare / deliveryShare);
      if (!delivered) continue;
      const deliveredAt = sentAt + this.#deliveryDelay();
      const pingTimes: number[] = [];
      // A click may come without its delivery ping (lost, or the browser was offline).
      const deliveryLost = clicked && r.chance(0.15);
      if (!deliveryLost) pingTimes.push(deliveredAt);
      let clickedAt: number | undefined;
      if (clicked) {
        clickedAt = deliveredAt + Math.floor(r.chance(0.05) ? r.next() * DAY : r.exponential(10 * MINUTE));
        pingTimes.push(clickedAt);
        this.truth.add(campaign, clickedAt, 'clicks');
        const key = `${merchant.id}/${subscriber}`;
        const list = this.#clicks.get(key) ?? [];
        list.push({ campaign, at: clickedAt });
        this.#clicks.set(key, list);
      }
      this.truth.add(campaign, Math.min(...pingTimes), 'impressions');
      if (!deliveryLost)
        this.#ping(
          records,
          merchant,
          ref,
          subscriber,
          notificationId,
          'delivered',
          deliveredAt,
          duplicateShare,
        );
      if (clickedAt !== undefined) {
        this.#ping(records, merchant, ref, subscriber, notificationId, 'clicked', clickedAt, duplicateShare);
      }
    }
    return records.sort((a, b) => a.timestamp - b.timestamp);
  }

  #deliveryDelay(): number {
    const r = this.#random;
    const draw = r.next();
    if (draw < 0.75) return Math.floor(r.exponential(20 * SECOND));
    if (draw < 0.95) return r.int(MINUTE, 2 * HOUR);
    return r.int(2 * HOUR, 48 * HOUR);
  }

  #dispatch(
    records: WorkloadRecord[],
    merchant: Merchant,
    ref: { merchant: string; source: string; source_id: number },
    subscriber: number,
    notificationId: string,
    sentAt: number,
    status: number,
  ): void {
    const base = {
      title: `Campaign ${ref.source_id}`,
      description: 'Up to 30% off',
      ...ref,
      subscriber_id: subscriber,
    };
    if (merchant.seedFormat) {
      // Seed-era producers only wrote a dispatch once the push service had accepted it.
      if (status >= 300) return;
      records.push({ topic: 'dispatch', format: 'seed-dispatch', key: null, value: base, timestamp: sentAt });
      return;
    }
    records.push({
      topic: 'dispatch',
      format: 'dispatch',
      key: campaignKey(ref),
      // As the dispatcher writes them: every final outcome, sent_at only for accepted ones.
      value: {
        ...base,
        notification_id: notificationId,
        sent_at: status < 300 ? sentAt : null,
        status_code: status,
        push_service: 'fcm.googleapis.com',
        url: `https://${merchant.id}/sale`,
        outcome: status < 300 ? 'sent' : status === 404 || status === 410 ? 'expired' : 'failed',
        attempts: 1,
        decided_at: sentAt,
      },
      timestamp: sentAt,
    });
  }

  #ping(
    records: WorkloadRecord[],
    merchant: Merchant,
    ref: { merchant: string; source: string; source_id: number },
    subscriber: number,
    notificationId: string,
    kind: 'delivered' | 'clicked',
    at: number,
    duplicateShare: number,
  ): void {
    const r = this.#random;
    const copies = r.chance(duplicateShare) ? 2 : 1;
    for (let copy = 0; copy < copies; copy++) {
      const receivedAt = at + r.int(50, 2000) + copy * r.int(1, 60) * SECOND;
      this.#pings++;
      if (merchant.seedFormat) {
        const text = pythonTime(at, r.chance(0.3));
        records.push({
          topic: 'ping',
          format: 'seed-ping',
          key: null,
          value: {
            ...ref,
            subscriber_id: subscriber,
            delivered_time: kind === 'delivered' ? text : null,
            clicked_time: kind === 'clicked' ? text : null,
          },
          timestamp: receivedAt,
        });
        continue;
      }
      const iso = new Date(at).toISOString();
      records.push({
        topic: 'ping',
        format: 'ping',
        key: campaignKey(ref),
        value: {
          ...ref,
          subscriber_id: subscriber,
          delivered_time: kind === 'delivered' ? iso : null,
          clicked_time: kind === 'clicked' ? iso : null,
          notification_id: notificationId,
          token: null,
          received_at: receivedAt,
          event_time: at,
        },
        timestamp: receivedAt,
      });
    }
  }

  /**
   * Orders: from about a third of the subscribers who clicked (some after the attribution window),
   * from subscribers who never clicked, and with no subscriber; a few sent twice.
   */
  *orders(): Generator<WorkloadRecord[]> {
    const r = this.#random;
    const records: WorkloadRecord[] = [];
    let n = 0;
    const order = (merchant: Merchant, subscriber: number | null, at: number) => {
      const value = {
        merchant: merchant.id,
        order_id: `o-${this.options.seed}-${++n}`,
        subscriber_id: subscriber,
        total_minor: r.int(500, 25_000),
        currency: merchant.currency,
        created_at: at,
      };
      const copies = r.chance(0.05) ? 2 : 1;
      for (let i = 0; i < copies; i++) {
        records.push({
          topic: 'orders',
          format: 'order',
          key: merchant.id,
          value,
          timestamp: at + i * SECOND,
        });
      }
      if (subscriber === null) return;
      const campaign = this.#attribute(`${merchant.id}/${subscriber}`, at);
      if (campaign === undefined) return;
      this.truth.add(campaign, at, 'orders');
      this.truth.add(campaign, at, 'revenue_minor', value.total_minor);
    };
    const byId = new Map(this.merchants.map((m) => [m.id, m]));
    for (const [key, clicks] of this.#clicks) {
      if (!r.chance(0.35)) continue;
      const merchant = byId.get(key.slice(0, key.lastIndexOf('/')))!;
      const last = Math.max(...clicks.map((c) => c.at));
      const delay = r.chance(0.15) ? r.int(73 * HOUR, 100 * HOUR) : Math.floor(r.exponential(6 * HOUR));
      order(merchant, Number(key.slice(key.lastIndexOf('/') + 1)), last + delay);
    }
    const { startMs, days } = this.options;
    const unclicked = Math.ceil(n / 2) + 1;
    for (let i = 0; i < unclicked; i++) {
      const merchant = r.pick(this.merchants);
      const at = startMs + Math.floor(r.next() * days * DAY);
      order(merchant, r.chance(0.2) ? null : r.int(1, merchant.subscribers), at);
    }
    yield r.shuffle(records);
  }

  /** The campaign of the subscriber's last click at or before `at`, within the window. */
  #attribute(subscriberKey: string, at: number): string | undefined {
    let best: Click | undefined;
    for (const click of this.#clicks.get(subscriberKey) ?? []) {
      if (click.at > at || at - click.at > this.options.attributionWindowMs) continue;
      if (
        best === undefined ||
        click.at > best.at ||
        (click.at === best.at && click.campaign < best.campaign)
      ) {
        best = click;
      }
    }
    return best?.campaign;
  }

  /** Pings 40 days before the rest, for campaigns of their own: beyond grace, counted nowhere. */
  *tooLate(): Generator<WorkloadRecord[]> {
    const r = this.#random;
    const records: WorkloadRecord[] = [];
    const count = Math.ceil(this.#pings * this.options.tooLateShare);
    for (let i = 0; i < count; i++) {
      const merchant = r.pick(this.merchants);
      const ref = { merchant: merchant.id, source: 'campaign', source_id: 900 + r.int(0, 3) };
      const subscriber = r.int(1, merchant.subscribers);
      const at = this.options.startMs - 40 * DAY + r.int(0, DAY);
      const id = `${merchant.id}:${ref.source_id}:${subscriber}`;
      this.#ping(records, merchant, ref, subscriber, id, r.chance(0.9) ? 'delivered' : 'clicked', at, 0);
    }
    yield records;
  }
}
